/*
 * extract: the shared pipeline from one mail message (or one raw report
 * file) to parsed reports:  message -> MIME parts -> decoded bytes ->
 * inflated JSON -> report model.  The milter, the importer and any later
 * HTTPS receiver all go through here.
 *
 * Which parts are reports: application/tlsrpt+gzip and application/tlsrpt+json
 * always; application/tlsrpt, application/gzip, application/x-gzip,
 * application/json, application/octet-stream and text/plain when the
 * filename (filename, name or Content-Description) ends in .json or
 * .json.gz, or the decoded bytes start with the gzip magic 1f 8b.  A message
 * whose whole body is such a report counts too.  Every report in a message
 * is returned.
 *
 * The submitter (sending domain) of each report is, in order: the
 * TLS-Report-Submitter header, the "Submitter:" in the Subject, the first
 * field of the RFC 8460 §5.1 filename (submitter!domain!begin!end...), the
 * domain of contact-info, the From domain.  Lowercased.
 * A missing policy-domain falls back to TLS-Report-Domain, else the second
 * field of the filename.
 */
#ifndef TLSRPT_EXTRACT_H
#define TLSRPT_EXTRACT_H

#include <stddef.h>

#include "err.h"
#include "tr_limits.h"
#include "mime.h"
#include "report.h"

/* One report-like part found in the input. */
struct extract_item {
	struct tlsrpt_report *report; /* parsed report (owned), or NULL if invalid */
	struct tr_error error;        /* why it is invalid when report is NULL */
	char *submitter;              /* best-known submitter, even when invalid; may be NULL */
	char *report_id;              /* report-id when it could be read, even when invalid; may be NULL */
	char *filename;               /* the part's filename, may be NULL */
};

struct extract_result {
	struct extract_item *items;   /* n items, in message order */
	size_t n;
	struct mime_headers headers;  /* the message's top-level header block */
	char *message_id;             /* Message-ID without <>, or NULL */
};

/*
 * Find and parse every report in the message msg[0..len).
 * Returns TR_OK whenever the message itself could be walked, even when it
 * holds no report (out->n == 0) or only invalid ones (items carry reasons).
 * Errors for the message as a whole: TR_ERR_LIMIT (message larger than
 * max_message, too many parts or reports, nesting too deep), TR_ERR_NOMEM.
 * On error *out holds what was found before it (still to be freed).
 */
enum tr_err extract_message(const char *msg, size_t len, const struct tr_limits *lim,
                            struct extract_result *out, struct tr_error *err);

/*
 * Parse one raw report file (JSON, or gzip/zlib of JSON, sniffed from the
 * bytes).  filename (NULL allowed) supplies submitter and policy-domain
 * fallbacks from the RFC 8460 §5.1 naming.  Always yields exactly one item
 * on TR_OK.
 */
enum tr_err extract_file(const unsigned char *data, size_t len, const char *filename,
                         const struct tr_limits *lim, struct extract_result *out,
                         struct tr_error *err);

/* Release everything in r; r is left empty. NULL-safe. */
void extract_result_free(struct extract_result *r);

#endif
