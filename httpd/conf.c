/*
 * conf: defaults, the key table, the file reader and the lookups the
 * request handler makes (see conf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "conf.h"

#ifndef DEFAULT_DB
#define DEFAULT_DB "/var/lib/tlsrpt/tlsrpt.db"
#endif

#define LINE_MAX_LEN 4096

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void hconf_init(struct hconf *c)
{
	memset(c, 0, sizeof *c);
	c->listen = strdup("127.0.0.1:8080");
	c->database = strdup(DEFAULT_DB);
	c->report_path = strdup("/tlsrpt");
	c->syslog_facility = LOG_MAIL;
	c->log_level = LOG_INFO;
	c->max_body = 8u * 1024 * 1024;
	c->max_report = 16u * 1024 * 1024;
	c->max_buffered = 64u * 1024 * 1024;
	c->max_connections = 256;
	c->max_per_ip = 32;
	c->timeout_s = 30;
	c->request_timeout_s = 60;
	c->threads = 4;
	c->rate_limit = 600;
	c->replay_s = 60;
}

void hconf_clear(struct hconf *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->listen);
	free(c->database);
	free(c->spool_dir);
	free(c->user);
	free(c->pidfile);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->report_path);
	for (i = 0; i < c->n_tokens; i++) {
		free(c->tokens[i].domain);
		free(c->tokens[i].token);
	}
	free(c->tokens);
	for (i = 0; i < c->n_policies; i++) {
		free(c->policies[i].domain);
		free(c->policies[i].file);
		mtasts_free(c->policies[i].policy);
	}
	free(c->policies);
	for (i = 0; i < c->n_proxies; i++)
		free(c->trusted_proxies[i]);
	free(c->trusted_proxies);
	memset(c, 0, sizeof *c);
}

/* ---- value parsers ---- */

typedef int (*hconf_parser)(struct hconf *c, void *field, const char *value, char *err,
                            size_t errlen);

static int parse_string(struct hconf *c, void *field, const char *value, char *err, size_t errlen)
{
	char **s = field, *copy = NULL;

	(void)c;
	if (*value != '\0') {
		copy = strdup(value);
		if (copy == NULL)
			return fail(err, errlen, "out of memory");
	}
	free(*s);
	*s = copy;
	return 0;
}

static int parse_required(struct hconf *c, void *field, const char *value, char *err, size_t errlen)
{
	if (*value == '\0')
		return fail(err, errlen, "a value is required");
	return parse_string(c, field, value, err, errlen);
}

static int parse_path(struct hconf *c, void *field, const char *value, char *err, size_t errlen)
{
	size_t i;

	if (value[0] != '/' || strlen(value) > 200)
		return fail(err, errlen, "'%s' is not a URL path starting with /", value);
	for (i = 0; value[i] != '\0'; i++)
		if (!isalnum((unsigned char)value[i]) && strchr("/-._~", value[i]) == NULL)
			return fail(err, errlen, "'%s': only letters, digits and /-._~ in the path", value);
	return parse_string(c, field, value, err, errlen);
}

static int parse_bool(struct hconf *c, void *field, const char *value, char *err, size_t errlen)
{
	int *b = field;

	(void)c;
	if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*b = 1;
	else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0 ||
	         strcmp(value, "0") == 0)
		*b = 0;
	else
		return fail(err, errlen, "'%s' is not yes or no", value);
	return 0;
}

static int parse_size(const char *s, size_t min, size_t max, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': mult = 1024ull; end++; break;
	case 'M': mult = 1024ull * 1024; end++; break;
	case 'G': mult = 1024ull * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end != '\0' || v > ULLONG_MAX / mult || v * mult < min || v * mult > max)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

static int parse_bytes(struct hconf *c, void *field, const char *value, char *err, size_t errlen)
{
	(void)c;
	if (parse_size(value, 1024, 1024ull * 1024 * 1024, field) != 0)
		return fail(err, errlen, "'%s' is not a size from 1K to 1G", value);
	return 0;
}

static int parse_count(const char *value, unsigned min, unsigned max, unsigned *out, char *err,
                       size_t errlen)
{
	size_t v;

	if (parse_size(value, min, max, &v) != 0)
		return fail(err, errlen, "'%s' is not a number from %u to %u", value, min, max);
	*out = (unsigned)v;
	return 0;
}

static int parse_connections(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_count(v, 1, 100000, f, err, errlen);
}

static int parse_seconds(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_count(v, 1, 3600, f, err, errlen);
}

static int parse_threads(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_count(v, 1, 64, f, err, errlen);
}

static int parse_rate(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_count(v, 0, 1000000, f, err, errlen);
}

static const struct { const char *name; int value; } facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const struct { const char *name; int value; } levels[] = {
	{ "error", LOG_ERR }, { "err", LOG_ERR }, { "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
};

static int parse_facility(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	size_t i;

	(void)c;
	for (i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
		if (strcasecmp(v, facilities[i].name) == 0) {
			*(int *)f = facilities[i].value;
			return 0;
		}
	return fail(err, errlen, "unknown syslog facility '%s'", v);
}

static int parse_level(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	size_t i;

	(void)c;
	for (i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (strcasecmp(v, levels[i].name) == 0) {
			*(int *)f = levels[i].value;
			return 0;
		}
	return fail(err, errlen, "unknown log level '%s'", v);
}

/* "WORD1 WORD2": split at the first run of blanks into two copies. */
static int two_words(const char *v, char **a, char **b, char *err, size_t errlen)
{
	size_t la = strcspn(v, " \t");
	const char *rest = v + la;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (la == 0 || *rest == '\0' || rest[strcspn(rest, " \t")] != '\0')
		return fail(err, errlen, "want two values: DOMAIN and %s", "a token or file");
	*a = strndup(v, la);
	*b = strdup(rest);
	if (*a == NULL || *b == NULL) {
		free(*a);
		free(*b);
		return fail(err, errlen, "out of memory");
	}
	for (char *p = *a; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

static void *grow(void *v, size_t n, size_t elem)
{
	/* one more element each time: these lists are short and read once */
	return realloc(v, (n + 1) * elem);
}

static int parse_token(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	struct hconf_token t, *nt;
	size_t i;

	(void)f;
	if (c->n_tokens >= HCONF_MAX_LIST)
		return fail(err, errlen, "more than %d ReportToken lines", HCONF_MAX_LIST);
	if (two_words(v, &t.domain, &t.token, err, errlen) != 0)
		return -1;
	for (i = 0; t.token[i] != '\0'; i++)
		if (!isalnum((unsigned char)t.token[i]) && strchr("-_", t.token[i]) == NULL)
			break;
	if (t.token[i] != '\0' || i < 16 || i > 128 || hconf_token_find(c, t.token, i) != NULL) {
		free(t.domain);
		free(t.token);
		return fail(err, errlen, "a token is 16 to 128 letters, digits, - or _, and unique");
	}
	nt = grow(c->tokens, c->n_tokens, sizeof *nt);
	if (nt == NULL) {
		free(t.domain);
		free(t.token);
		return fail(err, errlen, "out of memory");
	}
	c->tokens = nt;
	c->tokens[c->n_tokens++] = t;
	return 0;
}

/* Read a policy file (bounded) and validate it. */
static int load_policy(struct hconf_policy *p, char *err, size_t errlen)
{
	char *data = malloc(MTASTS_MAX_BYTES + 1);
	struct tr_error e;
	size_t n;
	FILE *f;

	if (data == NULL)
		return fail(err, errlen, "out of memory");
	f = fopen(p->file, "rb");
	if (f == NULL) {
		free(data);
		return fail(err, errlen, "%s: %s", p->file, strerror(errno));
	}
	n = fread(data, 1, MTASTS_MAX_BYTES + 1, f);
	fclose(f);
	if (mtasts_parse(data, n, &p->policy, &e) != TR_OK) {
		free(data);
		return fail(err, errlen, "%s: %s", p->file, e.msg);
	}
	free(data);
	return 0;
}

static int parse_policy(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	struct hconf_policy p, *np;
	size_t i;

	(void)f;
	memset(&p, 0, sizeof p);
	if (c->n_policies >= HCONF_MAX_LIST)
		return fail(err, errlen, "more than %d MTASTSPolicy lines", HCONF_MAX_LIST);
	if (two_words(v, &p.domain, &p.file, err, errlen) != 0)
		return -1;
	for (i = 0; i < c->n_policies; i++)
		if (strcmp(c->policies[i].domain, p.domain) == 0) {
			fail(err, errlen, "a second policy for %s", p.domain);
			goto bad;
		}
	if (load_policy(&p, err, errlen) != 0)
		goto bad;
	np = grow(c->policies, c->n_policies, sizeof *np);
	if (np == NULL) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	c->policies = np;
	c->policies[c->n_policies++] = p;
	return 0;
bad:
	free(p.domain);
	free(p.file);
	mtasts_free(p.policy);
	return -1;
}

static int parse_proxy(struct hconf *c, void *f, const char *v, char *err, size_t errlen)
{
	char **np, *copy;

	(void)f;
	if (c->n_proxies >= HCONF_MAX_LIST)
		return fail(err, errlen, "more than %d TrustedProxy lines", HCONF_MAX_LIST);
	if (*v == '\0' || strlen(v) >= 64 || strspn(v, "0123456789abcdefABCDEF.:") != strlen(v))
		return fail(err, errlen, "'%s' is not a numeric IPv4 or IPv6 address", v);
	copy = strdup(v);
	np = grow(c->trusted_proxies, c->n_proxies, sizeof *np);
	if (copy == NULL || np == NULL) {
		free(copy);
		return fail(err, errlen, "out of memory");
	}
	c->trusted_proxies = np;
	c->trusted_proxies[c->n_proxies++] = copy;
	return 0;
}

/* ---- the key table ---- */

static const struct {
	const char *name;
	hconf_parser parse;
	size_t offset;
} keys[] = {
	{ "Listen", parse_required, offsetof(struct hconf, listen) },
	{ "AllowPublic", parse_bool, offsetof(struct hconf, allow_public) },
	{ "Database", parse_required, offsetof(struct hconf, database) },
	{ "SpoolDir", parse_string, offsetof(struct hconf, spool_dir) },
	{ "UserID", parse_string, offsetof(struct hconf, user) },
	{ "PidFile", parse_string, offsetof(struct hconf, pidfile) },
	{ "SyslogFacility", parse_facility, offsetof(struct hconf, syslog_facility) },
	{ "LogLevel", parse_level, offsetof(struct hconf, log_level) },
	{ "TLSCertificate", parse_string, offsetof(struct hconf, tls_cert) },
	{ "TLSKey", parse_string, offsetof(struct hconf, tls_key) },
	{ "ReportPath", parse_path, offsetof(struct hconf, report_path) },
	{ "RequireToken", parse_bool, offsetof(struct hconf, require_token) },
	{ "ReportToken", parse_token, 0 },
	{ "MTASTSPolicy", parse_policy, 0 },
	{ "TrustedProxy", parse_proxy, 0 },
	{ "MaxBodySize", parse_bytes, offsetof(struct hconf, max_body) },
	{ "MaxReportSize", parse_bytes, offsetof(struct hconf, max_report) },
	{ "MaxBufferedBodies", parse_bytes, offsetof(struct hconf, max_buffered) },
	{ "MaxConnections", parse_connections, offsetof(struct hconf, max_connections) },
	{ "MaxConnectionsPerIP", parse_connections, offsetof(struct hconf, max_per_ip) },
	{ "Timeout", parse_seconds, offsetof(struct hconf, timeout_s) },
	{ "RequestTimeout", parse_seconds, offsetof(struct hconf, request_timeout_s) },
	{ "Threads", parse_threads, offsetof(struct hconf, threads) },
	{ "RateLimit", parse_rate, offsetof(struct hconf, rate_limit) },
	{ "SpoolReplay", parse_seconds, offsetof(struct hconf, replay_s) },
};

int hconf_set(struct hconf *c, const char *key, const char *value, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcasecmp(key, keys[i].name) == 0)
			return keys[i].parse(c, (char *)c + keys[i].offset, value, err, errlen);
	return fail(err, errlen, "unknown key '%s'", key);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int hconf_load(struct hconf *c, const char *path, int must_exist, char *err, size_t errlen)
{
	char line[LINE_MAX_LEN + 2], why[HCONF_ERR_MAX / 2];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *key, *value;

		lineno++;
		if (strlen(line) > LINE_MAX_LEN) {
			fclose(f);
			return fail(err, errlen, "%s:%u: line longer than %d bytes", path, lineno,
			            LINE_MAX_LEN);
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		value = key + strcspn(key, " \t");
		if (*value != '\0')
			*value++ = '\0';
		value = trim(value);
		if (hconf_set(c, key, value, why, sizeof why) != 0) {
			fclose(f);
			return fail(err, errlen, "%s:%u: %s: %s", path, lineno, key, why);
		}
	}
	fclose(f);
	return 0;
}

int hconf_check(struct hconf *c, char *err, size_t errlen)
{
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return fail(err, errlen, "TLSCertificate and TLSKey go together");
	if (c->require_token && c->n_tokens == 0)
		return fail(err, errlen, "RequireToken yes needs at least one ReportToken");
	if (c->max_body > c->max_report)
		return fail(err, errlen, "MaxBodySize may not exceed MaxReportSize");
	if (c->max_buffered < c->max_body)
		return fail(err, errlen, "MaxBufferedBodies may not be less than MaxBodySize");
	return 0;
}

const struct hconf_policy *hconf_policy_for_host(const struct hconf *c, const char *host)
{
	size_t len, i;

	if (host == NULL || strncasecmp(host, "mta-sts.", 8) != 0)
		return NULL;
	host += 8;
	len = strcspn(host, ":");
	if (len > 0 && host[len - 1] == '.')
		len--;
	for (i = 0; i < c->n_policies; i++)
		if (strlen(c->policies[i].domain) == len &&
		    strncasecmp(c->policies[i].domain, host, len) == 0)
			return &c->policies[i];
	return NULL;
}

const struct hconf_token *hconf_token_find(const struct hconf *c, const char *tok, size_t len)
{
	size_t i;

	for (i = 0; i < c->n_tokens; i++)
		if (strlen(c->tokens[i].token) == len && memcmp(c->tokens[i].token, tok, len) == 0)
			return &c->tokens[i];
	return NULL;
}

int hconf_is_proxy(const struct hconf *c, const char *addr)
{
	size_t i;

	for (i = 0; i < c->n_proxies; i++)
		if (strcasecmp(c->trusted_proxies[i], addr) == 0)
			return 1;
	return 0;
}
