/* mime: STUB, to be implemented (see mime.h). */
#include <stdlib.h>
#include "mime.h"
enum tr_err mime_parse_headers(const char *p, size_t len, const struct tr_limits *lim, struct mime_headers *out, size_t *body_off, struct tr_error *err)
{ (void)p; (void)lim; out->v = NULL; out->n = 0; *body_off = len; return tr_error_set(err, TR_ERR_FORMAT, "mime: not implemented"); }
const char *mime_header_get(const struct mime_headers *h, const char *name) { (void)h; (void)name; return NULL; }
void mime_headers_free(struct mime_headers *h) { if (h) { free(h->v); h->v = NULL; h->n = 0; } }
char *mime_param(const char *value, const char *param) { (void)value; (void)param; return NULL; }
void mime_content_type(const char *value, char *out, size_t outlen) { (void)value; if (outlen) out[0] = '\0'; }
enum tr_err mime_walk(const char *msg, size_t len, const struct tr_limits *lim, mime_leaf_fn fn, void *ctx, struct tr_error *err)
{ (void)msg; (void)len; (void)lim; (void)fn; (void)ctx; return tr_error_set(err, TR_ERR_FORMAT, "mime: not implemented"); }
