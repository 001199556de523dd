#!/bin/sh
# Fault: the milter's connection is killed in the middle of a report's
# transaction.  Another session locks the rollup table, so the milter's
# transaction has written the report and its policies and waits to add
# them to the rollups; pg_terminate_backend() ends it there.  Nothing of
# that report is left (a report and its rollups are one transaction), the
# mail is spooled, the next mail reconnects and is stored, and importing
# the spool stores every report exactly once.
. "${top_srcdir:?}/tests/faults/pg.sh"
pg_fault_setup miltertest 6 killed pg
uri=$(pg_uri pg)

write_conf <<EOF2
Database $uri
SpoolDirectory $tmp/spool
EOF2
check "milter starts on the server" start_milter
check "mails 1-2 stored" send 1 2 stored
"$REPORT_BIN" -d "$uri" summary --by policy-domain --format csv >"$tmp/before.csv"
check "another session locks the rollups" pg_hold_lock "$uri" "LOCK TABLE rollup_report IN EXCLUSIVE MODE"
send 3 3 unstored &
sender=$!
pid=$(pg_waiting_writer "$uri")
check "mail 3's transaction waits for the rollups" test -n "$pid"
check "having written its report" test "$(pg_sql "$uri" "SELECT count(*) FROM pg_locks
	WHERE pid = ${pid:-0} AND relation = 'reports'::regclass AND mode = 'RowExclusiveLock'")" = 1
check "its connection is killed" test "$(pg_sql "$uri" "SELECT pg_terminate_backend(${pid:-0})")" = t
wait $sender
check "mail 3 accepted without a status header" test $? -eq 0
check "and spooled" test "$(spooled)" = 1
check "log says the connection went" grep -q 'cannot store report: .*terminat' "$tmp/log"
check "nothing of mail 3 in the database" test "$(pg_sql "$uri" "SELECT count(*) FROM reports")" = 2
"$REPORT_BIN" -d "$uri" summary --by policy-domain --format csv >"$tmp/after.csv"
check "nor in its rollups" cmp -s "$tmp/before.csv" "$tmp/after.csv"
check "the lock is released" pg_release_lock
check "mails 4-6 stored, on a new connection" send 4 6 stored
check "milter stops cleanly" stop_milter
pg_replayed_once "$uri"
[ $tap_failed -eq 0 ] || show_log
finish
