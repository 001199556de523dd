#!/bin/sh
# Fault: the PostgreSQL server is down when mail arrives.  The milter
# starts anyway (with a warning), spools each report (or tempfails under
# OnError tempfail), and once the server is back the same milter stores
# again on a new connection; importing the spool stores every report
# exactly once.  The password in the URI never reaches the log.
. "${top_srcdir:?}/tests/faults/pg.sh"
pg_fault_setup miltertest 8 down pg
uri="$(pg_uri pg)&password=never-logged"

write_conf <<EOF2
Database $uri
SpoolDirectory $tmp/spool
EOF2
check "milter starts on the server" start_milter
check "mails 1-2 stored" send 1 2 stored
check "the server goes down" "$CLUSTER" kill "$tmp/pg"
check "mails 3-4 accepted without a status header" send 3 4 unstored
check "two messages spooled" test "$(spooled)" = 2
check "log says why" grep -q 'cannot store report: .*postgresql://.*password=\*\*\*' "$tmp/log"
check "milter stops cleanly" stop_milter
check "a milter starts while the server is down" start_milter
check "and warns" grep -q 'database postgresql://.* is unreachable, read-only or locked' "$tmp/log"

write_conf <<EOF2
Database $uri
OnError tempfail
EOF2
check "reload with OnError tempfail and no spool" reload_milter
check "mail 5 tempfailed" send 5 5 tempfail
check "the server is back" "$CLUSTER" restart "$tmp/pg"
check "retried mail 5 stored, the same milter" send 5 5 stored
check "mails 6-8 stored" send 6 8 stored
check "milter stops cleanly" stop_milter
check "the password never reached the log" sh -c "! grep -q never-logged '$tmp/log'"
pg_replayed_once "$(pg_uri pg)"
[ $tap_failed -eq 0 ] || show_log
finish
