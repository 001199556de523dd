/*
 * parse: the project's own pipeline without the store, between the floor
 * (gunzip + cJSON only) and `tlsrpt-report import` (everything).
 *
 * It reads mboxes or single messages, and hands each message to
 * extract_message() -- MIME, transfer decoding, inflate, the RFC 8460
 * report model -- then frees the result.  import / parse is what storage
 * and bookkeeping cost; parse / floor what MIME and validation cost.
 *
 * Usage: parse FILE...   (an mbox when it starts with "From ", else one message)
 * Prints one line of counts; exit 0 when no report was invalid, 1 if any was.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "tr_limits.h"
#include "report.h"

struct parse_tally {
	uint64_t messages;
	uint64_t reports;
	uint64_t invalid;
	uint64_t failed_messages;
};

struct msgbuf {
	char *data;
	size_t len;
	size_t cap;
};

static int msgbuf_append(struct msgbuf *m, const char *p, size_t n)
{
	if (n > SIZE_MAX - m->len - 1)
		return -1;
	if (m->len + n + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		while (cap < m->len + n + 1)
			cap *= 2;
		char *q = realloc(m->data, cap);
		if (!q)
			return -1;
		m->data = q;
		m->cap = cap;
	}
	memcpy(m->data + m->len, p, n);
	m->len += n;
	return 0;
}

static void parse_message(struct msgbuf *m, const struct tr_limits *lim, struct parse_tally *t)
{
	/* The blank line before the next "From " belongs to the mbox, not the mail. */
	if (m->len && m->data[m->len - 1] == '\n')
		m->len--;
	if (m->len == 0)
		return;
	struct extract_result res;
	struct tr_error err;
	memset(&res, 0, sizeof res);
	t->messages++;
	if (extract_message(m->data, m->len, lim, &res, &err) != TR_OK)
		t->failed_messages++;
	for (size_t i = 0; i < res.n; i++) {
		if (res.items[i].report)
			t->reports++;
		else
			t->invalid++;
	}
	extract_result_free(&res);
	m->len = 0;
}

static int parse_file(const char *path, const struct tr_limits *lim, struct parse_tally *t)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	struct msgbuf m = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int first = 1, mbox = 0, rc = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		int from_line = n >= 5 && memcmp(line, "From ", 5) == 0;
		if (first)
			mbox = from_line;
		first = 0;
		if (mbox && from_line) {
			parse_message(&m, lim, t);
			continue;
		}
		if (msgbuf_append(&m, line, (size_t)n)) {
			rc = -1;
			break;
		}
	}
	parse_message(&m, lim, t);
	free(line);
	free(m.data);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: parse FILE...\n");
		return 2;
	}
	struct tr_limits lim;
	/* as tlsrpt-report and the milter parse (report.h) */
	report_use_cjson_arena();
	limits_default(&lim);
	struct parse_tally t = { 0 };
	for (int i = 1; i < argc; i++)
		if (parse_file(argv[i], &lim, &t))
			return 2;
	printf("parse: %llu messages, %llu reports, %llu invalid, %llu messages not walked\n",
	       (unsigned long long)t.messages, (unsigned long long)t.reports,
	       (unsigned long long)t.invalid, (unsigned long long)t.failed_messages);
	return t.invalid || t.failed_messages ? 1 : 0;
}
