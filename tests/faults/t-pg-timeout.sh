#!/bin/sh
# Fault: a statement outlives statement_timeout (set in the URI, as
# docs/postgresql.md tells) because another session holds a lock on the
# reports.  The server cancels it (SQLSTATE 57014), which the milter takes
# as "busy": the mail is spooled, or tempfailed under OnError tempfail;
# once the lock goes the same milter stores again, and importing the
# spool stores every report exactly once.
. "${top_srcdir:?}/tests/faults/pg.sh"
pg_fault_setup miltertest 7 timeout pg
uri=$(pg_uri pg)

write_conf <<EOF2
Database $uri&options=-cstatement_timeout%3D300
SpoolDirectory $tmp/spool
EOF2
check "milter starts on the server" start_milter
check "mails 1-2 stored" send 1 2 stored
check "another session locks the reports" pg_hold_lock "$uri" "LOCK TABLE reports IN EXCLUSIVE MODE"
check "mails 3-4 accepted without a status header" send 3 4 unstored
check "two messages spooled" test "$(spooled)" = 2
check "log says the statement timed out" grep -q 'cannot store report: .*statement timeout' "$tmp/log"
write_conf <<EOF2
Database $uri&options=-cstatement_timeout%3D300
OnError tempfail
EOF2
check "reload with OnError tempfail and no spool" reload_milter
check "mail 5 tempfailed" send 5 5 tempfail
check "the lock is released" pg_release_lock
check "retried mail 5 stored" send 5 5 stored
check "mails 6-7 stored" send 6 7 stored
check "milter stops cleanly" stop_milter
pg_replayed_once "$uri"
[ $tap_failed -eq 0 ] || show_log
finish
