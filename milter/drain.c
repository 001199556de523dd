/*
 * drain: counts the messages in progress, and runs libmilter so that a
 * stop waits for them (see drain.h for why and how).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "conf.h"
#include "drain.h"
#include "log.h"

#define DRAIN_FD_SCAN 1024  /* the listening socket is among the first descriptors */

static pthread_mutex_t drain_lock = PTHREAD_MUTEX_INITIALIZER;
static int drain_busy;   /* messages in progress */
static int drain_conns;  /* MTA connections open */

static void count(int *counter, int delta)
{
	pthread_mutex_lock(&drain_lock);
	*counter += delta;
	assert(*counter >= 0);
	pthread_mutex_unlock(&drain_lock);
}

void drain_msg_begin(void) { count(&drain_busy, 1); }
void drain_msg_end(void) { count(&drain_busy, -1); }
void drain_conn_begin(void) { count(&drain_conns, 1); }
void drain_conn_end(void) { count(&drain_conns, -1); }

int drain_connections(void)
{
	int n;

	pthread_mutex_lock(&drain_lock);
	n = drain_conns;
	pthread_mutex_unlock(&drain_lock);
	return n;
}

int drain_count(void)
{
	int n;

	pthread_mutex_lock(&drain_lock);
	n = drain_busy;
	pthread_mutex_unlock(&drain_lock);
	return n;
}

/* The path of a unix:/local: address, or NULL. */
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

/* The port of an inet:PORT@HOST or inet6:PORT@HOST address, or -1. */
static long inet_port(const char *sock)
{
	const char *p = strchr(sock, ':');
	char *end;
	long port;

	if (p == NULL || (strncmp(sock, "inet:", 5) != 0 && strncmp(sock, "inet6:", 6) != 0))
		return -1;
	port = strtol(p + 1, &end, 10);
	return (end == p + 1 || port <= 0 || port > 65535) ? -1 : port;
}

/* 1 when fd is a listening socket bound to the address sock names. */
static int is_listener_of(int fd, const char *sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss, optlen;
	const char *path = unix_path(sock);
	int listening = 0;

	optlen = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || !listening)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (path != NULL && ss.ss_family == AF_UNIX)
		return strncmp(((struct sockaddr_un *)&ss)->sun_path, path,
		               sizeof ((struct sockaddr_un *)&ss)->sun_path) == 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port) == inet_port(sock);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) == inet_port(sock);
	return 0;
}

static int find_listener(const char *sock)
{
	int fd;

	for (fd = 0; fd < DRAIN_FD_SCAN; fd++)
		if (is_listener_of(fd, sock))
			return fd;
	return -1;
}

/*
 * Take no more MTA connections.  libmilter's listener keeps select()ing
 * its descriptor until smfi_stop(): an eventfd never written to is never
 * readable, and is neither a socket nor a FIFO, so that libmilter's
 * closing code leaves alone whatever then lies at the socket's path (a
 * new instance's socket).
 */
static void stop_listening(const char *sock, int listen_fd)
{
	const char *path = unix_path(sock);
	int quiet;

	/* as the unprivileged user this may be refused (a folder root owns):
	 * the swap below refuses new connections all the same */
	if (path != NULL && unlink(path) != 0 && errno != ENOENT)
		log_msg(errno == EACCES || errno == EPERM ? LOG_DEBUG : LOG_WARNING,
		        "cannot remove %s: %s", path, strerror(errno));
	if (listen_fd < 0)
		return;
	quiet = eventfd(0, EFD_CLOEXEC);
	if (quiet < 0 || dup2(quiet, listen_fd) < 0)
		log_msg(LOG_WARNING, "cannot close the listening socket: %s; new connections are "
		        "still served while stopping", strerror(errno));
	if (quiet >= 0)
		close(quiet);
}

static int milter_rc = MI_FAILURE;  /* under run_lock */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static int milter_done;

static void *milter_thread(void *arg)
{
	int rc;

	(void)arg;
	rc = smfi_main();
	pthread_mutex_lock(&run_lock);
	milter_rc = rc;
	milter_done = 1;
	pthread_mutex_unlock(&run_lock);
	return NULL;
}

static int done(void)
{
	int d;

	pthread_mutex_lock(&run_lock);
	d = milter_done;
	pthread_mutex_unlock(&run_lock);
	return d;
}

static unsigned drain_timeout(void)
{
	struct conf *c = conf_acquire();
	unsigned t = c != NULL ? c->drain_timeout : 0;

	conf_release(c);
	return t;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A stop in three stages: running, draining, and stopped (smfi_stop()
 * called; libmilter's listener notices within its 5-second poll). */
enum stage { RUNNING, DRAINING, STOPPED };

struct stop {
	enum stage stage;
	double deadline;   /* first stop signal + DrainTimeout (CLOCK_MONOTONIC s) */
	int now;           /* a second signal: do not wait any longer */
};

/* The first stop signal: no new connections; wait from now on. */
static void stop_begin(struct stop *st, const char *sock, int listen_fd, int sig)
{
	unsigned timeout = drain_timeout();
	int n = drain_count(), c = drain_connections();

	stop_listening(sock, listen_fd);
	st->stage = DRAINING;
	st->deadline = now_s() + timeout;
	log_msg(LOG_NOTICE, "stopping on signal %d: waiting up to %u s (DrainTimeout) for %d "
	        "message%s in progress on %d MTA connection%s; a second signal stops at once",
	        sig, timeout, n, n == 1 ? "" : "s", c, c == 1 ? "" : "s");
}

/* 1 when the wait is over: every MTA connection closed (see drain.h),
 * the deadline, or a second signal. */
static int stop_due(const struct stop *st)
{
	return st->now || now_s() >= st->deadline || drain_connections() == 0;
}

static void stop_finish(struct stop *st)
{
	int n = drain_count(), c = drain_connections();
	const char *why = st->now ? " (second signal)" : " after DrainTimeout";

	if (n > 0)
		log_msg(LOG_WARNING, "stopping with %d message%s unfinished%s: the MTA applies its "
		        "milter default action to %s", n, n == 1 ? "" : "s", why,
		        n == 1 ? "it" : "them");
	else if (c > 0)
		log_msg(LOG_NOTICE, "stopping with %d MTA connection%s still open%s, no message "
		        "known to be in progress", c, c == 1 ? "" : "s", why);
	else
		log_msg(LOG_NOTICE, "every MTA connection has closed: stopping");
	st->stage = STOPPED;
	smfi_stop();
}

int drain_run(const char *sock)
{
	/* short while draining, so that the last message's end is seen soon */
	const struct timespec tick = { 1, 0 }, drain_tick = { 0, 50 * 1000 * 1000 };
	struct stop st = { RUNNING, 0, 0 };
	int listen_fd = find_listener(sock), sig, rc;
	pthread_t tid;
	sigset_t set;

	if (listen_fd < 0)
		log_msg(LOG_WARNING, "listening socket for %s not found: a stop will not refuse "
		        "new connections", sock);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc == 0)
		rc = pthread_create(&tid, NULL, milter_thread, NULL);
	if (rc != 0) {
		log_msg(LOG_ERR, "cannot start the milter thread: %s", strerror(rc));
		return MI_FAILURE;
	}
	/* this thread only waits for signals, so that Linux hands them here */
	while (!done()) {
		sig = sigtimedwait(&set, NULL, st.stage == DRAINING ? &drain_tick : &tick);
		if (sig > 0 && st.stage == RUNNING)
			stop_begin(&st, sock, listen_fd, sig);
		else if (sig > 0 && st.stage == DRAINING)
			st.now = 1;
		if (st.stage == DRAINING && stop_due(&st))
			stop_finish(&st);
	}
	pthread_join(tid, NULL);
	return milter_rc;  /* the thread has ended: no lock needed */
}
