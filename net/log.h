/*
 * log: a daemon's one way to say something: stderr when running in the
 * foreground (-f), syslog otherwise, filtered by LogLevel.  Thread-safe:
 * each message is one write(2) or one syslog(3) call.  Shared by both
 * daemons (tlsrpt-milter, tlsrpt-httpd); one process logs as one program.
 */
#ifndef TLSRPT_NET_LOG_H
#define TLSRPT_NET_LOG_H

#include <stddef.h>

/* The program name on every line and in syslog; call before log_open().
 * ident must stay valid for the process's lifetime.  Default
 * "tlsrpt-milter". */
void log_ident(const char *ident);

/* Start logging: to stderr when foreground, else syslog with facility.
 * Messages less urgent than level (a LOG_* priority) are dropped. */
void log_open(int foreground, int facility, int level);

/* Change the level (on reload). */
void log_set_level(int level);

/* Log one line at priority prio (LOG_ERR, LOG_INFO, ...). */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Copy s into out (size outlen, at least 1) fit for a log line or a mail
 * header: control characters, non-ASCII bytes, ';' and '"' become '?', and
 * the copy is cut at outlen - 1 bytes.  s NULL gives "-".
 */
void log_clean(const char *s, char *out, size_t outlen);

#endif
