/*
 * conf: the milter's settings, from defaults, the configuration file
 * (tlsrpt-milter.conf(5)) and command-line overrides, in that order.
 *
 * Keys live in one table (name, parser, field); an unknown key, a bad value
 * or an unreadable file is an error naming file and line.  A loaded
 * struct conf is immutable: SIGUSR1 builds a new one aside and
 * conf_install() swaps it in, while messages in flight keep the one they
 * took with conf_acquire() until they conf_release() it.
 */
#ifndef TLSRPT_MILTER_CONF_H
#define TLSRPT_MILTER_CONF_H

#include <stddef.h>

#define CONF_ERR_MAX 512

struct conf {
	char *socket;             /* libmilter address: unix:/p, inet:port@host, ... */
	char *database;
	char *user;               /* "user" or "user:group"; NULL: keep the caller's */
	char *pidfile;            /* NULL: none */
	int syslog_facility;      /* LOG_MAIL, LOG_LOCAL0, ... */
	int log_level;            /* syslog priority; less urgent messages are dropped */
	char **recipients;        /* lowercased, without <>; none: every message */
	size_t n_recipients;
	size_t max_message;       /* MaxMessageSize: larger mail is passed untouched */
	size_t max_report;        /* MaxReportSize: one report after gunzip */
	int on_stored_discard;    /* OnStored discard */
	int on_invalid_reject;    /* OnInvalid reject */
	int on_error_tempfail;    /* OnError tempfail */
	char *spool_dir;          /* NULL: no spooling */
	int add_header;           /* AddHeader yes */
	char **trusted_ids;       /* TrustedAuthservIDs, lowercased */
	size_t n_trusted;
	int require_auth;         /* RequireAuthentication yes */
	int dkim_verify;          /* DKIMVerify yes (default): verify, not trust A-R */
	unsigned dkim_timeout;    /* DKIMTimeout: seconds per key lookup */
	char *dkim_key_file;      /* DKIMKeyFile: keys from a file, for tests; NULL: DNS */
	unsigned socket_mode;     /* permissions of a unix socket */
	char *socket_group;       /* group of a unix socket, or NULL (UserID's) */
	int allow_root;           /* AllowRoot yes: may keep running as root */
	unsigned drain_timeout;   /* DrainTimeout: seconds a stop waits for messages in progress */
	char *metrics_listen;     /* MetricsListen ADDR:PORT for GET /metrics; NULL: off */
	int metrics_allow_remote; /* MetricsAllowRemote yes: a non-loopback address is allowed */

	int refs;                 /* owned by conf_acquire()/conf_release() */
};

/* Defaults: DEFAULT_DB, no recipients (every message), accept everywhere. */
void conf_init(struct conf *c);

/* Release what c owns (not c itself); c is left re-initialisable. NULL-safe. */
void conf_clear(struct conf *c);

/* Set one key (case-insensitive) from its text value; 0 or -1 with err. */
int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen);

/*
 * Read the file at path into c (already initialised).  A missing file is
 * an error only when must_exist.  Errors are "path:line: reason".
 * Returns 0 or -1.
 */
int conf_load(struct conf *c, const char *path, int must_exist, char *err, size_t errlen);

/* Checks across keys (RequireAuthentication needs TrustedAuthservIDs). */
int conf_check(const struct conf *c, char *err, size_t errlen);

/* 1 when addr (angle brackets and blanks allowed) is one of the recipients
 * or no recipients are configured; case-insensitive. */
int conf_recipient_match(const struct conf *c, const char *addr);

/* "123", "64K", "10M", "1G" (1024-based) within [min, max]; 0 or -1. */
int conf_parse_size(const char *s, size_t min, size_t max, size_t *out);

/*
 * The configuration in use, shared between threads.  conf_install()
 * takes ownership of a heap-allocated c and makes it current; the previous
 * one is freed when its last user releases it.  conf_acquire() returns
 * the current one with a reference (never NULL once one is installed).
 */
void conf_install(struct conf *c);
struct conf *conf_acquire(void);
void conf_release(struct conf *c);

#endif
