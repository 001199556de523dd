/*
 * drain: a stop that loses nothing.  SIGTERM (or SIGHUP, SIGINT) lets
 * every message in progress finish, up to DrainTimeout seconds, before
 * the daemon exits.
 *
 * libmilter cannot do this itself.  Its own signal thread turns a stop
 * signal into smfi_stop(), and Debian's libmilter (8.17, built with the
 * pool of workers) then stops serving every open MTA connection at once:
 * the message in progress is never answered, and the MTA applies its
 * default action (Sendmail F=, Postfix milter_default_action) to it.  So
 * the daemon takes the stop signals first.  drain_run() runs smfi_main()
 * in a thread of its own and waits for the signals in the main thread:
 * Linux hands a process-directed signal to the main thread whenever it
 * is waiting for that signal, before any other thread that waits for it
 * (libmilter's).  On a stop it
 *   1. stops taking new MTA connections: the listening socket is swapped
 *      for a descriptor that never becomes readable (libmilter's listener
 *      keeps polling it), and a unix socket's path is removed;
 *   2. waits until every MTA connection has closed, or DrainTimeout has
 *      passed, or a second stop signal arrives;
 *   3. calls smfi_stop() and returns what smfi_main() returns.
 *
 * The wait is for the MTA's connections to close, not only for the
 * messages the filter knows of: an MTA may hold back the events that need
 * no reply (Postfix buffers RCPT, with SMFIP_NR_RCPT, until DATA), so a
 * message may be under way on a connection that has told the filter
 * nothing yet.  Postfix and Sendmail close a filter connection at the end
 * of each SMTP session, so the wait lasts as long as the longest session
 * in progress, at most DrainTimeout.
 * A message counts from its first callback until its end (eom, abort, an
 * early accept, or the close of its connection), a connection from its
 * first callback until its close; mlfi.c calls the _begin()/_end()
 * functions in pairs.
 */
#ifndef TLSRPT_MILTER_DRAIN_H
#define TLSRPT_MILTER_DRAIN_H

/* A message started; one that drain_msg_begin() counted has ended.
 * Thread-safe. */
void drain_msg_begin(void);
void drain_msg_end(void);

/* An MTA connection opened; one that drain_conn_begin() counted closed.
 * Thread-safe. */
void drain_conn_begin(void);
void drain_conn_end(void);

/* How many messages are in progress now.  Thread-safe. */
int drain_count(void);

/* How many MTA connections are open now.  Thread-safe. */
int drain_connections(void);

/*
 * Instead of smfi_main(), from the main thread, after smfi_opensocket()
 * and with SIGTERM, SIGHUP and SIGINT blocked in every thread.  socket is
 * the libmilter address the daemon listens on (to find its descriptor).
 * Returns smfi_main()'s MI_SUCCESS or MI_FAILURE.
 */
int drain_run(const char *socket);

#endif
