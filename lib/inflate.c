/* inflate: STUB, to be implemented (see inflate.h). */
#include "inflate.h"
enum inflate_kind inflate_sniff(const unsigned char *p, size_t len) { (void)p; (void)len; return INFLATE_NONE; }
enum tr_err inflate_bytes(enum inflate_kind kind, const unsigned char *in, size_t len, struct buf *out, struct tr_error *err)
{ (void)kind; (void)in; (void)len; (void)out; return tr_error_set(err, TR_ERR_FORMAT, "inflate: not implemented"); }
