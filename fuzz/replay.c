/*
 * replay: the standalone main that runs a fuzz target over its stored
 * inputs when libFuzzer is absent, so that plain make check replays every
 * seed and every input that ever crashed.
 *
 * With no arguments it reads $top_srcdir/fuzz/corpus/<target>/ and
 * $top_srcdir/fuzz/regressions/<target>/ (FUZZ_TARGET is set at build
 * time); with arguments it runs the files named.  Output is TAP, one line
 * per file: a crash or sanitizer report ends the run, which the TAP driver
 * reports as a failure.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_INPUTS 10000
#define MAX_INPUT_SIZE (8u * 1024 * 1024)

struct inputs {
	char *v[MAX_INPUTS];
	size_t n;
	size_t skip; /* bytes of each path not shown (the top_srcdir prefix) */
};

static int add_path(struct inputs *in, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p;

	if (in->n >= MAX_INPUTS)
		return -1;
	p = malloc(n);
	if (p == NULL)
		return -1;
	snprintf(p, n, "%s/%s", dir, name);
	in->v[in->n++] = p;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the regular files of dir (missing dir: nothing), in name order. */
static int add_dir(struct inputs *in, const char *dir)
{
	struct dirent *de;
	size_t first = in->n;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		if (de->d_name[0] == '.')
			continue;
		if (add_path(in, dir, de->d_name) != 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	qsort(in->v + first, in->n - first, sizeof in->v[0], by_name);
	return 0;
}

static unsigned char *read_input(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	size_t n;

	if (f == NULL)
		return NULL;
	data = malloc(MAX_INPUT_SIZE);
	if (data == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(data, 1, MAX_INPUT_SIZE, f);
	fclose(f);
	*len = n;
	return data;
}

static int collect(struct inputs *in, int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (add_path(in, ".", argv[i]) != 0)
				return -1;
		in->skip = 2;
		return 0;
	}
	if (top == NULL)
		top = ".";
	in->skip = strlen(top) + 1;
	snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", top, FUZZ_TARGET);
	if (add_dir(in, dir) != 0)
		return -1;
	snprintf(dir, sizeof dir, "%s/fuzz/regressions/%s", top, FUZZ_TARGET);
	return add_dir(in, dir);
}

int main(int argc, char **argv)
{
	static struct inputs in;
	unsigned char *data;
	size_t i, len;
	int failed = 0;

	if (collect(&in, argc, argv) != 0) {
		printf("Bail out! %s: cannot list inputs\n", FUZZ_TARGET);
		return 1;
	}
	if (in.n == 0) {
		printf("1..0 # SKIP %s: no corpus\n", FUZZ_TARGET);
		return 0;
	}
	printf("1..%zu\n", in.n);
	for (i = 0; i < in.n; i++) {
		const char *shown = in.v[i] + in.skip;

		data = read_input(in.v[i], &len);
		if (data == NULL) {
			printf("not ok %zu - %s: cannot read\n", i + 1, shown);
			failed = 1;
		} else {
			fflush(stdout);
			LLVMFuzzerTestOneInput(data, len);
			printf("ok %zu - %s\n", i + 1, shown);
		}
		free(data);
		free(in.v[i]);
	}
	return failed;
}
