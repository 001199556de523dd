/*
 * log: stderr or syslog, with a level filter (see log.h).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static atomic_int log_level = LOG_INFO;
static int log_foreground = 1;

void log_open(int foreground, int facility, int level)
{
	log_foreground = foreground;
	atomic_store(&log_level, level);
	/* LOG_PERROR: start-up errors reach the terminal too; once in the
	 * background stderr is /dev/null */
	if (!foreground)
		openlog("tlsrpt-milter", LOG_PID | LOG_NDELAY | LOG_PERROR, facility);
}

void log_set_level(int level)
{
	atomic_store(&log_level, level);
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n, len;

	if (prio > atomic_load(&log_level))
		return;
	va_start(ap, fmt);
	if (!log_foreground) {
		vsyslog(prio, fmt, ap);
		va_end(ap);
		return;
	}
	n = snprintf(line, sizeof line, "tlsrpt-milter[%ld]: %s: ", (long)getpid(), prio_name(prio));
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	len = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	if ((size_t)len > sizeof line - (size_t)n - 2)
		len = (int)(sizeof line - (size_t)n - 2);
	line[n + len] = '\n';
	/* one write so that lines from several threads never interleave */
	if (write(STDERR_FILENO, line, (size_t)(n + len + 1)) < 0)
		return;
}

void log_clean(const char *s, char *out, size_t outlen)
{
	size_t i;

	if (s == NULL)
		s = "-";
	for (i = 0; s[i] != '\0' && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c >= 0x7f || c == ';' || c == '"') ? '?' : (char)c;
	}
	out[i] = '\0';
}
