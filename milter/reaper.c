/*
 * reaper: the privileged remover of the pidfile and the socket (see
 * reaper.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reaper.h"

#define REAPER_WAIT_MS 3000

struct reaper_job {
	const char *pidfile;
	pid_t pid;
	const char *sock;
	dev_t dev;
	ino_t ino;
	int have_sock;
};

/* The pidfile holds exactly this pid. */
static int pidfile_names(const char *path, pid_t pid)
{
	char text[32], want[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	snprintf(want, sizeof want, "%ld\n", (long)pid);
	return strcmp(text, want) == 0;
}

static void reap(const struct reaper_job *j)
{
	struct stat sb;

	if (j->pidfile != NULL && pidfile_names(j->pidfile, j->pid))
		(void)unlink(j->pidfile);
	if (j->have_sock && lstat(j->sock, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    sb.st_dev == j->dev && sb.st_ino == j->ino)
		(void)unlink(j->sock);
}

/* The child: nothing open but fd (and stderr for nothing), no signals. */
static void reaper_main(int fd, const struct reaper_job *j)
{
	static const int ignored[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE };
	sigset_t none;
	char c;
	long max = sysconf(_SC_OPEN_MAX);
	ssize_t n;
	size_t i;

	if (max < 0 || max > 65536)
		max = 65536;
	for (long f = STDERR_FILENO + 1; f < max; f++)
		if (f != fd)
			close((int)f);
	for (i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	reap(j);
	c = 'y';
	n = write(fd, &c, 1); /* the milter may be gone: nobody to tell */
	(void)n;
	_exit(0);
}

int reaper_start(struct reaper *r, const char *pidfile, pid_t pid, const char *sock)
{
	struct reaper_job j;
	struct stat sb;
	int pair[2];
	pid_t child;

	r->fd = -1;
	memset(&j, 0, sizeof j);
	j.pidfile = pidfile;
	j.pid = pid;
	if (sock != NULL && lstat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		j.sock = sock;
		j.dev = sb.st_dev;
		j.ino = sb.st_ino;
		j.have_sock = 1;
	}
	if (j.pidfile == NULL && !j.have_sock)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
		return -1;
	child = fork();
	if (child < 0) {
		int saved = errno;

		close(pair[0]);
		close(pair[1]);
		errno = saved;
		return -1;
	}
	if (child == 0) {
		close(pair[0]);
		reaper_main(pair[1], &j);
	}
	close(pair[1]);
	r->fd = pair[0];
	return 0;
}

void reaper_finish(struct reaper *r)
{
	struct pollfd p;
	char c = 'x';

	if (r == NULL || r->fd < 0)
		return;
	if (write(r->fd, &c, 1) == 1) {
		p.fd = r->fd;
		p.events = POLLIN;
		if (poll(&p, 1, REAPER_WAIT_MS) > 0 && read(r->fd, &c, 1) != 1)
			c = 0; /* the reaper died: nothing more to wait for */
	}
	close(r->fd);
	r->fd = -1;
}
