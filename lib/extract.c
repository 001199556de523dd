/* extract: STUB, to be implemented (see extract.h). */
#include <stdlib.h>
#include <string.h>
#include "extract.h"
enum tr_err extract_message(const char *msg, size_t len, const struct tr_limits *lim, struct extract_result *out, struct tr_error *err)
{ (void)msg; (void)len; (void)lim; memset(out, 0, sizeof *out); return tr_error_set(err, TR_ERR_FORMAT, "extract: not implemented"); }
enum tr_err extract_file(const unsigned char *data, size_t len, const char *filename, const struct tr_limits *lim, struct extract_result *out, struct tr_error *err)
{ (void)data; (void)len; (void)filename; (void)lim; memset(out, 0, sizeof *out); return tr_error_set(err, TR_ERR_FORMAT, "extract: not implemented"); }
void extract_result_free(struct extract_result *r) { if (r) { free(r->items); memset(r, 0, sizeof *r); } }
