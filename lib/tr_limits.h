/*
 * limits: every bound the core library enforces on hostile input.
 *
 * One struct, filled with defaults by limits_default() and overridden from
 * the milter's configuration or the CLI's options.  Each module reads only
 * the fields it needs; docs/LIMITS.md lists them all with what happens when
 * one is crossed.
 */
#ifndef TLSRPT_TR_LIMITS_H
#define TLSRPT_TR_LIMITS_H

#include <stddef.h>

struct tr_limits {
	size_t max_message;     /* whole message, headers and body */
	size_t max_header;      /* one unfolded header field */
	size_t max_headers;     /* header fields in one header block */
	size_t max_parts;       /* MIME parts visited in one message */
	unsigned max_depth;     /* nesting of multipart and message/rfc822 */
	size_t max_decoded;     /* one part after base64/quoted-printable */
	size_t max_inflated;    /* one report after gunzip */
	size_t max_reports;     /* reports taken from one message */
	unsigned max_json_depth;/* nesting of JSON arrays and objects */
	size_t max_json_values; /* JSON values in one report (bounds cJSON's tree) */
	size_t max_policies;    /* policies in one report */
	size_t max_failures;    /* failure-details in one policy */
	size_t max_strings;     /* entries of policy-string or mx-host */
	size_t max_string_len;  /* bytes of any one string field */
};

#define TR_DEFAULT_MAX_MESSAGE   (32u * 1024 * 1024)
#define TR_DEFAULT_MAX_INFLATED  (16u * 1024 * 1024)

/* Fill l with the documented defaults. */
void limits_default(struct tr_limits *l);

#endif
