/*
 * floor: the physical limit of this design on this machine.
 *
 * It does only what no importer can avoid: read the report files, gunzip
 * them with zlib and parse them with cJSON, touching every value of the
 * tree so that nothing is skipped.  No MIME, no validation, no storage.
 * `tlsrpt-report import` is measured against it (bench/run.sh).
 *
 * Usage: floor [-m] PATH...
 *   PATH is a file or a directory (its regular files, not recursive).
 *   Without -m each file is one report, .json.gz or plain .json.
 *   With -m each file is a mail or an mbox: the cheapest MIME work that
 *   still finds the reports (find application/tlsrpt parts, base64-decode
 *   them) is added, as a floor for importing mail.
 * Prints one line of counts; exit 0 when every report parsed, 1 if not.
 */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#define FLOOR_MAX_FILE     (512u * 1024 * 1024)
#define FLOOR_MAX_INFLATED (16u * 1024 * 1024)

struct bytes {
	unsigned char *data;
	size_t len;
	size_t cap;
};

struct tally {
	uint64_t files;
	uint64_t reports;
	uint64_t bad;
	uint64_t bytes_in;
	uint64_t bytes_json;
	uint64_t values;
	uint64_t checksum; /* keeps the walk from being optimised away */
};

static int bytes_reserve(struct bytes *b, size_t want)
{
	if (want <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap < want)
		cap *= 2;
	unsigned char *p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int read_file(const char *path, struct bytes *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	b->len = 0;
	for (;;) {
		if (bytes_reserve(b, b->len + 65536) || b->len > FLOOR_MAX_FILE) {
			fclose(f);
			return -1;
		}
		size_t n = fread(b->data + b->len, 1, b->cap - b->len, f);
		b->len += n;
		if (n == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	return failed ? -1 : 0;
}

/* gunzip in into out; concatenated members are not expected in reports. */
static int gunzip(const unsigned char *in, size_t len, struct bytes *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	out->len = 0;
	int rc = Z_OK;
	while (rc == Z_OK) {
		if (out->len >= FLOOR_MAX_INFLATED || bytes_reserve(out, out->len + 65536))
			break;
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = out->cap - z.avail_out;
	}
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static void walk(const cJSON *item, struct tally *t)
{
	for (; item; item = item->next) {
		t->values++;
		if (item->string)
			t->checksum += (unsigned char)item->string[0];
		if (cJSON_IsString(item))
			t->checksum += strlen(item->valuestring);
		else if (cJSON_IsNumber(item))
			t->checksum += (uint64_t)item->valuedouble;
		else if (cJSON_IsArray(item) || cJSON_IsObject(item))
			walk(item->child, t);
	}
}

static void parse_report(const unsigned char *data, size_t len, struct bytes *json,
                         struct tally *t)
{
	const unsigned char *text = data;
	size_t text_len = len;
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (gunzip(data, len, json)) {
			t->bad++;
			return;
		}
		text = json->data;
		text_len = json->len;
	}
	t->bytes_json += text_len;
	cJSON *root = cJSON_ParseWithLength((const char *)text, text_len);
	if (!root) {
		t->bad++;
		return;
	}
	walk(root, t);
	cJSON_Delete(root);
	t->reports++;
}

static const signed char *b64_table(void)
{
	static signed char tab[256];
	static int ready;
	if (ready)
		return tab;
	memset(tab, -1, sizeof tab);
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (int i = 0; i < 64; i++)
		tab[(unsigned char)alpha[i]] = (signed char)i;
	ready = 1;
	return tab;
}

/* Decode base64 from p up to a line starting with "--"; returns the end. */
static const unsigned char *b64_part(const unsigned char *p, const unsigned char *end,
                                     struct bytes *out)
{
	const signed char *tab = b64_table();
	uint32_t acc = 0;
	int bits = 0;
	out->len = 0;
	int line_start = 1;
	for (; p < end; p++) {
		if (line_start && p + 1 < end && p[0] == '-' && p[1] == '-')
			break;
		line_start = *p == '\n';
		int v = tab[*p];
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (bytes_reserve(out, out->len + 1))
				return end;
			out->data[out->len++] = (unsigned char)(acc >> bits);
		}
	}
	return p;
}

/* The least MIME work that finds reports: no header parsing beyond this. */
static void scan_mail(const unsigned char *p, size_t len, struct bytes *decoded,
                      struct bytes *json, struct tally *t)
{
	static const char needle[] = "Content-Type: application/tlsrpt+";
	const unsigned char *end = p + len;
	while (p < end) {
		const unsigned char *hit = memmem(p, (size_t)(end - p), needle, sizeof needle - 1);
		if (!hit)
			return;
		const unsigned char *body = memmem(hit, (size_t)(end - hit), "\n\n", 2);
		if (!body)
			return;
		p = b64_part(body + 2, end, decoded);
		parse_report(decoded->data, decoded->len, json, t);
	}
}

struct floor_ctx {
	int mail;
	struct bytes file;
	struct bytes decoded;
	struct bytes json;
	struct tally t;
};

static void floor_file(struct floor_ctx *c, const char *path)
{
	if (read_file(path, &c->file)) {
		fprintf(stderr, "floor: %s: cannot read\n", path);
		c->t.bad++;
		return;
	}
	c->t.files++;
	c->t.bytes_in += c->file.len;
	if (c->mail)
		scan_mail(c->file.data, c->file.len, &c->decoded, &c->json, &c->t);
	else
		parse_report(c->file.data, c->file.len, &c->json, &c->t);
}

static void floor_path(struct floor_ctx *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		floor_file(c, path);
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
		c->t.bad++;
		return;
	}
	char full[4096];
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int n = snprintf(full, sizeof full, "%s/%s", path, e->d_name);
		if (n < 0 || (size_t)n >= sizeof full)
			continue;
		floor_file(c, full);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct floor_ctx c;
	memset(&c, 0, sizeof c);
	int i = 1;
	if (i < argc && strcmp(argv[i], "-m") == 0) {
		c.mail = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: floor [-m] PATH...\n");
		return 2;
	}
	for (; i < argc; i++)
		floor_path(&c, argv[i]);
	printf("floor: %llu files, %llu reports, %llu bad, %llu bytes read, "
	       "%llu bytes JSON, %llu values (checksum %llu)\n",
	       (unsigned long long)c.t.files, (unsigned long long)c.t.reports,
	       (unsigned long long)c.t.bad, (unsigned long long)c.t.bytes_in,
	       (unsigned long long)c.t.bytes_json, (unsigned long long)c.t.values,
	       (unsigned long long)c.t.checksum);
	free(c.file.data);
	free(c.decoded.data);
	free(c.json.data);
	return c.t.bad ? 1 : 0;
}
