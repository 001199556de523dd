/*
 * mlfi: the libmilter callbacks, and nothing else.  Per connection: one
 * struct (smfi_setpriv) with what the MTA granted; per message: the
 * configuration reference and the buffered message, reset in eom and abort.
 * One database handle serves every connection.
 */
#ifndef TLSRPT_MILTER_MLFI_H
#define TLSRPT_MILTER_MLFI_H

#include <libmilter/mfapi.h>

#include "metrics.h"

/* The filter description handed to smfi_register(). */
extern struct smfiDesc mlfi_desc;

/* Before any thread starts: size the cap on messages processed at once
 * (one per CPU) and, with glibc, the malloc arenas to match. */
void mlfi_init(void);

/* Called about once a second: close the database when idle (see msg.h). */
void mlfi_idle(void);

/* The process's counters (after mlfi_init()), for the metrics server. */
struct metrics *mlfi_metrics(void);

/* Close the shared database handle after smfi_main() has returned. */
void mlfi_shutdown(void);

#endif
