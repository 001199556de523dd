/*
 * testutil: fixture helpers for the C unit tests (see testutil.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "testutil.h"

char *testutil_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0)
		goto out;
	size = ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	data = malloc((size_t)size + 1);
	if (data == NULL)
		goto out;
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		data = NULL;
		goto out;
	}
	data[size] = '\0';
	*len = (size_t)size;
out:
	fclose(f);
	return data;
}

void testutil_srcpath(char *out, size_t outlen, const char *rel)
{
	const char *top = getenv("top_srcdir");

	snprintf(out, outlen, "%s/%s", top ? top : ".", rel);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *testutil_samples_dir(void)
{
	static char path[4096];

	testutil_srcpath(path, sizeof path, "../shared/samples/tlsrpt");
	if (is_dir(path))
		return path;
	if (is_dir("/work/shared/samples/tlsrpt"))
		return "/work/shared/samples/tlsrpt";
	return NULL;
}
