#!/bin/sh
# Fault: another process holds the database's write lock (BEGIN EXCLUSIVE)
# longer than the milter's busy timeout (5 s).  Each mail waits that long,
# then is spooled and accepted, or tempfailed under OnError tempfail; the
# log says "database is locked".  Once the lock goes the same milter
# stores again, and importing the spool stores every report exactly once.
. "${top_srcdir:?}/tests/faults/common.sh"
need_miltertest
need_python
need_store
setup
mkdir "$tmp/spool"
db=$tmp/db
gen_mails 8 lock

write_conf <<EOF2
SpoolDirectory $tmp/spool
EOF2
check "milter starts" start_milter
check "mails 1-2 stored" send 1 2 stored

python3 "$FAULTS/hold-lock.py" "$db" "$tmp/locked" "$tmp/release" 100 2>"$tmp/lock.err" &
holder=$!
for _ in $(seq 100); do [ -e "$tmp/locked" ] && break; sleep 0.1; done
check "another process holds BEGIN EXCLUSIVE" test -e "$tmp/locked"
t0=$(date +%s)
check "mails 3-4 accepted without a status header" send 3 4 unstored
t1=$(date +%s)
check "each waited the busy timeout, not forever" test $((t1 - t0)) -ge 9 -a $((t1 - t0)) -le 30
check "two messages spooled" test "$(spooled)" = 2
check "log says the database is locked" grep -q 'cannot store report: .*database is locked' "$tmp/log"

write_conf <<EOF2
OnError tempfail
EOF2
check "reload with OnError tempfail and no spool" reload_milter
check "mail 5 tempfailed" send 5 5 tempfail
check "log says the MTA will retry" grep -q 'asking the MTA to retry later' "$tmp/log"

touch "$tmp/release"
wait "$holder"
check "the lock holder rolled back" test $? -eq 0
check "retried mail 5 stored, the same milter" send 5 5 stored
check "mails 6-8 stored" send 6 8 stored
check "milter stops cleanly" stop_milter
check "spool imported, then only duplicates" import_twice "$db" "$tmp/spool"
check "import stored the two spooled reports" grep -q '^2 stored, 0 duplicate' "$tmp/import1.err"
check "every report stored exactly once" every_report_once "$db"
check "no half-stored report" no_half_report "$db"
check "integrity_check ok" integrity_ok "$db"
[ $tap_failed -eq 0 ] || show_log
finish
