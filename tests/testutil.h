/*
 * testutil: small helpers shared by the C unit tests: finding and reading
 * fixture files.
 */
#ifndef TLSRPT_TESTUTIL_H
#define TLSRPT_TESTUTIL_H

#include <stddef.h>

/* Read the whole file at path into a malloc'd, NUL-terminated buffer;
 * NULL on failure. *len gets the size. */
char *testutil_read_file(const char *path, size_t *len);

/* "$top_srcdir/rel" (or "./rel" when top_srcdir is unset) into out. */
void testutil_srcpath(char *out, size_t outlen, const char *rel);

/* The folder of real provider samples, or NULL when it is not there
 * (tests that use it skip). Looks beside the checkout, then /work/shared. */
const char *testutil_samples_dir(void);

#endif
