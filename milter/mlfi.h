/*
 * mlfi: the libmilter callbacks, and nothing else.  Per connection: one
 * struct (smfi_setpriv) holding the database handle; per message: the
 * configuration reference and the buffered message, reset in eom and abort.
 */
#ifndef TLSRPT_MILTER_MLFI_H
#define TLSRPT_MILTER_MLFI_H

#include <libmilter/mfapi.h>

/* The filter description handed to smfi_register(). */
extern struct smfiDesc mlfi_desc;

#endif
