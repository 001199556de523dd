/*
 * err: formatting of the shared error value (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

enum tr_err tr_error_set(struct tr_error *e, enum tr_err code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void tr_error_prefix(struct tr_error *e, const char *prefix)
{
	size_t plen, mlen;

	if (e == NULL || prefix == NULL)
		return;
	plen = strlen(prefix) + 2; /* ": " */
	if (plen >= sizeof e->msg)
		return;
	/* shift the old message right, cutting its tail if it must */
	mlen = strnlen(e->msg, sizeof e->msg - 1);
	if (mlen > sizeof e->msg - 1 - plen)
		mlen = sizeof e->msg - 1 - plen;
	memmove(e->msg + plen, e->msg, mlen);
	e->msg[plen + mlen] = '\0';
	memcpy(e->msg, prefix, plen - 2);
	memcpy(e->msg + plen - 2, ": ", 2);
}

void tr_error_clear(struct tr_error *e)
{
	if (e == NULL)
		return;
	e->code = TR_OK;
	e->msg[0] = '\0';
}

const char *tr_err_name(enum tr_err code)
{
	switch (code) {
	case TR_OK: return "ok";
	case TR_ERR_NOMEM: return "nomem";
	case TR_ERR_LIMIT: return "limit";
	case TR_ERR_FORMAT: return "format";
	case TR_ERR_NOTFOUND: return "notfound";
	case TR_ERR_IO: return "io";
	case TR_ERR_DB: return "db";
	case TR_ERR_BUSY: return "busy";
	case TR_ERR_USAGE: return "usage";
	}
	return "unknown";
}

void tr_assert_fail(const char *cond, const char *file, int line, const char *func)
{
	fprintf(stderr, "%s:%d: %s: internal error: %s is false (a bug in tlsrpt-milter)\n", file, line, func,
	        cond);
	abort();
}
