/*
 * source: turning each PATH given to import or parse into units of input
 * (see source.h): files are sniffed, mboxes streamed, directories listed in
 * sorted order.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"

/* Bytes read before deciding what a file is. */
#define SNIFF_BYTES 512

enum source_kind source_sniff(const unsigned char *p, size_t n)
{
	size_t i;

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return SOURCE_RAW;
	if (n >= 5 && memcmp(p, "From ", 5) == 0)
		return SOURCE_MBOX;
	for (i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')
			continue;
		return p[i] == '{' ? SOURCE_RAW : SOURCE_MESSAGE;
	}
	return SOURCE_MESSAGE;
}

static void report_problem(const struct source_ops *ops, void *ctx, const char *label,
                           enum tr_err code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report_problem(const struct source_ops *ops, void *ctx, const char *label,
                           enum tr_err code, const char *fmt, ...)
{
	struct tr_error err;
	va_list ap;

	err.code = code;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof err.msg, fmt, ap);
	va_end(ap);
	if (ops->problem != NULL)
		ops->problem(ctx, label, &err);
}

static const char *last_component(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Read up to n bytes, stopping early only at end of file. */
static size_t read_full(FILE *f, unsigned char *p, size_t n)
{
	size_t got = 0, r;

	while (got < n) {
		r = fread(p + got, 1, n - got, f);
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

static void walk_mbox(FILE *f, const char *path, const unsigned char *pre, size_t prelen,
                      const struct tr_limits *lim, const struct source_ops *ops, void *ctx)
{
	struct mbox_reader r;
	struct source_unit u = { .filename = NULL, .raw = 0 };
	struct buf msg;
	char label[4096];
	size_t index = 0;
	enum tr_err rc;

	if (mbox_reader_init(&r, f, pre, prelen) != TR_OK) {
		report_problem(ops, ctx, path, TR_ERR_NOMEM, "%s", "out of memory");
		return;
	}
	buf_init(&msg, lim->max_message);
	for (;;) {
		rc = mbox_next(&r, &msg);
		if (rc == TR_ERR_NOTFOUND)
			break;
		index++;
		snprintf(label, sizeof label, "%s, message %zu", path, index);
		if (rc == TR_ERR_IO) {
			report_problem(ops, ctx, label, rc, "read error: %s", strerror(errno));
			break;
		}
		if (rc == TR_ERR_LIMIT) {
			report_problem(ops, ctx, label, rc, "%s", "message larger than max_message, skipped");
			continue;
		}
		u.label = label;
		u.data = msg.data != NULL ? (const char *)msg.data : "";
		u.len = msg.len;
		ops->unit(ctx, &u);
	}
	buf_free(&msg);
	mbox_reader_free(&r);
}

/* The rest of a message or raw report, after its first prelen bytes. */
static void walk_whole(FILE *f, const char *path, const unsigned char *pre, size_t prelen,
                       int raw, const struct tr_limits *lim, const struct source_ops *ops,
                       void *ctx)
{
	struct buf b;
	unsigned char chunk[16384];
	size_t n;
	enum tr_err rc;
	struct source_unit u;

	buf_init(&b, lim->max_message);
	rc = buf_append(&b, pre, prelen);
	while (rc == TR_OK) {
		n = read_full(f, chunk, sizeof chunk);
		if (n == 0)
			break;
		rc = buf_append(&b, chunk, n);
	}
	if (rc == TR_OK && ferror(f))
		rc = TR_ERR_IO;
	if (rc == TR_OK) {
		u.label = path;
		u.filename = strcmp(path, "-") == 0 ? NULL : last_component(path);
		u.data = b.data != NULL ? (const char *)b.data : "";
		u.len = b.len;
		u.raw = raw;
		ops->unit(ctx, &u);
	} else if (rc == TR_ERR_LIMIT) {
		report_problem(ops, ctx, path, rc, "%s", "larger than max_message, skipped");
	} else {
		report_problem(ops, ctx, path, rc, "%s", rc == TR_ERR_IO ? "read error" : "out of memory");
	}
	buf_free(&b);
}

static void walk_stream(FILE *f, const char *path, const struct stat *st,
                        const struct tr_limits *lim, const struct source_ops *ops, void *ctx)
{
	unsigned char pre[SNIFF_BYTES];
	size_t prelen;
	enum source_kind kind;

	if (ops->file_begin != NULL)
		ops->file_begin(ctx, path);
	prelen = read_full(f, pre, sizeof pre);
	if (ferror(f)) {
		report_problem(ops, ctx, path, TR_ERR_IO, "read error: %s", strerror(errno));
		return;
	}
	kind = source_sniff(pre, prelen);
	if (kind == SOURCE_MBOX)
		walk_mbox(f, path, pre, prelen, lim, ops, ctx);
	else if (st != NULL && S_ISREG(st->st_mode) && (uintmax_t)st->st_size > lim->max_message)
		report_problem(ops, ctx, path, TR_ERR_LIMIT, "%s", "larger than max_message, skipped");
	else
		walk_whole(f, path, pre, prelen, kind == SOURCE_RAW, lim, ops, ctx);
}

static void walk_file(const char *path, const struct tr_limits *lim,
                      const struct source_ops *ops, void *ctx)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (f == NULL) {
		report_problem(ops, ctx, path, TR_ERR_IO, "cannot open: %s", strerror(errno));
		return;
	}
	if (fstat(fileno(f), &st) != 0) {
		report_problem(ops, ctx, path, TR_ERR_IO, "cannot stat: %s", strerror(errno));
		fclose(f);
		return;
	}
	walk_stream(f, path, &st, lim, ops, ctx);
	fclose(f);
}

static char *join_path(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (p == NULL)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every regular file directly in dir, in sorted order; dot-files (a
 * writer's temporary files) skipped. */
static void walk_dir_files(const char *dir, const struct tr_limits *lim,
                           const struct source_ops *ops, void *ctx)
{
	struct dirent **names = NULL;
	struct stat st;
	char *path;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		report_problem(ops, ctx, dir, TR_ERR_IO, "cannot list: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		path = names[i]->d_name[0] == '.' ? NULL : join_path(dir, names[i]->d_name);
		if (path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			walk_file(path, lim, ops, ctx);
		free(path);
		free(names[i]);
	}
	free(names);
}

static void walk_dir(const char *dir, const struct tr_limits *lim,
                     const struct source_ops *ops, void *ctx)
{
	static const char *const maildir_subdirs[] = { "cur", "new" };
	char *sub;
	size_t i;
	int maildir = 0;

	for (i = 0; i < 2; i++) {
		sub = join_path(dir, maildir_subdirs[i]);
		if (sub != NULL && is_dir(sub)) {
			maildir = 1;
			walk_dir_files(sub, lim, ops, ctx);
		}
		free(sub);
	}
	if (!maildir)
		walk_dir_files(dir, lim, ops, ctx);
}

void source_walk(const char *path, const struct tr_limits *lim, const struct source_ops *ops,
                 void *ctx)
{
	if (strcmp(path, "-") == 0) {
		walk_stream(stdin, "-", NULL, lim, ops, ctx);
		return;
	}
	if (is_dir(path))
		walk_dir(path, lim, ops, ctx);
	else
		walk_file(path, lim, ops, ctx);
}

enum tr_err source_extract(const struct source_unit *u, const struct tr_limits *lim,
                           struct extract_result *res, struct tr_error *err)
{
	memset(res, 0, sizeof *res);
	tr_error_clear(err);
	if (u->raw)
		return extract_file((const unsigned char *)u->data, u->len, u->filename, lim, res, err);
	return extract_message(u->data, u->len, lim, res, err);
}
