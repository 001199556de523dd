/*
 * backend/pg: lib/db.h over libpq, for a PostgreSQL server that several
 * MX hosts share (docs/postgresql.md).  SQL arrives in the dialect db.h
 * describes; its ?N and :name parameters become $N once, at prepare.
 * Persistent statements are prepared on the server, once per connection;
 * a result is fetched whole and its rows handed out one step at a time.
 * A lost connection fails the call that finds it (TR_ERR_BUSY), and the
 * next call reconnects, unless a transaction was open: that one is gone,
 * and only its rollback clears the way.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "backend.h"
#include "migrate.h"

/* Type OIDs from PostgreSQL's catalog (pg_type.dat), stable across
 * releases; libpq does not export them to clients. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20

/* PostgreSQL's limit on parameters of one statement. */
#define MAX_PARAMS 65535
/* Statements queued on the pipeline before it is synced: their answers
 * wait in the socket, which must not fill while we still send. */
#define PIPE_MAX 512

extern const char pg_schema_sql[];

struct pg_db {
	struct db base;
	PGconn *conn;
	int busy_ms;
	int opened_readonly;  /* DB_OPEN_READONLY: default_transaction_read_only */
	int server_readonly;  /* a standby, or read-only by the server's settings */
	unsigned gen;         /* bumps at each (re)connect: server statements are gone */
	unsigned next_name;   /* numbers this connection's server statements */
	int in_tx;            /* a transaction was open at the last answer */
	int tx_lost;          /* the connection died inside it */
	int piped;            /* statements sent on the pipeline, not yet answered */
	const char *piped_what[PIPE_MAX + 1]; /* what each was doing, for its error */
	struct pg_stmt *streaming; /* whose rows the connection is still sending */
};

/* One bound parameter: text is the value sent, kept in num for numbers. */
struct pg_param {
	const char *value;  /* NULL: SQL NULL */
	int len;
	int binary;         /* a blob, sent as raw bytes */
	unsigned type;      /* OID, 0: let the server infer it */
	char num[24];
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;          /* with $N parameters */
	int nparams;
	char **names;       /* [nparams]: ":name" of each index, or NULL */
	int persistent;
	char name[24];      /* the server statement's name, when persistent */
	unsigned prepared_gen;  /* db->gen it was prepared in, 0: never */
	unsigned *prepared_types; /* [nparams]: the types it was prepared with */
	struct pg_param *params;  /* [nparams] */
	const char **values;      /* [nparams] the arrays libpq takes, from params */
	int *lengths;
	int *formats;
	unsigned *types;
	int bind_error;     /* a bad index or no memory, for the next step */
	PGresult *res;
	int executed;
	int row;            /* current row, -1 before the first */
	int nrows;
	/* Rows come one result each (single-row mode), so that a summary
	 * over millions of rows holds one at a time, not all of them. */
	int streamed;
	PGresult **held;    /* rows read ahead while another statement needed the connection */
	size_t nheld, held_at, held_cap;
	int held_lost;      /* no memory to hold them: the rest was dropped */
	unsigned char **decoded;  /* [ncols] blobs of the current row, decoded, NUL after */
	size_t *decoded_len;
	int ncols;
};

static struct pg_db *pg_of(struct db *db)
{
	return (struct pg_db *)db;
}

static struct pg_stmt *stmt_of(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* ---- errors ---- */

/* libpq's message, one line, without its trailing newline. */
static void one_line(char *out, size_t cap, const char *msg)
{
	size_t n = 0;

	if (msg == NULL)
		msg = "";
	while (*msg != '\0' && n + 1 < cap) {
		char c = *msg++;

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;  /* libpq indents its second line */
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Whether a SQLSTATE means "try again later": the server is going or gone,
 * a lock or a deadlock, a cancelled statement, no resources, or a server
 * that has become a standby. */
static int sqlstate_is_busy(const char *state, int opened_readonly)
{
	static const char *const busy[] = { "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03" };

	if (state == NULL)
		return 0;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0)
		return 1;
	/* a read-only transaction is only worth retrying when we did not ask
	 * for it: a standby after failover, not a read-only open */
	if (strcmp(state, "25006") == 0)
		return !opened_readonly;
	for (size_t i = 0; i < sizeof busy / sizeof busy[0]; i++) {
		if (strcmp(state, busy[i]) == 0)
			return 1;
	}
	return 0;
}

/* The connection died: a transaction open on it is lost for good. */
static void note_lost(struct pg_db *d)
{
	if (d->in_tx)
		d->tx_lost = 1;
	d->in_tx = 0;
}

/* After a command: what the server says of the transaction, when it
 * still says anything. */
static void note_tx(struct pg_db *d)
{
	PGTransactionStatusType ts;

	if (PQstatus(d->conn) != CONNECTION_OK) {
		note_lost(d);
		return;
	}
	ts = PQtransactionStatus(d->conn);
	if (ts != PQTRANS_UNKNOWN)
		d->in_tx = ts != PQTRANS_IDLE;
}

/* A failed result (or none) as ours, with PostgreSQL's primary message. */
static enum tr_err result_error(struct pg_db *d, const PGresult *res, const char *what, struct tr_error *err)
{
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	enum tr_err code = TR_ERR_DB;
	char msg[TR_ERROR_MSG_MAX];

	note_tx(d);
	if (PQstatus(d->conn) != CONNECTION_OK || sqlstate_is_busy(state, d->opened_readonly))
		code = TR_ERR_BUSY;
	else if (res == NULL)
		code = TR_ERR_NOMEM;
	one_line(msg, sizeof msg, primary != NULL ? primary : PQerrorMessage(d->conn));
	if (state != NULL)
		return tr_error_set(err, code, "%s: %s (SQLSTATE %s)", what, msg, state);
	return tr_error_set(err, code, "%s: %s", what, msg);
}

/* ---- connecting ---- */

/* The session every connection needs, and whether the server lets us
 * write; one round trip. */
static enum tr_err set_up_session(struct pg_db *d, struct tr_error *err)
{
	char sql[320];
	PGresult *res;
	enum tr_err rc = TR_OK;
	int lock_ms = d->busy_ms > 0 ? d->busy_ms : 1;  /* 0 would mean "wait forever" */

	snprintf(sql, sizeof sql,
	         "SET lock_timeout = %d; SET TimeZone = 'UTC'; SET DateStyle = 'ISO';"
	         " SET bytea_output = 'hex';%s"
	         " SELECT pg_is_in_recovery()"
	         " OR current_setting('default_transaction_read_only') = 'on'",
	         lock_ms, d->opened_readonly ? " SET default_transaction_read_only = on;" : "");
	res = PQexec(d->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = result_error(d, res, "setting up the session", err);
	else
		d->server_readonly = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return rc;
}

/* ---- streamed results ---- */

/* The end of a stream: the server's last result is followed by a NULL. */
static void end_stream(struct pg_db *d)
{
	PGresult *r;

	while ((r = PQgetResult(d->conn)) != NULL)
		PQclear(r);
	d->streaming = NULL;
	note_tx(d);
}

static int ends_stream(const PGresult *r)
{
	return r == NULL || PQresultStatus(r) != PGRES_SINGLE_TUPLE;
}

/* Read the rest of the streaming statement's rows into its queue: the
 * connection carries one query at a time, and another needs it now. */
static void settle(struct pg_db *d)
{
	struct pg_stmt *s = d->streaming;
	PGresult *r;
	int last;

	if (s == NULL)
		return;
	do {
		r = PQgetResult(d->conn);
		last = ends_stream(r);
		if (r != NULL && !s->held_lost && s->nheld == s->held_cap) {
			size_t cap = s->held_cap > 0 ? s->held_cap * 2 : 64;
			PGresult **grown = realloc(s->held, cap * sizeof *grown);

			if (grown == NULL) {
				s->held_lost = 1;
			} else {
				s->held = grown;
				s->held_cap = cap;
			}
		}
		if (r != NULL && !s->held_lost)
			s->held[s->nheld++] = r;
		else
			PQclear(r);
	} while (!last);
	end_stream(d);
}

/* Its rows unread are of no more use: drop them, and those held. */
static void drop_stream(struct pg_db *d, struct pg_stmt *s)
{
	PGresult *r;

	if (d->streaming == s) {
		int last;

		do {
			r = PQgetResult(d->conn);
			last = ends_stream(r);
			PQclear(r);
		} while (!last);
		end_stream(d);
	}
	while (s->held_at < s->nheld)
		PQclear(s->held[s->held_at++]);
	free(s->held);
	s->held = NULL;
	s->nheld = s->held_at = s->held_cap = 0;
	s->held_lost = 0;
	s->streamed = 0;
}

/* A connection that is up (TR_OK) or a reason to come back later.  After a
 * loss the transaction that was open is gone and stays failed until
 * rolled back; otherwise reconnect, as a new generation. */
static enum tr_err ensure_connected(struct pg_db *d, struct tr_error *err)
{
	char msg[TR_ERROR_MSG_MAX];

	settle(d);
	if (d->tx_lost)
		return tr_error_set(err, TR_ERR_BUSY, "the connection to the server was lost inside a transaction");
	if (PQstatus(d->conn) == CONNECTION_OK)
		return TR_OK;
	PQreset(d->conn);
	d->gen++;
	d->in_tx = 0;
	d->piped = 0;
	if (PQpipelineStatus(d->conn) != PQ_PIPELINE_OFF)
		(void)PQexitPipelineMode(d->conn);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		one_line(msg, sizeof msg, PQerrorMessage(d->conn));
		return tr_error_set(err, TR_ERR_BUSY, "reconnecting: %s", msg);
	}
	if (PQsetClientEncoding(d->conn, "UTF8") != 0)
		return result_error(d, NULL, "setting the client encoding", err);
	return set_up_session(d, err);
}

/* ---- the pipeline: statements whose answers can wait ---- */

/*
 * Read the answers of everything sent on the pipeline, then leave it: the
 * first error among them (later ones only say "aborted"), or TR_OK.  last,
 * when not NULL, gets the result of the statement sent last, when it
 * succeeded.  One round trip, however many statements were sent.
 */
static enum tr_err pipeline_sync(struct pg_db *d, PGresult **last, struct tr_error *err)
{
	enum tr_err rc = TR_OK;
	int n = d->piped;
	PGresult *r;

	if (PQpipelineStatus(d->conn) == PQ_PIPELINE_OFF)
		return TR_OK;
	d->piped = 0;
	if (PQpipelineSync(d->conn) != 1)
		rc = result_error(d, NULL, n > 0 ? d->piped_what[n - 1] : "syncing", err);
	/* each statement's results end with a NULL; a lost connection gives
	 * NULLs from then on, so the loop ends either way */
	for (int i = 0; i < n;) {
		ExecStatusType status;

		r = PQgetResult(d->conn);
		if (r == NULL) {
			i++;
			continue;
		}
		status = PQresultStatus(r);
		if (status == PGRES_FATAL_ERROR && rc == TR_OK)
			rc = result_error(d, r, d->piped_what[i], err);
		if (last != NULL && i == n - 1 && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) &&
		    *last == NULL)
			*last = r;
		else
			PQclear(r);
	}
	/* the sync's own answer, then out of pipeline mode */
	for (int tries = 0; tries < 4 && PQexitPipelineMode(d->conn) != 1; tries++) {
		r = PQgetResult(d->conn);
		if (r == NULL && PQstatus(d->conn) != CONNECTION_OK)
			break;
		PQclear(r);
	}
	note_tx(d);
	if (rc == TR_OK && PQstatus(d->conn) != CONNECTION_OK)
		rc = result_error(d, NULL, n > 0 ? d->piped_what[n - 1] : "syncing", err);
	if (rc != TR_OK && last != NULL) {
		PQclear(*last);
		*last = NULL;
	}
	return rc;
}

/* Send one statement on the pipeline, entering it when off: s with its
 * arguments (as its server statement when prepared), or when s is NULL
 * the parameterless command sql.  A full pipeline is synced first. */
static enum tr_err pipeline_send(struct pg_db *d, struct pg_stmt *s, int prepared, const char *sql,
                                 const char *what, struct tr_error *err)
{
	int ok;

	if (d->piped >= PIPE_MAX) {
		enum tr_err rc = pipeline_sync(d, NULL, err);

		if (rc != TR_OK)
			return rc;
	}
	if (PQpipelineStatus(d->conn) == PQ_PIPELINE_OFF && PQenterPipelineMode(d->conn) != 1)
		return result_error(d, NULL, what, err);
	if (s == NULL)
		ok = PQsendQueryParams(d->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	else if (prepared)
		ok = PQsendQueryPrepared(d->conn, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
	else
		ok = PQsendQueryParams(d->conn, s->sql, s->nparams, s->types, s->values, s->lengths, s->formats, 0);
	if (ok != 1)
		return result_error(d, NULL, what, err);
	d->piped_what[d->piped++] = what;
	return TR_OK;
}

static enum tr_err pg_sync(struct db *db, struct tr_error *err)
{
	return pipeline_sync(pg_of(db), NULL, err);
}

static enum tr_err pg_exec_later(struct db *db, const char *sql, const char *what, struct tr_error *err)
{
	struct pg_db *d = pg_of(db);
	enum tr_err rc = ensure_connected(d, err);

	return rc != TR_OK ? rc : pipeline_send(d, NULL, 0, sql, what, err);
}

/* Notices ("there is no transaction in progress") are not errors, and a
 * library prints nothing: libpq's default writes them to stderr. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static enum tr_err pg_open(const char *where, enum db_open_mode mode, int busy_ms, struct db **out,
                           struct tr_error *err)
{
	/* the URI goes to libpq whole (expand_dbname); the keywords after it
	 * win over it, those before it are defaults it may override: a milter
	 * must not wait minutes for a host that went away (libpq's default
	 * connect_timeout is forever, TCP's retransmissions last 15 minutes) */
	const char *const keys[] = { "fallback_application_name", "connect_timeout", "keepalives_idle",
		                     "keepalives_interval", "keepalives_count", "tcp_user_timeout",
		                     "dbname", "client_encoding", NULL };
	const char *const values[] = { "tlsrpt", "10", "30", "10", "3", "30000", where, "UTF8", NULL };
	struct pg_db *d = calloc(1, sizeof *d);
	char msg[TR_ERROR_MSG_MAX];
	enum tr_err rc;

	if (d == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	d->busy_ms = busy_ms;
	d->opened_readonly = mode == DB_OPEN_READONLY;
	d->gen = 1;
	d->conn = PQconnectdbParams(keys, values, 1);
	if (d->conn == NULL) {
		free(d);
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory connecting");
	}
	PQsetNoticeProcessor(d->conn, ignore_notice, NULL);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		/* libpq's text names host and user, never the password */
		one_line(msg, sizeof msg, PQerrorMessage(d->conn));
		rc = tr_error_set(err, TR_ERR_BUSY, "cannot connect: %s", msg);
	} else {
		rc = set_up_session(d, err);
	}
	if (rc != TR_OK) {
		PQfinish(d->conn);
		free(d);
		return rc;
	}
	*out = &d->base;
	return TR_OK;
}

static void pg_close(struct db *db)
{
	struct pg_db *d = pg_of(db);

	/* closing the connection rolls back what is open on the server, and
	 * ends a stream a leaked statement left unread */
	PQfinish(d->conn);
	free(d);
}

static int pg_readonly(struct db *db)
{
	struct pg_db *d = pg_of(db);

	return d->opened_readonly || d->server_readonly;
}

static int pg_in_transaction(struct db *db)
{
	struct pg_db *d = pg_of(db);

	return d->tx_lost || d->in_tx;
}

/* ---- parameters: ?N and :name to $N ---- */

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Where the quoted string, quoted identifier or comment starting at p
 * ends (just past it), or p when none starts there. */
static const char *skip_quoted(const char *p)
{
	if (*p == '\'' || *p == '"') {
		char q = *p++;

		for (; *p != '\0'; p++) {
			if (*p == q && p[1] == q)
				p++;  /* a doubled quote stands for itself */
			else if (*p == q)
				return p + 1;
		}
		return p;
	}
	if (p[0] == '-' && p[1] == '-') {
		p += strcspn(p, "\n");
		return p;
	}
	if (p[0] == '/' && p[1] == '*') {
		const char *end = strstr(p + 2, "*/");

		return end != NULL ? end + 2 : p + strlen(p);
	}
	return p;
}

/* The index of :name (len bytes at p, colon included) in s, adding it as
 * the next index when new, as SQLite numbers them; 0 on no memory. */
static int name_index(struct pg_stmt *s, const char *p, size_t len, char ***names, int *cap)
{
	for (int i = 0; i < s->nparams; i++) {
		if ((*names)[i] != NULL && strlen((*names)[i]) == len && memcmp((*names)[i], p, len) == 0)
			return i + 1;
	}
	if (s->nparams >= *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		char **n = realloc(*names, (size_t)ncap * sizeof *n);

		if (n == NULL)
			return 0;
		memset(n + *cap, 0, (size_t)(ncap - *cap) * sizeof *n);
		*names = n;
		*cap = ncap;
	}
	(*names)[s->nparams] = strndup(p, len);
	if ((*names)[s->nparams] == NULL)
		return 0;
	return ++s->nparams;
}

/* Make room in the names table for indexes up to n. */
static int grow_names(char ***names, int *cap, int n)
{
	char **nn;

	if (n <= *cap)
		return 1;
	nn = realloc(*names, (size_t)n * sizeof *nn);
	if (nn == NULL)
		return 0;
	memset(nn + *cap, 0, (size_t)(n - *cap) * sizeof *nn);
	*names = nn;
	*cap = n;
	return 1;
}

/* s->sql = sql with $N for ?N, ? and :name; s->nparams and s->names set.
 * "::" (a cast) is left alone. */
static enum tr_err rewrite_params(struct pg_stmt *s, const char *sql, struct tr_error *err)
{
	size_t cap = strlen(sql) * 6 + 16;  /* "?" becomes at most "$65535" */
	char *out = malloc(cap);
	char **names = NULL;
	int ncap = 0;
	size_t n = 0;
	const char *p = sql;

	if (out == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	while (*p != '\0') {
		const char *q = skip_quoted(p);
		long idx = -1;

		if (q != p) {
			memcpy(out + n, p, (size_t)(q - p));
			n += (size_t)(q - p);
			p = q;
			continue;
		}
		if (*p == '?') {
			char *end = (char *)p + 1;

			errno = 0;
			if (*end >= '0' && *end <= '9')
				idx = strtol(p + 1, &end, 10);
			else
				idx = s->nparams + 1;  /* a bare ?, numbered as SQLite does */
			if (errno != 0 || idx < 1 || idx > MAX_PARAMS)
				goto bad;
			if (!grow_names(&names, &ncap, (int)idx))
				goto nomem;
			if (idx > s->nparams)
				s->nparams = (int)idx;
			p = end;
		} else if (*p == ':' && p[1] != ':' && is_name_char(p[1]) && (p == sql || p[-1] != ':')) {
			size_t len = 1;

			while (is_name_char(p[len]))
				len++;
			idx = name_index(s, p, len, &names, &ncap);
			if (idx == 0)
				goto nomem;
			if (idx > MAX_PARAMS)
				goto bad;
			p += len;
		} else {
			out[n++] = *p++;
			continue;
		}
		n += (size_t)snprintf(out + n, cap - n, "$%ld", idx);
	}
	out[n] = '\0';
	s->sql = out;
	s->names = names;
	return TR_OK;
bad:
	for (int i = 0; i < ncap; i++)
		free(names[i]);
	free(names);
	free(out);
	return tr_error_set(err, TR_ERR_USAGE, "bad parameter in SQL near \"%.20s\"", p);
nomem:
	for (int i = 0; i < ncap; i++)
		free(names[i]);
	free(names);
	free(out);
	return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
}

/* ---- statements ---- */

static void clear_result(struct pg_stmt *s)
{
	drop_stream(pg_of(s->base.db), s);
	for (int i = 0; i < s->ncols; i++)
		free(s->decoded[i]);
	free(s->decoded);
	free(s->decoded_len);
	s->decoded = NULL;
	s->decoded_len = NULL;
	s->ncols = 0;
	PQclear(s->res);
	s->res = NULL;
	s->executed = 0;
	s->row = -1;
	s->nrows = 0;
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = stmt_of(st);
	struct pg_db *d = pg_of(st->db);

	clear_result(s);
	settle(d);
	/* the server keeps a prepared statement for the session's life: one
	 * that a long-lived connection prepares again and again must go */
	if (s->prepared_gen == d->gen && PQstatus(d->conn) == CONNECTION_OK && d->piped > 0) {
		char sql[40];

		/* behind what is queued, whose errors the next sync reports */
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		(void)pipeline_send(d, NULL, 0, sql, "forgetting a statement", NULL);
	} else if (s->prepared_gen == d->gen && PQstatus(d->conn) == CONNECTION_OK &&
	           PQtransactionStatus(d->conn) != PQTRANS_INERROR) {
		char sql[40];

		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(d->conn, sql));
		note_tx(d);
	}
	for (int i = 0; s->names != NULL && i < s->nparams; i++)
		free(s->names[i]);
	free(s->names);
	free(s->params);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->types);
	free(s->prepared_types);
	free(s->sql);
	free(s);
}

static enum tr_err pg_prepare(struct db *db, const char *sql, int persistent, struct db_stmt **out,
                              struct tr_error *err)
{
	struct pg_stmt *s = calloc(1, sizeof *s);
	enum tr_err rc;

	if (s == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	s->base.db = db;
	s->row = -1;
	rc = rewrite_params(s, sql, err);
	if (rc != TR_OK) {
		free(s);
		return rc;
	}
	s->params = calloc((size_t)s->nparams + 1, sizeof *s->params);
	s->prepared_types = calloc((size_t)s->nparams + 1, sizeof *s->prepared_types);
	s->values = calloc((size_t)s->nparams + 1, sizeof *s->values);
	s->lengths = calloc((size_t)s->nparams + 1, sizeof *s->lengths);
	s->formats = calloc((size_t)s->nparams + 1, sizeof *s->formats);
	s->types = calloc((size_t)s->nparams + 1, sizeof *s->types);
	if (s->params == NULL || s->prepared_types == NULL || s->values == NULL || s->lengths == NULL ||
	    s->formats == NULL || s->types == NULL) {
		pg_finalize(&s->base);
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	}
	s->persistent = persistent;
	*out = &s->base;
	return TR_OK;
}

static int pg_param_index(struct db_stmt *st, const char *name)
{
	struct pg_stmt *s = stmt_of(st);
	size_t skip = name[0] == ':' ? 0 : 1;  /* the colon is optional */

	for (int i = 0; i < s->nparams; i++) {
		if (s->names[i] != NULL && strcmp(s->names[i] + skip, name) == 0)
			return i + 1;
	}
	return 0;
}

/* Parameter idx (1-based), or NULL after remembering a bad index. */
static struct pg_param *param_at(struct pg_stmt *s, int idx)
{
	if (idx < 1 || idx > s->nparams) {
		s->bind_error = 1;
		return NULL;
	}
	return &s->params[idx - 1];
}

static void pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	struct pg_param *p = param_at(stmt_of(st), idx);

	if (p == NULL)
		return;
	p->len = snprintf(p->num, sizeof p->num, "%" PRId64, v);
	p->value = p->num;
	p->binary = 0;
	p->type = OID_INT8;
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *v)
{
	struct pg_param *p = param_at(stmt_of(st), idx);

	if (p == NULL)
		return;
	p->value = v;
	p->len = 0;
	p->binary = 0;
	p->type = 0;
}

static void pg_bind_blob(struct db_stmt *st, int idx, const void *v, size_t len)
{
	struct pg_stmt *s = stmt_of(st);
	struct pg_param *p = param_at(s, idx);

	if (p == NULL)
		return;
	if (len > INT32_MAX) {
		s->bind_error = 1;
		return;
	}
	/* a zero-length blob is not NULL: any non-NULL pointer will do */
	p->value = v != NULL ? v : "";
	p->len = (int)len;
	p->binary = 1;
	p->type = OID_BYTEA;
}

static void pg_bind_null(struct db_stmt *st, int idx)
{
	struct pg_param *p = param_at(stmt_of(st), idx);

	if (p == NULL)
		return;
	memset(p, 0, sizeof *p);
}

/* How the values bound now fit the server statement, which was prepared
 * with the types of earlier ones. */
enum fit {
	FIT_SAME,   /* NULL and text fit any type, numbers and blobs their own */
	FIT_WIDER,  /* a number or blob where the server inferred the type:
	             * prepare again, declaring it */
	FIT_NONE    /* a type other than the one declared: run it one-off */
};

static enum fit types_fit(const struct pg_stmt *s)
{
	enum fit fit = FIT_SAME;

	for (int i = 0; i < s->nparams; i++) {
		const struct pg_param *p = &s->params[i];

		if (p->value == NULL || p->type == 0 || p->type == s->prepared_types[i])
			continue;
		if (s->prepared_types[i] != 0)
			return FIT_NONE;
		fit = FIT_WIDER;
	}
	return fit;
}

/* Prepare s on the server under a new name, declaring the types of the
 * numbers and blobs bound now or before (an integer as int8, so that
 * "?1 + 1" does not become int4), text left for the server to infer. */
static enum tr_err prepare_on_server(struct pg_db *d, struct pg_stmt *s, const char *what, struct tr_error *err)
{
	PGresult *res;
	enum tr_err rc = TR_OK;

	for (int i = 0; i < s->nparams; i++) {
		if (s->params[i].type != 0)
			s->prepared_types[i] = s->params[i].type;
	}
	snprintf(s->name, sizeof s->name, "tr%u", ++d->next_name);
	res = PQprepare(d->conn, s->name, s->sql, s->nparams, s->prepared_types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = result_error(d, res, what, err);
	else
		s->prepared_gen = d->gen;
	PQclear(res);
	note_tx(d);
	return rc;
}

/* libpq's argument arrays from s's bindings. */
static void fill_args(struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		s->values[i] = s->params[i].value;
		s->lengths[i] = s->params[i].len;
		s->formats[i] = s->params[i].binary;
		s->types[i] = s->params[i].type;
	}
}

/* *prepared = 1 when s runs as its server statement, prepared now when it
 * must be (outside the pipeline, synced first), 0 when it runs one-off. */
static enum tr_err ready_on_server(struct pg_db *d, struct pg_stmt *s, int *prepared, const char *what,
                                   struct tr_error *err)
{
	enum fit fit = s->persistent ? types_fit(s) : FIT_NONE;
	enum tr_err rc;

	*prepared = fit != FIT_NONE;
	if (fit == FIT_NONE || (s->prepared_gen == d->gen && fit != FIT_WIDER))
		return TR_OK;
	rc = pipeline_sync(d, NULL, err);
	return rc != TR_OK ? rc : prepare_on_server(d, s, what, err);
}

/* Room for the blobs decoded from each column of a row. */
static enum tr_err make_columns(struct pg_stmt *s, const char *what, struct tr_error *err)
{
	s->ncols = PQnfields(s->res);
	if (s->ncols > 0) {
		s->decoded = calloc((size_t)s->ncols, sizeof *s->decoded);
		s->decoded_len = calloc((size_t)s->ncols, sizeof *s->decoded_len);
		if (s->decoded == NULL || s->decoded_len == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "%s: out of memory", what);
	}
	return TR_OK;
}

/* The next row of a streamed statement in s->res (s->nrows 1), or its end
 * (s->nrows 0) with its error if it failed. */
static enum tr_err next_streamed(struct pg_db *d, struct pg_stmt *s, const char *what, struct tr_error *err)
{
	PGresult *r = NULL;
	ExecStatusType status;
	enum tr_err rc = TR_OK;

	PQclear(s->res);
	s->res = NULL;
	s->row = 0;
	s->nrows = 0;
	if (s->held_at < s->nheld)
		r = s->held[s->held_at++];
	else if (s->held_lost)
		return tr_error_set(err, TR_ERR_NOMEM, "%s: out of memory", what);
	else if (d->streaming == s)
		r = PQgetResult(d->conn);
	if (r == NULL) {
		/* the stream ended before: nothing more */
		s->streamed = 0;
		return TR_OK;
	}
	status = PQresultStatus(r);
	if (d->streaming == s && ends_stream(r))
		end_stream(d);
	if (status == PGRES_SINGLE_TUPLE) {
		s->res = r;
		s->nrows = 1;
		if (s->decoded == NULL)
			rc = make_columns(s, what, err);
		return rc;
	}
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
		rc = result_error(d, r, what, err);
	PQclear(r);
	s->streamed = 0;
	return rc;
}

/* Run s with its bindings: outside the pipeline its rows stream (the
 * first step reads the first), inside it s->res holds the whole result,
 * and the statements waiting on the pipeline go first, in the same round
 * trip. */
static enum tr_err execute(struct pg_db *d, struct pg_stmt *s, const char *what, struct tr_error *err)
{
	ExecStatusType status;
	enum tr_err rc;
	int prepared;

	rc = ensure_connected(d, err);
	if (rc != TR_OK)
		return rc;
	fill_args(s);
	rc = ready_on_server(d, s, &prepared, what, err);
	if (rc != TR_OK)
		return rc;
	if (PQpipelineStatus(d->conn) != PQ_PIPELINE_OFF) {
		rc = pipeline_send(d, s, prepared, NULL, what, err);
		if (rc == TR_OK)
			rc = pipeline_sync(d, &s->res, err);
		else
			(void)pipeline_sync(d, NULL, NULL);
		if (rc != TR_OK)
			return rc;
	} else {
		int ok = prepared ? PQsendQueryPrepared(d->conn, s->name, s->nparams, s->values, s->lengths,
		                                        s->formats, 0)
		                  /* one-off, or bound with other types than it was prepared with */
		                  : PQsendQueryParams(d->conn, s->sql, s->nparams, s->types, s->values, s->lengths,
		                                      s->formats, 0);

		if (ok != 1 || PQsetSingleRowMode(d->conn) != 1) {
			if (ok == 1)
				end_stream(d);
			return result_error(d, NULL, what, err);
		}
		s->streamed = 1;
		d->streaming = s;
		return TR_OK;
	}
	status = PQresultStatus(s->res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
		return result_error(d, s->res, what, err);
	note_tx(d);
	s->nrows = PQntuples(s->res);
	return make_columns(s, what, err);
}

/* db_run_later(): sent on the pipeline, answered at the next sync. */
static enum tr_err pg_run_later(struct db_stmt *st, const char *what, struct tr_error *err)
{
	struct pg_stmt *s = stmt_of(st);
	struct pg_db *d = pg_of(st->db);
	enum tr_err rc;
	int prepared;

	if (what == NULL)
		what = "querying";
	if (s->bind_error)
		rc = tr_error_set(err, TR_ERR_USAGE, "%s: a parameter index out of range, or too large a value", what);
	else
		rc = ensure_connected(d, err);
	if (rc == TR_OK) {
		fill_args(s);
		rc = ready_on_server(d, s, &prepared, what, err);
	}
	/* libpq has copied the arguments into its buffer once sent */
	if (rc == TR_OK)
		rc = pipeline_send(d, s, prepared, NULL, what, err);
	clear_result(s);
	memset(s->params, 0, (size_t)s->nparams * sizeof *s->params);
	s->bind_error = 0;
	return rc;
}

/* Forget the blobs decoded for the row being left. */
static void drop_decoded(struct pg_stmt *s)
{
	for (int i = 0; i < s->ncols; i++) {
		free(s->decoded[i]);
		s->decoded[i] = NULL;
		s->decoded_len[i] = 0;
	}
}

static enum tr_err pg_step(struct db_stmt *st, int *row, const char *what, struct tr_error *err)
{
	struct pg_stmt *s = stmt_of(st);
	enum tr_err rc;

	*row = 0;
	if (what == NULL)
		what = "querying";
	if (s->bind_error)
		return tr_error_set(err, TR_ERR_USAGE, "%s: a parameter index out of range, or too large a value", what);
	if (!s->executed) {
		s->executed = 1;
		rc = execute(pg_of(st->db), s, what, err);
	} else {
		drop_decoded(s);
		rc = TR_OK;
	}
	if (rc == TR_OK && s->streamed) {
		rc = next_streamed(pg_of(st->db), s, what, err);
		if (rc == TR_OK) {
			*row = s->nrows > 0;
			return TR_OK;
		}
	}
	if (rc != TR_OK) {
		clear_result(s);
		s->executed = 1;  /* failed: done until reset */
		return rc;
	}
	if (s->row < s->nrows)
		s->row++;
	*row = s->row < s->nrows;
	return TR_OK;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = stmt_of(st);

	clear_result(s);
	memset(s->params, 0, (size_t)s->nparams * sizeof *s->params);
	s->bind_error = 0;
}

/* ---- columns ---- */

/* The current row's value of col, NULL for SQL NULL. */
static const char *cell(struct pg_stmt *s, int col)
{
	TR_ASSERT(s->res != NULL && s->row >= 0 && s->row < s->nrows);
	TR_ASSERT(col >= 0 && col < s->ncols);
	if (PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int pg_column_is_null(struct db_stmt *st, int col)
{
	return cell(stmt_of(st), col) == NULL;
}

/* Text as SQLite would give it: booleans as 1 and 0. */
static int64_t pg_column_int64(struct db_stmt *st, int col)
{
	struct pg_stmt *s = stmt_of(st);
	const char *v = cell(s, col);

	if (v == NULL)
		return 0;
	if (PQftype(s->res, col) == OID_BOOL)
		return v[0] == 't';
	/* numeric "12.5" reads 12, as SQLite's cast; out of range saturates */
	return (int64_t)strtoll(v, NULL, 10);
}

/* A bytea column's bytes, unescaped by libpq once per row and kept with a
 * NUL after them (column_text promises one); NULL when out of memory or
 * not bytea text. */
static const unsigned char *blob_of(struct pg_stmt *s, int col, const char *v, size_t *len)
{
	unsigned char *raw, *out;
	size_t n = 0;

	*len = 0;
	if (s->decoded[col] != NULL) {
		*len = s->decoded_len[col];
		return s->decoded[col];
	}
	raw = PQunescapeBytea((const unsigned char *)v, &n);
	if (raw == NULL)
		return NULL;
	out = malloc(n + 1);
	if (out != NULL) {
		memcpy(out, raw, n);
		out[n] = '\0';
		s->decoded[col] = out;
		s->decoded_len[col] = *len = n;
	}
	PQfreemem(raw);
	return out;
}

static const char *pg_column_text(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = stmt_of(st);
	const char *v = cell(s, col);
	size_t n = 0;

	if (v != NULL && PQftype(s->res, col) == OID_BOOL)
		v = v[0] == 't' ? "1" : "0";
	else if (v != NULL && PQftype(s->res, col) == OID_BYTEA)
		v = (const char *)blob_of(s, col, v, &n);
	else if (v != NULL)
		n = (size_t)PQgetlength(s->res, s->row, col);
	if (len != NULL)
		*len = n;
	return v;
}

static const void *pg_column_blob(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = stmt_of(st);
	const char *v = cell(s, col);
	size_t n = 0;
	const void *out = v;

	if (v != NULL && PQftype(s->res, col) == OID_BYTEA)
		out = blob_of(s, col, v, &n);
	else if (v != NULL)
		n = (size_t)PQgetlength(s->res, s->row, col);
	if (len != NULL)
		*len = n;
	return out;
}

/* ---- whole statements ---- */

/* Case-insensitive: whether sql is the keyword word, alone. */
static int is_command(const char *sql, const char *word)
{
	size_t n = strlen(word);

	sql += strspn(sql, " \t\n");
	return strncasecmp(sql, word, n) == 0 && sql[n + strspn(sql + n, " \t\n;")] == '\0';
}

/* ROLLBACK, or ROLLBACK TO a savepoint. */
static int is_rollback(const char *sql)
{
	sql += strspn(sql, " \t\n");
	return strncasecmp(sql, "ROLLBACK", 8) == 0;
}

static enum tr_err pg_exec(struct db *db, const char *sql, const char *what, struct tr_error *err)
{
	struct pg_db *d = pg_of(db);
	PGresult *res;
	ExecStatusType status;
	enum tr_err rc = TR_OK;

	if (d->tx_lost && is_command(sql, "ROLLBACK")) {
		/* the server dropped the transaction with the connection */
		d->tx_lost = 0;
		return TR_OK;
	}
	rc = ensure_connected(d, err);
	if (rc != TR_OK)
		return rc;
	res = NULL;
	if (d->piped > 0 && strchr(sql, ';') == NULL && !is_rollback(sql)) {
		/* one command, sent behind the queued ones: one round trip */
		rc = pipeline_send(d, NULL, 0, sql, what, err);
		if (rc == TR_OK)
			rc = pipeline_sync(d, &res, err);
		else
			(void)pipeline_sync(d, NULL, NULL);
		if (rc != TR_OK)
			return rc;
	} else {
		/* a rollback must not fail for what it undoes: queued errors go */
		rc = pipeline_sync(d, NULL, is_rollback(sql) ? NULL : err);
		if (rc != TR_OK && !is_rollback(sql))
			return rc;
		rc = TR_OK;
		res = PQexec(d->conn, sql);
	}
	status = PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
		rc = result_error(d, res, what, err);
	else if (is_command(sql, "COMMIT") && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		/* COMMIT of a transaction an error had aborted rolls it back */
		rc = tr_error_set(err, TR_ERR_DB, "%s: the transaction had failed and was rolled back", what);
	PQclear(res);
	note_tx(d);
	return rc;
}

/* ---- schema version ---- */

static int pg_schema_version(void)
{
	return store_sql_version(pg_schema_sql);
}

/* One integer from a parameterless query. */
static enum tr_err query_int(struct pg_db *d, const char *sql, int64_t *out, struct tr_error *err)
{
	struct db_stmt *st = NULL;
	enum tr_err rc = pg_prepare(&d->base, sql, 0, &st, err);
	int row = 0;

	*out = 0;
	if (rc == TR_OK)
		rc = pg_step(st, &row, "reading the schema version", err);
	if (rc == TR_OK && row)
		*out = pg_column_int64(st, 0);
	if (st != NULL)
		pg_finalize(st);
	return rc;
}

/*
 * Inside a transaction, first a lock that the other writers' migrations
 * of the same schema take too, so that two hosts opening an empty
 * database at once create it once: the second waits, then reads the first
 * one's version.  The first key says "tlsrpt", the second which schema.
 */
static enum tr_err pg_get_version(struct db *db, int *version, int64_t *tables, struct tr_error *err)
{
	struct pg_db *d = pg_of(db);
	int64_t v = 0;
	enum tr_err rc = TR_OK;

	*version = 0;
	*tables = 0;
	if (pg_in_transaction(db))
		rc = query_int(d, "SELECT 0 FROM pg_advisory_xact_lock(1953264242, hashtext(current_schema()))", &v, err);
	if (rc == TR_OK)
		rc = query_int(d,
		               "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
		               tables, err);
	if (rc == TR_OK && *tables > 0)
		rc = query_int(d,
		               "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0"
		               " ELSE (SELECT COALESCE(max(version), 0) FROM schema_version) END",
		               &v, err);
	if (rc == TR_OK && (v < 0 || v > INT32_MAX))
		return tr_error_set(err, TR_ERR_DB, "schema_version holds %" PRId64, v);
	*version = (int)v;
	return rc;
}

static enum tr_err pg_set_version(struct db *db, int version, struct tr_error *err)
{
	struct pg_db *d = pg_of(db);
	struct db_stmt *st = NULL;
	enum tr_err rc;
	int row;

	rc = pg_exec(db, "DELETE FROM schema_version", "setting the schema version", err);
	if (rc == TR_OK)
		rc = pg_prepare(&d->base, "INSERT INTO schema_version (version) VALUES (?1)", 0, &st, err);
	if (rc == TR_OK) {
		pg_bind_int64(st, 1, version);
		rc = pg_step(st, &row, "setting the schema version", err);
	}
	if (st != NULL)
		pg_finalize(st);
	return rc;
}

/* schema/pg/schema.sql was first version 10 here: the migrations from
 * there, schema/pg/migrations/NNN-*.sql (compiled in by lib/backend/pg.mk). */
extern const char pg_migration_011_sql[];
extern const char pg_migration_012_sql[];
extern const char pg_migration_013_sql[];
static const struct store_migration pg_migrations[] = {
	{ 11, pg_migration_011_sql }, { 12, pg_migration_012_sql }, { 13, pg_migration_013_sql },
	{ 0, NULL }
};

const struct db_backend db_backend_postgres = {
	.kind = DB_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.readonly = pg_readonly,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.param_index = pg_param_index,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.reset = pg_reset,
	.column_is_null = pg_column_is_null,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.exec = pg_exec,
	.in_transaction = pg_in_transaction,
	.begin_sql = "BEGIN",
	.schema_sql = pg_schema_sql,
	.schema_version = pg_schema_version,
	.migrations = pg_migrations,
	.get_version = pg_get_version,
	.set_version = pg_set_version,
	.run_later = pg_run_later,
	.exec_later = pg_exec_later,
	.sync = pg_sync,
};
