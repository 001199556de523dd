/* datetime: STUB, to be implemented (see datetime.h). */
#include <stdio.h>
#include "datetime.h"
enum tr_err datetime_parse(const char *s, int64_t *epoch, struct tr_error *err) { (void)s; *epoch = 0; return tr_error_set(err, TR_ERR_FORMAT, "datetime: not implemented"); }
void datetime_format(int64_t epoch, char *out, size_t outlen) { snprintf(out, outlen, "%lld", (long long)epoch); }
