/*
 * preflight: start-up checks of the database and the spool directory
 * (see preflight.h).  access(2) answers for the real user, which after
 * dropping privileges is the one the milter runs as.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preflight.h"
#include "store.h"

static const char *user_name(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw != NULL ? pw->pw_name : "?";
}

static int fail(char *err, size_t errlen, const char *what, const char *path, const char *why)
{
	snprintf(err, errlen, "%s %s: %s", what, path, why);
	return -1;
}

/* The folder part of path into out ("." when there is none). */
static int folder_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL) {
		snprintf(out, outlen, ".");
		return 0;
	}
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= outlen)
		return -1;
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

/* A folder in which this process may create and remove files. */
static int check_folder(const char *what, const char *dir, char *err, size_t errlen)
{
	struct stat sb;
	char why[160];

	if (stat(dir, &sb) != 0)
		return fail(err, errlen, what, dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return fail(err, errlen, what, dir, "not a directory");
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(why, sizeof why, "user %s may not create files there (%s)", user_name(),
		         strerror(errno));
		return fail(err, errlen, what, dir, why);
	}
	return 0;
}

/* An existing file (or none) that this process may read and write. */
static int check_file(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	char why[160];

	if (stat(path, &sb) != 0)
		return errno == ENOENT ? 0 : fail(err, errlen, what, path, strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return fail(err, errlen, what, path, "is a directory, not a database file");
	if (!S_ISREG(sb.st_mode))
		return fail(err, errlen, what, path, "not a regular file");
	if (access(path, R_OK | W_OK) != 0) {
		snprintf(why, sizeof why, "user %s may not read and write it (%s)", user_name(),
		         strerror(errno));
		return fail(err, errlen, what, path, why);
	}
	return 0;
}

/* The files SQLite needs beside path, and the folder they go in. */
static int check_sqlite_files(const char *path, char *err, size_t errlen)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char dir[4096], side[4096 + 8];
	size_t i;

	if (folder_of(path, dir, sizeof dir) != 0)
		return fail(err, errlen, "database", path, "path too long");
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
		if (check_file("database", side, err, errlen) != 0)
			return -1;
	}
	return check_folder("database folder", dir, err, errlen);
}

int preflight_database(const char *where, int *busy, char *err, size_t errlen)
{
	struct store *s = NULL;
	struct tr_error e;
	enum tr_err rc;

	*busy = 0;
	if (!db_is_postgres(where) && check_sqlite_files(where, err, errlen) != 0)
		return -1;
	tr_error_clear(&e);
	rc = store_open(where, STORE_OPEN_CREATE, 0, &s, &e);
	store_close(s);
	if (rc == TR_ERR_BUSY) {
		*busy = 1;
		return 0;
	}
	if (rc != TR_OK) {
		/* e.msg starts with the path, or the URI without its password */
		snprintf(err, errlen, "database %s", e.msg);
		return -1;
	}
	return 0;
}

int preflight_spool(const char *dir, char *err, size_t errlen)
{
	return check_folder("SpoolDirectory", dir, err, errlen);
}
