/*
 * tlsrpt-httpd: start-up, signals and shut-down of the HTTPS daemon.
 *
 * Order (as the milter's): read the config (policies validated), look up
 * the user, go to the background, open the listening socket and start the
 * server threads (while still privileged: port 443, the TLS key), write
 * the pidfile, drop group then user privileges.  The main thread then
 * waits for signals: SIGHUP re-reads the configuration and the TLS
 * certificate and key, SIGTERM and SIGINT stop; between signals it
 * replays the spool into the database every SpoolReplay seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "conf.h"
#include "db.h"
#include "handler.h"
#include "httpserv.h"
#include "log.h"
#include "rate.h"
#include "sink.h"

#define MAX_OVERRIDES 8
#define IDLE_CLOSE_S 10   /* close the database after this long without a report */

struct options {
	const char *conf_path;
	int conf_named;
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

/* A configuration in use, with what was built from it; freed by its last user. */
struct shared {
	struct hconf conf;
	struct rate *rate;
	int refs;
};

/* What the server callbacks share with the main thread. */
struct daemon {
	pthread_mutex_t lock;      /* guards current and every refs */
	struct shared *current;
	struct sink *sink;         /* Database and SpoolDir change only on restart */
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: tlsrpt-httpd [-c CONFIG] [-l ADDR:PORT] [-d DATABASE] [-s SPOOLDIR] [-f]\n"
	        "                    [-u USER[:GROUP]] [-P PIDFILE] [-V] [-h]\n"
	        "  -c CONFIG     configuration file (default %s)\n"
	        "  -l ADDR:PORT  listen here (127.0.0.1:8080; [::1]:8443 for IPv6)\n"
	        "  -d DATABASE   SQLite file or postgresql:// URI of the reports database\n"
	        "  -s SPOOLDIR   keep reports here when the database cannot take them\n"
	        "  -f            stay in the foreground and log to stderr\n"
	        "  -u USER[:GROUP]  run as this user once the socket is open\n"
	        "  -P PIDFILE    write the process id here\n"
	        "  -V            print the version and exit\n"
	        "  -h            print this help and exit\n"
	        "Exit status: 0 stopped by a signal, 64 usage, 78 configuration, 69 cannot listen,\n"
	        "71 system error.\n",
	        SYSCONFDIR "/tlsrpt-httpd.conf");
}

static struct shared *shared_free(struct shared *sh)
{
	if (sh == NULL)
		return NULL;
	hconf_clear(&sh->conf);
	rate_free(sh->rate);
	free(sh);
	return NULL;
}

/* A bad or public Listen is a configuration error, found before anything starts. */
static int check_listen(const struct hconf *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct tr_error e;

	if (httpserv_parse_listen(c->listen, c->allow_public, &ss, sizeof ss, &e) == TR_OK)
		return 0;
	snprintf(err, errlen, "%s%s", e.msg,
	         strstr(e.msg, "loopback") != NULL ? " (set AllowPublic yes to listen there)" : "");
	return -1;
}

/* Defaults, then the file, then the command line; NULL with err on error. */
static struct shared *shared_build(const struct options *o, char *err, size_t errlen)
{
	struct shared *sh = calloc(1, sizeof *sh);
	char why[HCONF_ERR_MAX / 2];
	size_t i;

	if (sh == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	hconf_init(&sh->conf);
	if (hconf_load(&sh->conf, o->conf_path, o->conf_named, err, errlen) != 0)
		return shared_free(sh);
	for (i = 0; i < o->n; i++)
		if (hconf_set(&sh->conf, o->keys[i], o->values[i], why, sizeof why) != 0) {
			snprintf(err, errlen, "command line: %s: %s", o->keys[i], why);
			return shared_free(sh);
		}
	if (hconf_check(&sh->conf, err, errlen) != 0)
		return shared_free(sh);
	if (check_listen(&sh->conf, err, errlen) != 0)
		return shared_free(sh);
	sh->rate = rate_new(sh->conf.rate_limit);
	if (sh->rate == NULL) {
		snprintf(err, errlen, "out of memory");
		return shared_free(sh);
	}
	return sh;
}

static struct shared *acquire(struct daemon *d)
{
	struct shared *sh;

	pthread_mutex_lock(&d->lock);
	sh = d->current;
	sh->refs++;
	pthread_mutex_unlock(&d->lock);
	return sh;
}

static void release(struct daemon *d, struct shared *sh)
{
	int last;

	pthread_mutex_lock(&d->lock);
	last = --sh->refs == 0 && sh != d->current;
	pthread_mutex_unlock(&d->lock);
	if (last)
		shared_free(sh);
}

static void install(struct daemon *d, struct shared *next)
{
	struct shared *old;
	int last;

	pthread_mutex_lock(&d->lock);
	old = d->current;
	d->current = next;
	last = old != NULL && old->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (last)
		shared_free(old);
}

/* ---- server callbacks ---- */

static int cb_precheck(void *ctx, const struct httpserv_request *req, struct httpserv_response *resp)
{
	struct daemon *d = ctx;
	struct shared *sh = acquire(d);
	struct handler_env env = { &sh->conf, d->sink, sh->rate, httpserv_header };
	int rc = handler_precheck(&env, req, resp);

	release(d, sh);
	return rc;
}

static void cb_handler(void *ctx, const struct httpserv_request *req, struct httpserv_response *resp)
{
	struct daemon *d = ctx;
	struct shared *sh = acquire(d);
	struct handler_env env = { &sh->conf, d->sink, sh->rate, httpserv_header };

	handler_respond(&env, req, resp);
	release(d, sh);
}

static void cb_log(void *ctx, int priority, const char *msg)
{
	(void)ctx;
	log_msg(priority, "%s", msg);
}

/* ---- start-up helpers (as the milter's) ---- */

static int parse_args(int argc, char **argv, struct options *o)
{
	static const char *const keys[] = { ['l'] = "Listen", ['d'] = "Database", ['s'] = "SpoolDir",
	                                    ['u'] = "UserID", ['P'] = "PidFile" };
	int ch;

	memset(o, 0, sizeof *o);
	o->conf_path = SYSCONFDIR "/tlsrpt-httpd.conf";
	while ((ch = getopt(argc, argv, ":c:l:d:s:fu:P:Vh")) != -1) {
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			o->conf_named = 1;
			break;
		case 'l': case 'd': case 's': case 'u': case 'P':
			if (o->n >= MAX_OVERRIDES) {
				fprintf(stderr, "tlsrpt-httpd: too many options\n");
				return EX_USAGE;
			}
			o->keys[o->n] = keys[ch];
			o->values[o->n++] = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'V':
			printf("tlsrpt-httpd %s\n", PACKAGE_VERSION);
			exit(EX_OK);
		case 'h':
			usage(stdout);
			exit(EX_OK);
		case ':':
			fprintf(stderr, "tlsrpt-httpd: option -%c needs a value\n", optopt);
			usage(stderr);
			return EX_USAGE;
		default:
			fprintf(stderr, "tlsrpt-httpd: unknown option -%c\n", optopt);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsrpt-httpd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	return EX_OK;
}

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
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static int write_pidfile(const char *path, const struct identity *id)
{
	char text[32];
	int fd = -1, len, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		if (pidfile_live(path)) {
			log_msg(LOG_ERR, "%s: another tlsrpt-httpd is running", path);
			return -1;
		}
		unlink(path);
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

/* SIGHUP: a new configuration aside, swapped in only when whole; TLS files re-read. */
static void reload(struct daemon *d, const struct options *o, struct httpserv *srv)
{
	char err[HCONF_ERR_MAX];
	struct shared *next = shared_build(o, err, sizeof err), *cur, *sh;
	struct tr_error terr;
	int tls;

	if (next == NULL) {
		log_msg(LOG_ERR, "reload failed, configuration unchanged: %s", err);
	} else {
		cur = acquire(d);
		if (strcmp(cur->conf.listen, next->conf.listen) != 0 ||
		    strcmp(cur->conf.database, next->conf.database) != 0 ||
		    strcmp(nonnull(cur->conf.spool_dir), nonnull(next->conf.spool_dir)) != 0 ||
		    strcmp(nonnull(cur->conf.tls_cert), nonnull(next->conf.tls_cert)) != 0)
			log_msg(LOG_WARNING, "Listen, Database, SpoolDir, TLS file names and limits "
			        "change only on restart");
		release(d, cur);
		/* said before the new LogLevel may silence it */
		log_msg(LOG_NOTICE, "configuration reloaded from %s (%zu MTA-STS policies)",
		        o->conf_path, next->conf.n_policies);
		log_set_level(next->conf.log_level);
		install(d, next);
	}
	tr_error_clear(&terr);
	sh = acquire(d);
	tls = sh->conf.tls_cert != NULL;
	release(d, sh);
	if (!tls)
		return;
	if (httpserv_reload_tls(srv, &terr) != TR_OK)
		log_msg(LOG_ERR, "TLS reload failed, previous certificate kept: %s", terr.msg);
	else
		log_msg(LOG_NOTICE, "TLS certificate and key reloaded");
}

static struct httpserv *start_server(struct daemon *d, const struct hconf *c)
{
	struct httpserv_conf sc;
	struct httpserv *srv = NULL;
	struct tr_error err;

	memset(&sc, 0, sizeof sc);
	sc.listen = c->listen;
	sc.allow_public = c->allow_public;
	sc.max_connections = c->max_connections;
	sc.max_per_ip = c->max_per_ip;
	sc.timeout_s = c->timeout_s;
	sc.request_timeout_s = c->request_timeout_s;
	sc.max_body = c->max_body;
	sc.max_buffered = c->max_buffered;
	sc.threads = c->threads;
	sc.tls_cert = c->tls_cert;
	sc.tls_key = c->tls_key;
	sc.handler = cb_handler;
	sc.precheck = cb_precheck;
	sc.log = cb_log;
	sc.ctx = d;
	tr_error_clear(&err);
	if (httpserv_start(&sc, &srv, &err) != TR_OK) {
		log_msg(LOG_ERR, "%s", err.msg);
		return NULL;
	}
	return srv;
}

/* Until SIGTERM or SIGINT: SIGHUP reloads, the clock replays the spool. */
static void serve(struct daemon *d, const struct options *o, struct httpserv *srv,
                  const sigset_t *set)
{
	const struct timespec tick = { 1, 0 };
	time_t last_replay = 0;
	unsigned idle = 0;

	for (;;) {
		int sig = sigtimedwait(set, NULL, &tick);
		struct shared *sh;

		if (sig == SIGTERM || sig == SIGINT)
			return;
		if (sig == SIGHUP) {
			reload(d, o, srv);
			continue;
		}
		sh = acquire(d);
		if (time(NULL) - last_replay >= (time_t)sh->conf.replay_s) {
			last_replay = time(NULL);
			sink_replay(d->sink, NULL);
		}
		release(d, sh);
		if (++idle >= IDLE_CLOSE_S) {
			idle = 0;
			sink_idle(d->sink);
		}
	}
}

static struct sink *make_sink(const struct hconf *c)
{
	struct tr_limits lim;

	limits_default(&lim);
	lim.max_message = c->max_report;
	lim.max_decoded = c->max_report;
	lim.max_inflated = c->max_report;
	return sink_new(c->database, c->spool_dir, &lim);
}

int main(int argc, char **argv)
{
	static struct options opts;
	static struct daemon d = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL };
	char err[HCONF_ERR_MAX];
	struct httpserv *srv = NULL;
	struct identity id;
	struct shared *sh;
	char *db_shown;
	sigset_t set;
	int rc;

	rc = parse_args(argc, argv, &opts);
	if (rc != EX_OK)
		return rc;
	sh = shared_build(&opts, err, sizeof err);
	if (sh == NULL) {
		fprintf(stderr, "tlsrpt-httpd: %s\n", err);
		return EX_CONFIG;
	}
	install(&d, sh);
	sh = acquire(&d);
	log_ident("tlsrpt-httpd");
	log_open(opts.foreground, sh->conf.syslog_facility, sh->conf.log_level);
	signal(SIGPIPE, SIG_IGN);
	/* the server's threads inherit this mask: signals come to sigtimedwait() */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d.sink = make_sink(&sh->conf);
	rc = EX_OSERR;
	if (d.sink == NULL || lookup_user(sh->conf.user, &id) != 0) {
		rc = d.sink == NULL ? EX_OSERR : EX_CONFIG;
		goto out;
	}
	if (!opts.foreground && daemonize() != 0)
		goto out;
	srv = start_server(&d, &sh->conf);
	if (srv == NULL) {
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if ((sh->conf.pidfile != NULL && write_pidfile(sh->conf.pidfile, &id) != 0) ||
	    drop_privileges(&id) != 0)
		goto out;
	db_shown = db_redact(sh->conf.database); /* a URI without its password */
	log_msg(LOG_NOTICE, "listening on %s%s (port %u), database %s, %zu MTA-STS policies",
	        sh->conf.tls_cert != NULL ? "https://" : "http://", sh->conf.listen,
	        httpserv_port(srv), db_shown != NULL ? db_shown : "(out of memory)",
	        sh->conf.n_policies);
	free(db_shown);
	release(&d, sh);
	serve(&d, &opts, srv, &set);
	sh = acquire(&d);
	rc = EX_OK;
	log_msg(LOG_NOTICE, "stopping");
out:
	srv = httpserv_stop(srv);
	if (rc == EX_OK) {
		sink_replay(d.sink, NULL);
		if (sh->conf.pidfile != NULL)
			unlink(sh->conf.pidfile);
	}
	d.sink = sink_free(d.sink);
	release(&d, sh);
	install(&d, NULL);
	return rc;
}
