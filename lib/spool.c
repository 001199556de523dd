/*
 * spool: crash-safe files for messages the database could not take
 * (see spool.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

static enum tr_err write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TR_ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return TR_OK;
}

/* Make the new directory entry durable too. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Link tmp to a fresh "<time>.<pid>.<suffix>[.<n>]<ext>" name. */
static enum tr_err link_final(const char *dir, const char *tmp, const char *suffix, const char *ext,
                              char *path, size_t pathlen, struct tr_error *err)
{
	unsigned n;
	int len;

	for (n = 0; n < 100; n++) {
		if (n == 0)
			len = snprintf(path, pathlen, "%s/%lld.%ld.%s%s", dir, (long long)time(NULL),
			               (long)getpid(), suffix, ext);
		else
			len = snprintf(path, pathlen, "%s/%lld.%ld.%s.%u%s", dir,
			               (long long)time(NULL), (long)getpid(), suffix, n, ext);
		if (len < 0 || (size_t)len >= pathlen)
			return tr_error_set(err, TR_ERR_IO, "spool path too long");
		if (link(tmp, path) == 0)
			return TR_OK;
		if (errno != EEXIST)
			return tr_error_set(err, TR_ERR_IO, "link %s: %s", path, strerror(errno));
	}
	return tr_error_set(err, TR_ERR_IO, "no free spool name in %s", dir);
}

enum tr_err spool_write(const char *dir, const char *msg, size_t len, char *path, size_t pathlen,
                        struct tr_error *err)
{
	return spool_write_as(dir, msg, len, ".eml", path, pathlen, err);
}

enum tr_err spool_write_as(const char *dir, const char *msg, size_t len, const char *ext,
                           char *path, size_t pathlen, struct tr_error *err)
{
	char tmp[4096];
	enum tr_err rc;
	int fd, n;

	if (strchr(ext, '/') != NULL || strlen(ext) > 128)
		return tr_error_set(err, TR_ERR_USAGE, "spool: bad file extension");
	n = snprintf(tmp, sizeof tmp, "%s/.tmp.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return tr_error_set(err, TR_ERR_IO, "spool directory name too long");
	fd = mkstemp(tmp);
	if (fd < 0)
		return tr_error_set(err, TR_ERR_IO, "mkstemp in %s: %s", dir, strerror(errno));
	rc = write_all(fd, msg, len);
	if (rc == TR_OK && fsync(fd) != 0)
		rc = TR_ERR_IO;
	if (rc != TR_OK)
		tr_error_set(err, rc, "write %s: %s", tmp, strerror(errno));
	if (close(fd) != 0 && rc == TR_OK)
		rc = tr_error_set(err, TR_ERR_IO, "close %s: %s", tmp, strerror(errno));
	if (rc == TR_OK)
		rc = link_final(dir, tmp, strrchr(tmp, '.') + 1, ext, path, pathlen, err);
	unlink(tmp);
	if (rc == TR_OK)
		sync_dir(dir);
	return rc;
}
