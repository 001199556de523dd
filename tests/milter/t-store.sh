#!/bin/sh
# tlsrpt-milter under miltertest: stored, duplicate, invalid, status
# headers, discard and reject, authentication, spool and tempfail.
. "${top_srcdir:?}/tests/milter/common.sh"
need_miltertest
need_store
setup

write_conf </dev/null
check "milter starts" start_milter
check "store, duplicate, invalid, status headers" lua store
check "milter stops cleanly" stop_milter
check "four reports in the database" test "$(sql 'SELECT count(*) FROM reports')" = 4
check "one line per report in the log" test "$(grep -c ': stored: submitter=' "$tmp/log")" = 4
check "duplicate logged" grep -q ': duplicate: submitter=reporter.example report-id=rid-stored-0001' "$tmp/log"
check "invalid logged with its reason" grep -q ': invalid (.*): submitter=broken.example' "$tmp/log"

rm -f "$tmp/db"*
write_conf <<EOF2
OnStored discard
OnInvalid reject
EOF2
check "milter starts in discard/reject mode" start_milter
check "discard after storing, reject invalid" lua actions
check "milter stops cleanly" stop_milter
check "discarded report is stored" test "$(sql "SELECT count(*) FROM reports WHERE report_id = 'rid-stored-0001'")" = 1
check "partly read mail: the reports read are stored" \
	test "$(sql "SELECT count(*) FROM reports WHERE submitter = 'many.example'")" = 64
check "partly read mail logged" grep -q 'message only partly read: more than 64 reports' "$tmp/log"
check "reject logged" grep -q 'no valid report: rejected' "$tmp/log"
check "discard logged" grep -q 'every report stored: discarded' "$tmp/log"

rm -f "$tmp/db"*
write_conf <<EOF2
DKIMVerify no
TrustedAuthservIDs mx.example.com
RequireAuthentication yes
EOF2
check "milter starts with RequireAuthentication" start_milter
check "trusted and untrusted Authentication-Results" lua auth
check "milter stops cleanly" stop_milter
check "only the authenticated report kept" test "$(sql 'SELECT count(*) FROM reports')" = 1
check "it passed" test "$(sql "SELECT count(*) FROM reports WHERE counted = 1 AND auth = 'pass'")" = 1
check "the other ignored and logged" grep -q ': ignored: submitter=forged.example' "$tmp/log"

# A database that breaks while the milter runs (replaced by a directory):
# at start-up the same would be refused (see t-daemon.sh).
break_db() { rm -f "$1" "$1-wal" "$1-shm"; mkdir "$1"; }
mkdir "$tmp/spool"
write_conf <<EOF2
Database $tmp/notadb
SpoolDirectory $tmp/spool
EOF2
check "milter starts" start_milter
break_db "$tmp/notadb"
check "message spooled and accepted" lua spool
check "milter stops cleanly" stop_milter
check "one .eml file in the spool" test "$(ls "$tmp/spool" | grep -c '\.eml$')" = 1
check "spooled file is the message" grep -q 'rid-stored-0001\|TLS-Report-Submitter: reporter.example' "$tmp/spool"/*.eml
check "no temporary file left" test "$(ls -A "$tmp/spool" | grep -c '^\.tmp')" = 0

write_conf <<EOF2
Database $tmp/notadb2
OnError tempfail
EOF2
check "milter starts with OnError tempfail" start_milter
break_db "$tmp/notadb2"
check "tempfail when nothing can be stored" lua tempfail
check "tempfail logged" grep -q 'asking the MTA to retry later' "$tmp/log"
check "milter stops cleanly" stop_milter
[ $tap_failed -eq 0 ] || show_log
finish
