#!/bin/sh
# Fault: the milter's server turns read-only.  First in place: the
# primary set to default_transaction_read_only, so that the milter's open
# connection gets SQLSTATE 25006 (read_only_sql_transaction).  Then after a
# failover: the milter's database is a read-only standby (a real one:
# pg_basebackup -R of the test's primary, streaming from it).
# The primary goes down and the milter is pointed at the standby: each
# report is spooled (the server is read-only: "busy", worth retrying),
# never half-stored; once the standby is promoted the same milter stores
# there again, and importing the spool stores every report exactly once.
. "${top_srcdir:?}/tests/faults/pg.sh"
pg_fault_setup miltertest 7 standby primary
check "and a streaming standby of it" pg_start_standby primary standby || finish
primary=$(pg_uri primary)
standby=$(pg_uri standby)

write_conf <<EOF2
Database $primary
SpoolDirectory $tmp/spool
EOF2
check "milter starts on the primary" start_milter
check "mails 1-2 stored" send 1 2 stored
read_only() {
	pg_sql "$primary" "ALTER SYSTEM SET default_transaction_read_only = $1" >/dev/null &&
		pg_sql "$primary" "SELECT pg_reload_conf()" >/dev/null
}
check "the primary turns read-only in place" read_only on
check "mail 7 accepted without a status header" send 7 7 unstored
check "log says the transaction is read-only" \
	grep -q 'cannot store report: .*read-only transaction (SQLSTATE 25006)' "$tmp/log"
check "the primary takes writes again" read_only off
check "the standby has replayed them" pg_wait_value "$standby" "SELECT count(*) FROM reports" 2
check "the primary fails" "$CLUSTER" kill "$tmp/primary"
check "the standby is read-only" test "$(pg_sql "$standby" "SELECT pg_is_in_recovery()")" = t
write_conf <<EOF2
Database $standby
SpoolDirectory $tmp/spool
EOF2
check "the milter is pointed at the standby" reload_milter
check "mails 3-4 accepted without a status header" send 3 4 unstored
check "three messages spooled" test "$(spooled)" = 3
check "log says the server is read-only" grep -q 'cannot store report: .*read-only' "$tmp/log"
check "the standby has only mails 1-2" test "$(pg_sql "$standby" "SELECT count(*) FROM reports")" = 2
check "the standby is promoted" pg_promote standby
check "mails 5-6 stored on the new primary" send 5 6 stored
check "milter stops cleanly" stop_milter
pg_replayed_once "$standby"
[ $tap_failed -eq 0 ] || show_log
finish
