/*
 * conf: defaults, the key table and the shared current configuration
 * (see conf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"

#ifndef DEFAULT_DB
#define DEFAULT_DB "/var/lib/tlsrpt/tlsrpt.db"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

#define CONF_LINE_MAX 4096
#define CONF_LIST_MAX 1000

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

void conf_init(struct conf *c)
{
	memset(c, 0, sizeof *c);
	c->socket = strdup("unix:" RUNSTATEDIR "/tlsrpt-milter/tlsrpt-milter.sock");
	c->database = strdup(DEFAULT_DB);
	c->syslog_facility = LOG_MAIL;
	c->log_level = LOG_INFO;
	c->max_message = 16u * 1024 * 1024;
	c->max_report = 16u * 1024 * 1024;
	c->add_header = 1;
	c->socket_mode = 0660;
	c->drain_timeout = 60;
	c->dkim_verify = 1;
	c->dkim_timeout = 5;
}

static char **list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
	return NULL;
}

void conf_clear(struct conf *c)
{
	if (c == NULL)
		return;
	free(c->socket);
	free(c->database);
	free(c->user);
	free(c->pidfile);
	free(c->spool_dir);
	free(c->socket_group);
	free(c->metrics_listen);
	free(c->dkim_key_file);
	list_free(c->recipients, c->n_recipients);
	list_free(c->trusted_ids, c->n_trusted);
	memset(c, 0, sizeof *c);
}

int conf_parse_size(const char *s, size_t min, size_t max, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (s == NULL || !isdigit((unsigned char)*s))
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
	if (*end != '\0' || v > (unsigned long long)-1 / mult)
		return -1;
	v *= mult;
	if (v < min || v > max || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Every key names a parser and the field it fills. */
typedef int (*conf_parser)(struct conf *c, void *field, const char *value,
                             char *err, size_t errlen);

static int parse_string(struct conf *c, void *field, const char *value, char *err, size_t errlen)
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

static int parse_required_string(struct conf *c, void *field, const char *value, char *err,
                                 size_t errlen)
{
	if (*value == '\0')
		return fail(err, errlen, "a value is required");
	return parse_string(c, field, value, err, errlen);
}

static int parse_bool(struct conf *c, void *field, const char *value, char *err, size_t errlen)
{
	int *b = field;

	(void)c;
	if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 ||
	    strcmp(value, "1") == 0)
		*b = 1;
	else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0 ||
	         strcmp(value, "0") == 0)
		*b = 0;
	else
		return fail(err, errlen, "'%s' is not yes or no", value);
	return 0;
}

/* An "a|b" choice stored as 0 for a, 1 for b. */
static int parse_choice(const char *value, const char *no, const char *yes, int *out,
                        char *err, size_t errlen)
{
	if (strcasecmp(value, no) == 0)
		*out = 0;
	else if (strcasecmp(value, yes) == 0)
		*out = 1;
	else
		return fail(err, errlen, "'%s' is not %s or %s", value, no, yes);
	return 0;
}

static int parse_on_stored(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_choice(v, "accept", "discard", f, err, errlen);
}

static int parse_on_invalid(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_choice(v, "accept", "reject", f, err, errlen);
}

static int parse_on_error(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_choice(v, "accept", "tempfail", f, err, errlen);
}

static int parse_message_size(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	if (conf_parse_size(v, 1024, 1024ull * 1024 * 1024, f) != 0)
		return fail(err, errlen, "'%s' is not a size from 1K to 1G", v);
	return 0;
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

static int parse_facility(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	size_t i;

	(void)c;
	for (i = 0; i < sizeof facilities / sizeof facilities[0]; i++) {
		if (strcasecmp(v, facilities[i].name) == 0) {
			*(int *)f = facilities[i].value;
			return 0;
		}
	}
	return fail(err, errlen, "'%s' is not a syslog facility (mail, daemon, user, local0-7)", v);
}

static int parse_level(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	size_t i;

	(void)c;
	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		if (strcasecmp(v, levels[i].name) == 0) {
			*(int *)f = levels[i].value;
			return 0;
		}
	}
	return fail(err, errlen, "'%s' is not a log level (error, warning, notice, info, debug)", v);
}

static int parse_mode(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	unsigned long m;
	char *end;

	(void)c;
	errno = 0;
	m = strtoul(v, &end, 8);
	if (*v == '\0' || *end != '\0' || errno != 0 || m > 0777)
		return fail(err, errlen, "'%s' is not an octal mode such as 0660", v);
	*(unsigned *)f = (unsigned)m;
	return 0;
}

/* A whole number of seconds from lo to hi into *f. */
static int parse_seconds_in(const char *v, unsigned lo, unsigned hi, void *f, char *err,
                            size_t errlen)
{
	unsigned long s;
	char *end;

	errno = 0;
	s = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || s < lo || s > hi)
		return fail(err, errlen, "'%s' is not a number of seconds from %u to %u", v, lo, hi);
	*(unsigned *)f = (unsigned)s;
	return 0;
}

/* A key lookup longer than a minute would outlast the MTA's milter timeouts. */
static int parse_dkim_timeout(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_seconds_in(v, 1, 60, f, err, errlen);
}

/* 0 to an hour: a stop longer than that is a hang. */
static int parse_drain_timeout(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)c;
	return parse_seconds_in(v, 0, 3600, f, err, errlen);
}

/* Strip blanks and one pair of angle brackets, lowercase; into out (outlen). */
static int normalise_address(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	if (len >= outlen)
		return -1;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
	return 0;
}

/* Append a copy of word to *out (count entries); 0 or -1 on no memory. */
static int list_push(char ***out, size_t count, const char *word)
{
	char **grown, *copy;

	copy = strdup(word);
	if (copy == NULL)
		return -1;
	grown = realloc(*out, (count + 1) * sizeof *grown);
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	grown[count] = copy;
	*out = grown;
	return 0;
}

/* Comma- or blank-separated words, normalised; replaces *list and *n. */
static int parse_list(char ***list, size_t *n, const char *v, char *err, size_t errlen)
{
	char **out = NULL, word[512];
	size_t count = 0, len;
	const char *p = v;

	while (*p != '\0') {
		len = strcspn(p, ", \t");
		if (len > 0) {
			if (count >= CONF_LIST_MAX || normalise_address(p, len, word, sizeof word) != 0) {
				list_free(out, count);
				return fail(err, errlen, "list too long or entry too long");
			}
			if (list_push(&out, count, word) != 0) {
				list_free(out, count);
				return fail(err, errlen, "out of memory");
			}
			count++;
		}
		p += len;
		if (*p != '\0')
			p++;
	}
	list_free(*list, *n);
	*list = out;
	*n = count;
	return 0;
}

static int parse_recipients(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)f;
	return parse_list(&c->recipients, &c->n_recipients, v, err, errlen);
}

static int parse_trusted(struct conf *c, void *f, const char *v, char *err, size_t errlen)
{
	(void)f;
	return parse_list(&c->trusted_ids, &c->n_trusted, v, err, errlen);
}

#define FIELD(f) offsetof(struct conf, f)

static const struct conf_key {
	const char *name;
	conf_parser parse;
	size_t offset;
} keys[] = {
	{ "Socket", parse_required_string, FIELD(socket) },
	{ "Database", parse_required_string, FIELD(database) },
	{ "UserID", parse_string, FIELD(user) },
	{ "PidFile", parse_string, FIELD(pidfile) },
	{ "Syslog", parse_facility, FIELD(syslog_facility) },
	{ "LogLevel", parse_level, FIELD(log_level) },
	{ "Recipients", parse_recipients, FIELD(recipients) },
	{ "MaxMessageSize", parse_message_size, FIELD(max_message) },
	{ "MaxReportSize", parse_message_size, FIELD(max_report) },
	{ "OnStored", parse_on_stored, FIELD(on_stored_discard) },
	{ "OnInvalid", parse_on_invalid, FIELD(on_invalid_reject) },
	{ "OnError", parse_on_error, FIELD(on_error_tempfail) },
	{ "SpoolDirectory", parse_string, FIELD(spool_dir) },
	{ "AddHeader", parse_bool, FIELD(add_header) },
	{ "TrustedAuthservIDs", parse_trusted, FIELD(trusted_ids) },
	{ "RequireAuthentication", parse_bool, FIELD(require_auth) },
	{ "DKIMVerify", parse_bool, FIELD(dkim_verify) },
	{ "DKIMTimeout", parse_dkim_timeout, FIELD(dkim_timeout) },
	{ "DKIMKeyFile", parse_string, FIELD(dkim_key_file) },
	{ "SocketMode", parse_mode, FIELD(socket_mode) },
	{ "SocketGroup", parse_string, FIELD(socket_group) },
	{ "AllowRoot", parse_bool, FIELD(allow_root) },
	{ "DrainTimeout", parse_drain_timeout, FIELD(drain_timeout) },
	{ "MetricsListen", parse_string, FIELD(metrics_listen) },
	{ "MetricsAllowRemote", parse_bool, FIELD(metrics_allow_remote) },
};

int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcasecmp(key, keys[i].name) == 0)
			return keys[i].parse(c, (char *)c + keys[i].offset, value, err, errlen);
	}
	return fail(err, errlen, "unknown key '%s'", key);
}

/* Split "Key value  # comment" in place; *key is NULL for a blank line. */
static void split_line(char *line, char **key, char **value)
{
	char *p = line, *end;

	end = strchr(line, '#');
	if (end != NULL)
		*end = '\0';
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	while (isspace((unsigned char)*p))
		p++;
	*key = NULL;
	*value = end;
	if (*p == '\0')
		return;
	*key = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	while (isspace((unsigned char)*p))
		p++;
	*value = p;
}

int conf_load(struct conf *c, const char *path, int must_exist, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX + 2], *key, *value, why[CONF_ERR_MAX];
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = fail(err, errlen, "%s:%u: line longer than %d bytes", path, lineno,
			          CONF_LINE_MAX);
			break;
		}
		split_line(line, &key, &value);
		if (key == NULL)
			continue;
		if (conf_set(c, key, value, why, sizeof why) != 0)
			rc = fail(err, errlen, "%s:%u: %s: %s", path, lineno, key, why);
	}
	if (rc == 0 && ferror(f))
		rc = fail(err, errlen, "%s: read error", path);
	fclose(f);
	return rc;
}

int conf_check(const struct conf *c, char *err, size_t errlen)
{
	if (c->require_auth && !c->dkim_verify && c->n_trusted == 0)
		return fail(err, errlen, "RequireAuthentication yes with DKIMVerify no needs "
		            "TrustedAuthservIDs (whose results to believe)");
	if (c->dkim_verify && c->dkim_key_file != NULL && access(c->dkim_key_file, R_OK) != 0)
		return fail(err, errlen, "DKIMKeyFile %s: %s", c->dkim_key_file, strerror(errno));
	if (c->socket == NULL || c->database == NULL)
		return fail(err, errlen, "Socket and Database must be set");
	return 0;
}

int conf_recipient_match(const struct conf *c, const char *addr)
{
	char want[512];
	size_t i;

	if (c->n_recipients == 0)
		return 1;
	if (addr == NULL || normalise_address(addr, strlen(addr), want, sizeof want) != 0)
		return 0;
	for (i = 0; i < c->n_recipients; i++)
		if (strcmp(want, c->recipients[i]) == 0)
			return 1;
	return 0;
}

/* The one piece of shared state: the configuration in use. */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *current;

static void conf_unref_locked(struct conf *c)
{
	if (c != NULL && --c->refs == 0) {
		conf_clear(c);
		free(c);
	}
}

void conf_install(struct conf *c)
{
	pthread_mutex_lock(&current_lock);
	if (c != NULL)
		c->refs = 1; /* the reference held by "current" */
	conf_unref_locked(current);
	current = c;
	pthread_mutex_unlock(&current_lock);
}

struct conf *conf_acquire(void)
{
	struct conf *c;

	pthread_mutex_lock(&current_lock);
	c = current;
	if (c != NULL)
		c->refs++;
	pthread_mutex_unlock(&current_lock);
	return c;
}

void conf_release(struct conf *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&current_lock);
	conf_unref_locked(c);
	pthread_mutex_unlock(&current_lock);
}
