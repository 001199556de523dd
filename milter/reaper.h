/*
 * reaper: removes the pidfile and the unix socket when the milter stops,
 * also when it runs as a user that may not remove them (-u, UserID, with
 * the files in a folder root owns, such as /run/tlsrpt-milter): without
 * it every stop left both behind.
 *
 * Before dropping privileges the milter forks a small process that stays
 * root, closes every descriptor but one end of a socket pair, ignores the
 * stop signals and waits.  When the milter stops cleanly it says so
 * (reaper_finish()) and waits for the files to be gone; when it dies
 * (kill -9, a crash) the pair closes and the reaper cleans up all the
 * same.  It removes the pidfile only while it still names the milter's
 * process, and the socket only while it is the same file: it never reads
 * the network or anything the milter could choose.
 */
#ifndef TLSRPT_MILTER_REAPER_H
#define TLSRPT_MILTER_REAPER_H

#include <sys/types.h>

struct reaper {
	int fd;       /* our end of the pair; -1: no reaper */
};

/*
 * Start the reaper for pidfile (NULL: none) naming process pid, and the
 * unix socket at sock (NULL: none), whose current inode is recorded.
 * Does nothing when both are NULL.  Returns 0, or -1 (fork or
 * socketpair failed; errno says why) with r->fd = -1.
 */
int reaper_start(struct reaper *r, const char *pidfile, pid_t pid, const char *sock);

/* Clean stop: ask the reaper to remove the files and wait (at most a few
 * seconds) until it has.  NULL-safe; harmless without a reaper. */
void reaper_finish(struct reaper *r);

#endif
