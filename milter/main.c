/*
 * tlsrpt-milter: start-up and shut-down of the daemon.
 *
 * Order matters (Postfix chroot_uid.c, OpenDKIM main): read the config,
 * look up the user, open the socket (while still privileged), go to the
 * background, write the pidfile, start the reaper that removes pidfile
 * and socket at the end (reaper.h), drop group then user privileges, and
 * only then hand over to libmilter (drain_run).  Before the socket, the
 * database and spool directory are checked as that user (preflight.h).
 * Running as root needs AllowRoot; files are created without any access
 * for others (umask 027).  SIGUSR1 reloads the config file from a
 * dedicated sigwait() thread; SIGTERM, SIGINT and SIGHUP stop the daemon
 * once the messages in progress have finished (drain.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "config.h"
#include "conf.h"
#include "db.h"
#include "drain.h"
#include "log.h"
#include "httpserv.h"
#include "metrics_http.h"
#include "mlfi.h"
#include "report.h"
#include "preflight.h"
#include "reaper.h"

#define MAX_OVERRIDES 8
#define MILTER_UMASK 027  /* reports describe the domain's mail servers */

/* What the command line said; kept to rebuild the config on reload. */
struct options {
	const char *conf_path;
	int conf_named;                 /* -c given: the file must exist */
	int foreground;
	const char *keys[MAX_OVERRIDES];
	const char *values[MAX_OVERRIDES];
	size_t n;
};

struct identity {
	int set;
	uid_t uid;
	gid_t gid;
	char name[64];
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: tlsrpt-milter [-c CONFIG] [-p SOCKET] [-d DATABASE] [-f] [-u USER[:GROUP]]\n"
	        "                     [-P PIDFILE] [--allow-root] [-V] [-h]\n"
	        "  -c CONFIG    configuration file (default %s)\n"
	        "  -p SOCKET    milter socket: unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST\n"
	        "  -d DATABASE  SQLite file or postgresql:// URI of the reports database\n"
	        "  -f           stay in the foreground and log to stderr\n"
	        "  -u USER[:GROUP]  run as this user after opening the socket\n"
	        "  -P PIDFILE   write the process id here\n"
	        "  --allow-root keep running as root when no user is named (AllowRoot yes)\n"
	        "  -V           print the version and exit\n"
	        "  -h           print this help and exit\n",
	        SYSCONFDIR "/tlsrpt-milter.conf");
}

/* Defaults, then the file, then the command line; NULL with err on error. */
static struct conf *conf_build(const struct options *o, char *err, size_t errlen)
{
	struct conf *c = malloc(sizeof *c);
	char why[CONF_ERR_MAX / 2];
	size_t i;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	conf_init(c);
	if (conf_load(c, o->conf_path, o->conf_named, err, errlen) != 0)
		goto fail;
	for (i = 0; i < o->n; i++) {
		if (conf_set(c, o->keys[i], o->values[i], why, sizeof why) != 0) {
			snprintf(err, errlen, "command line: %s: %s", o->keys[i], why);
			goto fail;
		}
	}
	if (conf_check(c, err, errlen) != 0)
		goto fail;
	return c;
fail:
	conf_clear(c);
	free(c);
	return NULL;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const char *const keys[] = { ['p'] = "Socket", ['d'] = "Database",
	                                    ['u'] = "UserID", ['P'] = "PidFile",
	                                    ['R'] = "AllowRoot" };
	static const struct option longopts[] = {
		{ "allow-root", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->conf_path = SYSCONFDIR "/tlsrpt-milter.conf";
	while ((ch = getopt_long(argc, argv, ":c:p:d:fu:P:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			o->conf_named = 1;
			break;
		case 'p': case 'd': case 'u': case 'P': case 'R':
			if (o->n >= MAX_OVERRIDES) {
				fprintf(stderr, "tlsrpt-milter: too many options\n");
				return EX_USAGE;
			}
			o->keys[o->n] = keys[ch];
			o->values[o->n++] = ch == 'R' ? "yes" : optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'V':
			printf("tlsrpt-milter %s\n", PACKAGE_VERSION);
			exit(EX_OK);
		case 'h':
			usage(stdout);
			exit(EX_OK);
		case ':':
			fprintf(stderr, "tlsrpt-milter: option -%c needs a value\n", optopt);
			usage(stderr);
			return EX_USAGE;
		default:
			if (optopt == 0)
				fprintf(stderr, "tlsrpt-milter: unknown option %s\n", argv[optind - 1]);
			else
				fprintf(stderr, "tlsrpt-milter: unknown option -%c\n", optopt);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsrpt-milter: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	return EX_OK;
}

/* "user" or "user:group" into id; id->set stays 0 when spec is NULL. */
static int lookup_user(const char *spec, struct identity *id)
{
	char name[64];
	const char *colon;
	struct passwd *pw;
	struct group *gr;
	size_t len;

	memset(id, 0, sizeof *id);
	if (spec == NULL)
		return 0;
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= sizeof name) {
		log_msg(LOG_ERR, "bad user '%s'", spec);
		return -1;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	pw = getpwnam(name);
	if (pw == NULL) {
		log_msg(LOG_ERR, "unknown user '%s'", name);
		return -1;
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	if (colon != NULL) {
		gr = getgrnam(colon + 1);
		if (gr == NULL) {
			log_msg(LOG_ERR, "unknown group '%s'", colon + 1);
			return -1;
		}
		id->gid = gr->gr_gid;
	}
	memcpy(id->name, name, len + 1);
	id->set = 1;
	if (getuid() != 0 && id->uid != geteuid()) {
		log_msg(LOG_ERR, "cannot become user '%s': not running as root", name);
		return -1;
	}
	return 0;
}

/* The filesystem path of a unix:/local: socket, or NULL. */
static const char *unix_path(const char *sock)
{
	if (strncmp(sock, "unix:", 5) == 0)
		return sock + 5;
	if (strncmp(sock, "local:", 6) == 0)
		return sock + 6;
	if (sock[0] == '/')
		return sock;
	return NULL;
}

/* SocketGroup: so that the MTA's group may connect while the filter's own
 * user stays unprivileged (Debian: "postfix"). */
static int socket_chgrp(const char *path, const char *group)
{
	struct group *gr = getgrnam(group);

	if (gr == NULL) {
		log_msg(LOG_ERR, "SocketGroup: no group '%s'", group);
		return -1;
	}
	if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
		log_msg(LOG_ERR, "cannot give %s to group %s: %s", path, group, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_socket(const struct conf *c, const struct identity *id)
{
	const char *path = unix_path(c->socket);
	mode_t old;
	int rc;

	if (smfi_register(mlfi_desc) != MI_SUCCESS) {
		log_msg(LOG_ERR, "smfi_register failed");
		return -1;
	}
	if (smfi_setconn(c->socket) != MI_SUCCESS) {
		log_msg(LOG_ERR, "bad socket '%s'", c->socket);
		return -1;
	}
	old = umask(~c->socket_mode & 0777);
	rc = smfi_opensocket(true);
	umask(old);
	if (rc != MI_SUCCESS) {
		log_msg(LOG_ERR, "cannot open socket '%s' (address in use, bad address or no permission)",
		        c->socket);
		return -1;
	}
	if (path != NULL && id->set && chown(path, id->uid, id->gid) != 0)
		log_msg(LOG_WARNING, "cannot chown %s: %s", path, strerror(errno));
	if (path != NULL && c->socket_group != NULL)
		return socket_chgrp(path, c->socket_group);
	return 0;
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(EX_OK);
	if (setsid() < 0 || chdir("/") != 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/* The file at path, up to outlen - 1 bytes, NUL-terminated; its length or -1. */
static ssize_t read_small(const char *path, char *out, size_t outlen)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return n;
}

static int names_milter(const char *arg)
{
	const char *base = strrchr(arg, '/');

	return strcmp(base != NULL ? base + 1 : arg, "tlsrpt-milter") == 0;
}

/*
 * Whether process pid is a tlsrpt-milter: its command name or argv[0]
 * says so, or under valgrind ("memcheck-...") one of its arguments.  A
 * pidfile left by a crash may name a PID that another process has got
 * since; only a tlsrpt-milter there may stop us from starting.  Without
 * /proc every live process counts.
 */
static int pid_is_milter(long pid)
{
	char path[64], comm[64], args[4096];
	const char *p;
	ssize_t n;

	if (pid == (long)getpid())
		return 0; /* a restart in a fresh PID namespace got the old number */
	if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	if (read_small(path, comm, sizeof comm) < 0)
		return access("/proc/self/comm", R_OK) != 0; /* no /proc: assume it is */
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, "tlsrpt-milter") == 0)
		return 1;
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	n = read_small(path, args, sizeof args);
	if (n <= 0)
		return 0; /* a kernel thread or a zombie */
	if (names_milter(args))
		return 1;
	for (p = args; strncmp(comm, "memcheck", 8) == 0 && p < args + n; p += strlen(p) + 1)
		if (names_milter(p))
			return 1;
	return 0;
}

/* 1 when the pidfile names a live tlsrpt-milter. */
static int pidfile_live(const char *path)
{
	char text[32];
	ssize_t n;
	long pid;
	char *end;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	errno = 0;
	pid = strtol(text, &end, 10);
	if (errno != 0 || end == text || pid <= 0)
		return 0;
	return pid_is_milter(pid);
}

static int write_pidfile(const char *path, const struct identity *id)
{
	char text[32];
	int fd, len, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		if (pidfile_live(path)) {
			log_msg(LOG_ERR, "%s: another tlsrpt-milter is running", path);
			return -1;
		}
		log_msg(LOG_NOTICE, "%s: removing a stale pidfile", path);
		unlink(path); /* stale, left by a crash */
	}
	if (fd < 0) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
	len = snprintf(text, sizeof text, "%ld\n", (long)getpid());
	if (id->set && fchown(fd, id->uid, id->gid) != 0)
		log_msg(LOG_WARNING, "%s: fchown: %s", path, strerror(errno));
	if (write(fd, text, (size_t)len) != len) {
		log_msg(LOG_ERR, "%s: write failed", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int drop_privileges(const struct identity *id)
{
	if (!id->set || (getuid() == id->uid && geteuid() == id->uid && getgid() == id->gid))
		return 0;
	if (setgroups(1, &id->gid) != 0 || setgid(id->gid) != 0 || setuid(id->uid) != 0) {
		log_msg(LOG_ERR, "cannot become user %s: %s", id->name, strerror(errno));
		return -1;
	}
	if (id->uid != 0 && setuid(0) == 0) {
		log_msg(LOG_ERR, "privileges could be regained after dropping them");
		return -1;
	}
	return 0;
}

static const char *nonnull(const char *s)
{
	return s != NULL ? s : "";
}

/* A database or spool directory that a reload names anew must work, as
 * at start-up (preflight.h); the ones in use are not checked again (a
 * fault there is spooled or tempfailed, not a reason to keep old settings). */
static int reload_check(const struct conf *cur, const struct conf *next, char *err, size_t errlen)
{
	int busy;

	if (strcmp(cur->database, next->database) != 0 &&
	    preflight_database(next->database, &busy, err, errlen) != 0)
		return -1;
	if (next->spool_dir != NULL && strcmp(nonnull(cur->spool_dir), next->spool_dir) != 0 &&
	    preflight_spool(next->spool_dir, err, errlen) != 0)
		return -1;
	return 0;
}

/* Build the new config aside; install it only when the whole file is valid
 * and what it names anew works. */
static void reload(const struct options *o)
{
	char err[CONF_ERR_MAX];
	struct conf *next = conf_build(o, err, sizeof err), *cur;

	if (next == NULL) {
		log_msg(LOG_ERR, "reload failed, configuration unchanged: %s", err);
		return;
	}
	cur = conf_acquire();
	if (reload_check(cur, next, err, sizeof err) != 0) {
		conf_release(cur);
		conf_clear(next);
		free(next);
		log_msg(LOG_ERR, "reload failed, configuration unchanged: %s", err);
		return;
	}
	if (strcmp(cur->socket, next->socket) != 0 || strcmp(nonnull(cur->user), nonnull(next->user)) != 0 ||
	    strcmp(nonnull(cur->pidfile), nonnull(next->pidfile)) != 0 ||
	    strcmp(nonnull(cur->metrics_listen), nonnull(next->metrics_listen)) != 0 ||
	    cur->metrics_allow_remote != next->metrics_allow_remote)
		log_msg(LOG_WARNING, "Socket, UserID, PidFile and Metrics* changes take effect only on restart");
	conf_release(cur);
	log_msg(LOG_NOTICE, "configuration reloaded from %s", o->conf_path);
	log_set_level(next->log_level);
	conf_install(next);
}

/* SIGUSR1 reloads; each quiet second closes an idle database (mlfi_idle). */
static void *reload_thread(void *arg)
{
	const struct options *o = arg;
	const struct timespec tick = { 1, 0 };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGUSR1)
			reload(o);
		else if (sig < 0 && errno == EAGAIN)
			mlfi_idle();
	}
	return NULL;
}

/*
 * Block SIGUSR1 in every thread (libmilter's start later) and wait for it
 * in one.  The stop signals are blocked too, before our thread exists:
 * else the kernel could deliver SIGTERM to it and kill the process before
 * libmilter's own sigwait() thread sees it.
 */
static int start_reload_thread(struct options *o)
{
	pthread_t tid;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	if (pthread_create(&tid, NULL, reload_thread, o) != 0)
		return -1;
	pthread_detach(tid);
	return 0;
}

/* In the background the milter works from "/": a relative Database,
 * SpoolDirectory or PidFile would name another file than the one checked
 * at start-up, so they are refused there, with the reason. */
static int refuse_relative(const struct conf *c, int foreground)
{
	const char *const paths[][2] = {
		{ "Database", c->database }, { "SpoolDirectory", c->spool_dir },
		{ "PidFile", c->pidfile },
	};

	if (foreground)
		return 0;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		if (paths[i][1] != NULL && paths[i][1][0] != '/' && !db_is_postgres(paths[i][1])) {
			log_msg(LOG_ERR, "%s %s: a relative path needs -f (the background "
			        "milter works from /); give an absolute path", paths[i][0], paths[i][1]);
			return -1;
		}
	}
	return 0;
}

/* Root only when asked for: a parser of mail from the internet has no use
 * for it once the socket is open. */
static int refuse_root(const struct conf *c, const struct identity *id)
{
	uid_t uid = id->set ? id->uid : geteuid();

	if (uid != 0 || c->allow_root)
		return 0;
	log_msg(LOG_ERR, "refusing to run as root: name an unprivileged user with -u USER or "
	        "UserID, or allow root with AllowRoot yes (--allow-root)");
	return -1;
}

static void log_identity(void)
{
	struct passwd *pw = getpwuid(geteuid());

	log_msg(LOG_NOTICE, "running as user %s (uid %ld, gid %ld)", pw != NULL ? pw->pw_name : "?",
	        (long)geteuid(), (long)getegid());
}

/* The pidfile names this process. */
static int pidfile_is_ours(const char *path)
{
	char text[32];
	ssize_t n = read_small(path, text, sizeof text);

	return n > 0 && strtol(text, NULL, 10) == (long)getpid();
}

/* The unix socket's file, recorded once open, removed at the end only
 * while it is still that file (libmilter removes it after smfi_main(),
 * but not when we stop before). */
struct socket_file {
	const char *path;
	dev_t dev;
	ino_t ino;
};

static void socket_record(const struct conf *c, struct socket_file *f)
{
	struct stat sb;

	f->path = unix_path(c->socket);
	if (f->path != NULL && lstat(f->path, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		f->dev = sb.st_dev;
		f->ino = sb.st_ino;
	} else {
		f->path = NULL;
	}
}

static void socket_remove(const struct socket_file *f)
{
	struct stat sb;

	if (f->path != NULL && lstat(f->path, &sb) == 0 && sb.st_dev == f->dev &&
	    sb.st_ino == f->ino)
		unlink(f->path);
}

/* Only a milter that drops privileges may lack the right to remove its
 * pidfile and socket at the end. */
static int start_reaper(const struct conf *c, const struct identity *id, struct reaper *r)
{
	if (!id->set || id->uid == geteuid())
		return 0;
	if (reaper_start(r, c->pidfile, getpid(), unix_path(c->socket)) != 0) {
		log_msg(LOG_ERR, "cannot start the process that removes the pidfile and socket: %s",
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* "database NAME WHAT", NAME without a URI's password (db.h). */
static void log_database(int level, const char *where, const char *what)
{
	char *name = db_redact(where);

	log_msg(level, "database %s %s", name != NULL ? name : "(out of memory)", what);
	free(name);
}

/* The database and spool directory, as the user we are. */
static int preflight(const struct conf *c)
{
	char err[CONF_ERR_MAX];
	int busy = 0;

	if (preflight_database(c->database, &busy, err, sizeof err) != 0 ||
	    (c->spool_dir != NULL && preflight_spool(c->spool_dir, err, sizeof err) != 0)) {
		log_msg(LOG_ERR, "cannot start: %s", err);
		return -1;
	}
	if (busy)
		log_database(LOG_WARNING, c->database, db_is_postgres(c->database)
		             ? "is unreachable, read-only or locked for now: reports are spooled or "
		               "refused until it takes them again"
		             : "is locked by another process: reports are spooled or refused until "
		               "it is free");
	return 0;
}

/*
 * preflight() as the user the milter will run as, before anything is
 * opened: a milter that cannot work leaves no socket or pidfile behind,
 * and says so on the terminal even when it would go to the background.
 * Still root, it checks in a child that drops privileges first.
 */
static int preflight_as(const struct conf *c, const struct identity *id)
{
	pid_t child;
	int status;

	if (!id->set || id->uid == geteuid())
		return preflight(c);
	child = fork();
	if (child < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0)
		_exit(drop_privileges(id) == 0 && preflight(c) == 0 ? 0 : EX_CONFIG);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* MetricsListen: a bad or non-loopback address is refused before the
 * daemon detaches, so that the operator sees why on the terminal. */
static int check_metrics_listen(const struct conf *c)
{
	struct sockaddr_storage ss;
	struct tr_error err;

	if (c->metrics_listen == NULL)
		return 0;
	tr_error_clear(&err);
	if (httpserv_parse_listen(c->metrics_listen, c->metrics_allow_remote, &ss, sizeof ss,
	                          &err) == TR_OK)
		return 0;
	log_msg(LOG_ERR, "MetricsListen %s: %s%s", c->metrics_listen, err.msg,
	        c->metrics_allow_remote ? "" : "; MetricsAllowRemote yes allows it");
	return -1;
}

/* Serve GET /metrics: after the fork and the privilege drop, and with the
 * signals blocked, so that its threads neither die nor take signals. */
static int start_metrics(const struct conf *c, struct httpserv **srv)
{
	struct tr_error err;

	*srv = NULL;
	if (c->metrics_listen == NULL)
		return 0;
	tr_error_clear(&err);
	if (metrics_http_start(c, mlfi_metrics(), srv, &err) != TR_OK) {
		log_msg(LOG_ERR, "%s", err.msg);
		return -1;
	}
	log_msg(LOG_NOTICE, "metrics at http://%s/metrics", c->metrics_listen);
	return 0;
}

int main(int argc, char **argv)
{
	struct httpserv *metrics_srv = NULL;
	static struct options opts;
	char err[CONF_ERR_MAX];
	struct reaper reaper = { -1 };
	struct socket_file sock = { NULL, 0, 0 };
	struct identity id;
	struct conf *c;
	char *db_name_shown;
	int rc;

	/* cJSON's trees from an arena: the process's to decide (report.h),
	 * before libmilter's threads start */
	report_use_cjson_arena();
	umask(MILTER_UMASK);
	rc = parse_args(argc, argv, &opts);
	if (rc != EX_OK)
		return rc;
	c = conf_build(&opts, err, sizeof err);
	if (c == NULL) {
		fprintf(stderr, "tlsrpt-milter: %s\n", err);
		return EX_CONFIG;
	}
	conf_install(c);
	c = conf_acquire();
	log_open(opts.foreground, c->syslog_facility, c->log_level);
	mlfi_init();
	signal(SIGPIPE, SIG_IGN);
	if (lookup_user(c->user, &id) != 0 || refuse_root(c, &id) != 0 ||
	    refuse_relative(c, opts.foreground) != 0 || check_metrics_listen(c) != 0) {
		rc = EX_CONFIG;
		goto out;
	}
	/* before the socket: opening it would take a running milter's away */
	if (c->pidfile != NULL && pidfile_live(c->pidfile)) {
		log_msg(LOG_ERR, "%s: another tlsrpt-milter is running", c->pidfile);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (preflight_as(c, &id) != 0) {
		rc = EX_CONFIG;
		goto out;
	}
	if (open_socket(c, &id) != 0) {
		rc = EX_UNAVAILABLE;
		goto out;
	}
	socket_record(c, &sock);
	if ((!opts.foreground && daemonize() != 0) ||
	    (c->pidfile != NULL && write_pidfile(c->pidfile, &id) != 0) ||
	    start_reaper(c, &id, &reaper) != 0 || drop_privileges(&id) != 0) {
		rc = EX_OSERR;
		goto stop;
	}
	log_identity();
	if (start_reload_thread(&opts) != 0) {
		rc = EX_OSERR;
		goto stop;
	}
	if (start_metrics(c, &metrics_srv) != 0) {
		rc = EX_UNAVAILABLE;
		goto stop;
	}
	db_name_shown = db_redact(c->database);
	log_msg(LOG_NOTICE, "listening on %s, database %s", c->socket,
	        db_name_shown != NULL ? db_name_shown : "(out of memory)");
	free(db_name_shown);
	rc = drain_run(c->socket) == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
	metrics_srv = metrics_http_stop(metrics_srv);
	mlfi_shutdown();
	log_msg(LOG_NOTICE, "stopped");
stop:
	/* ours to remove when we may; the reaper removes what we may not */
	if (c->pidfile != NULL && pidfile_is_ours(c->pidfile))
		unlink(c->pidfile);
	socket_remove(&sock);
	reaper_finish(&reaper);
out:
	conf_release(c);
	conf_install(NULL);
	return rc;
}
