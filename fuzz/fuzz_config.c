/*
 * fuzz_config: the milter's configuration file parser (milter/conf.c).
 * The file is written by the admin, not the network, but a parser that
 * crashes on a typo takes the mail filter down with it.  Each input is
 * written to a temporary file and loaded; it is also tried as a size
 * ("10M") and as a recipient address against what it configured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static char input_file[64];

static void remove_input(void)
{
	unlink(input_file);
}

static const char *input_path(void)
{
	int fd;

	if (input_file[0] != '\0')
		return input_file;
	snprintf(input_file, sizeof input_file, "/tmp/tlsrpt-fuzz-conf-XXXXXX");
	fd = mkstemp(input_file);
	if (fd < 0)
		abort();
	close(fd);
	atexit(remove_input);
	return input_file;
}

static int write_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return 0;
	ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = input_path();
	char err[CONF_ERR_MAX], *text;
	struct conf c;
	size_t n;

	if (!write_input(path, data, size))
		return 0;
	conf_init(&c);
	err[0] = '\0';
	if (conf_load(&c, path, 1, err, sizeof err) == 0)
		(void)conf_check(&c, err, sizeof err);
	else if (err[0] == '\0')
		abort(); /* a refused file must say why */
	text = malloc(size + 1);
	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)conf_parse_size(text, 0, (size_t)-1, &n);
		(void)conf_recipient_match(&c, text);
		free(text);
	}
	conf_clear(&c);
	return 0;
}
