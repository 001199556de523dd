/*
 * conf: tlsrpt-httpd's settings, from defaults, the configuration file
 * (see tlsrpt-httpd(8)) and command-line overrides, in that order.
 *
 * Keys live in one table (name, parser, field); an unknown key, a bad
 * value, an unreadable file or an invalid MTA-STS policy is an error
 * naming the file and line.  A loaded struct hconf is immutable: SIGHUP
 * builds a new one aside and the daemon swaps it in only when it is whole.
 */
#ifndef TLSRPT_HTTPD_CONF_H
#define TLSRPT_HTTPD_CONF_H

#include <stddef.h>

#include "mtasts.h"

#define HCONF_ERR_MAX 768
#define HCONF_MAX_LIST 1000   /* entries of each repeated key */

struct hconf_token {          /* ReportToken DOMAIN TOKEN */
	char *domain;
	char *token;
};

struct hconf_policy {         /* MTASTSPolicy DOMAIN FILE */
	char *domain;             /* lowercased, without "mta-sts." */
	char *file;
	struct mtasts_policy *policy;
};

struct hconf {
	char *listen;             /* ADDR:PORT */
	int allow_public;         /* AllowPublic yes: listen on any address */
	char *database;
	char *spool_dir;          /* NULL: nothing to spool into (503 when the database fails) */
	char *user;               /* "user[:group]" or NULL */
	char *pidfile;
	int syslog_facility;
	int log_level;
	char *tls_cert, *tls_key; /* both or neither */
	char *report_path;        /* "/tlsrpt" */
	int require_token;        /* RequireToken yes: the bare ReportPath is 404 */
	struct hconf_token *tokens;
	size_t n_tokens;
	struct hconf_policy *policies;
	size_t n_policies;
	char **trusted_proxies;   /* numeric addresses whose X-Forwarded-For is believed */
	size_t n_proxies;
	size_t max_body;          /* MaxBodySize: bytes on the wire */
	size_t max_report;        /* MaxReportSize: one report after gunzip */
	size_t max_buffered;      /* MaxBufferedBodies: bodies in memory at once, all clients */
	unsigned max_connections;
	unsigned max_per_ip;
	unsigned timeout_s;        /* Timeout: idle seconds on a connection */
	unsigned request_timeout_s; /* RequestTimeout: seconds for a whole request */
	unsigned threads;
	unsigned rate_limit;      /* requests per minute per client address; 0: none */
	unsigned replay_s;        /* SpoolReplay: seconds between spool replays */
};

/* Defaults (listen 127.0.0.1:8080, DEFAULT_DB, path /tlsrpt, ...). */
void hconf_init(struct hconf *c);

/* Release what c owns; NULL-safe; c may be initialised again. */
void hconf_clear(struct hconf *c);

/* Set one key (case-insensitive) from its text; 0, or -1 with err. */
int hconf_set(struct hconf *c, const char *key, const char *value, char *err, size_t errlen);

/* Read path into c; a missing file is an error only when must_exist.
 * Errors are "path:line: reason".  0 or -1. */
int hconf_load(struct hconf *c, const char *path, int must_exist, char *err, size_t errlen);

/* Checks across keys (TLS needs both files, policies load). 0 or -1. */
int hconf_check(struct hconf *c, char *err, size_t errlen);

/* The policy for a Host header "mta-sts.DOMAIN[:port]" (case-insensitive,
 * a trailing dot allowed), or NULL. */
const struct hconf_policy *hconf_policy_for_host(const struct hconf *c, const char *host);

/* The ReportToken entry whose token is tok[0..len), or NULL. */
const struct hconf_token *hconf_token_find(const struct hconf *c, const char *tok, size_t len);

/* 1 when addr is a TrustedProxy. */
int hconf_is_proxy(const struct hconf *c, const char *addr);

#endif
