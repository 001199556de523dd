/* decode: STUB, to be implemented (see decode.h). */
#include "decode.h"
enum tr_err decode_base64(const char *in, size_t len, struct buf *out) { (void)in; (void)len; (void)out; return TR_ERR_FORMAT; }
enum tr_err decode_qp(const char *in, size_t len, struct buf *out) { (void)in; (void)len; (void)out; return TR_ERR_FORMAT; }
enum decode_cte decode_cte_parse(const char *value) { (void)value; return CTE_IDENTITY; }
enum tr_err decode_body(enum decode_cte cte, const char *in, size_t len, struct buf *out) { (void)cte; return buf_append(out, in, len); }
