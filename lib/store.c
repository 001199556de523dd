/* store: STUB, to be implemented (see store.h). */
#include <stdlib.h>
#include "store.h"
extern const char schema_sql[];
enum tr_err store_open(const char *path, enum store_open_mode mode, int busy_timeout_ms, struct store **out, struct tr_error *err)
{ (void)path; (void)mode; (void)busy_timeout_ms; *out = NULL; return tr_error_set(err, TR_ERR_DB, "store: not implemented"); }
struct store *store_close(struct store *s) { (void)s; return NULL; }
enum tr_err store_put_report(struct store *s, const struct tlsrpt_report *r, const struct store_meta *meta, enum store_outcome *outcome, struct tr_error *err)
{ (void)s; (void)r; (void)meta; (void)outcome; return tr_error_set(err, TR_ERR_DB, "store: not implemented"); }
enum tr_err store_batch_begin(struct store *s, struct tr_error *err) { (void)s; (void)err; return TR_ERR_DB; }
enum tr_err store_batch_end(struct store *s, struct tr_error *err) { (void)s; (void)err; return TR_ERR_DB; }
sqlite3 *store_db(struct store *s) { (void)s; return NULL; }
int store_schema_version(void) { return schema_sql[0] ? 1 : 0; }
