#!/bin/sh
# tlsrpt-milter behind a real Sendmail (Debian's 8.17 binary, private
# instance, tests/sendmail/sendmail.sh): reports are stored once and
# delivered with their TLS-Report-Status, forged ones removed, duplicates
# and invalid reports marked, mail for others left alone; OnInvalid
# reject answers 550 and OnError tempfail 451 through Sendmail.
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/sendmail/sendmail.sh"
need_sendmail
need_store
setup
trap 'sendmail_stop; stop_milter >/dev/null 2>&1; rm -rf "$tmp"' EXIT

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
EOF2
check "sendmail configured from its .mc with m4" sendmail_config T
check "milter starts" start_milter
check "private sendmail starts, listens" sendmail_start
[ $tap_failed -eq 0 ] || finish

sm_send tlsrpt@example.com report.eml two-reports.eml invalid.eml plain.eml spoofed-status.eml \
	report.eml >"$tmp/codes" 2>"$tmp/smtp.err"
check "six mails accepted over SMTP" test "$(grep -c '^250$' "$tmp/codes")" = 6
sm_send someone@example.com report.eml >>"$tmp/codes" 2>>"$tmp/smtp.err"
check "mail for another recipient accepted" test "$(tail -1 "$tmp/codes")" = 250
[ $tap_failed -eq 0 ] || sed 's/^/# /' "$tmp/codes" "$tmp/smtp.err"

check "every mail delivered" sm_wait 7 30
mail=$sm/mail
check "stored report carries its status header" \
	grep -l '^TLS-Report-Status: stored; submitter=reporter.example; report-id=rid-stored-0001' "$mail"/*.eml
check "both reports of a two-report mail have one" \
	test "$(grep -h '^TLS-Report-Status: stored' "$mail"/*.eml | grep -c 'second.example')" = 2
check "the second copy is marked duplicate" grep -q '^TLS-Report-Status: duplicate' "$mail"/*.eml
check "the invalid report is marked invalid" grep -q '^TLS-Report-Status: invalid' "$mail"/*.eml
check "forged status header removed" sh -c "! grep -q 'forged.example\|second forgery' '$mail'/*.eml"
check "exactly one status header per report, none on the plain mail" \
	test "$(grep -c '^TLS-Report-Status' "$mail"/*.eml | awk -F: '{s += $2} END {print s}')" = 6
check "mail for another recipient has no status header" \
	test "$(grep -L '^TLS-Report-Status' "$mail"/*.eml | wc -l)" = 2
check "four reports stored once" test "$(sql 'SELECT count(*) FROM reports')" = 4
check "queue ids in the milter's log are Sendmail's" grep -Eq ': [0-9A-Za-z]{14}: stored:' "$tmp/log"
check "milter stopped cleanly" stop_milter

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
OnInvalid reject
EOF2
check "milter restarts with OnInvalid reject" start_milter
check "an invalid report is refused with 550" test "$(sm_send tlsrpt@example.com invalid.eml 2>>"$tmp/smtp.err")" = 550
check "milter stopped cleanly" stop_milter

# A database that breaks while the milter runs (replaced by a directory):
# at start-up the same would be refused (tests/milter/t-startup.sh).
write_conf <<EOF2
SocketMode 0666
Database $tmp/notadb
OnError tempfail
EOF2
check "milter restarts with OnError tempfail" start_milter
rm -f "$tmp/notadb" "$tmp/notadb-wal" "$tmp/notadb-shm"
mkdir "$tmp/notadb"
check "the report is deferred with 451" test "$(sm_send tlsrpt@example.com report.eml 2>>"$tmp/smtp.err")" = 451
check "the reply says why" grep -q 'TLS report could not be stored' "$tmp/smtp.err"
check "milter stopped cleanly" stop_milter
check "nothing more delivered" test "$(sm_count)" = 7
if [ $tap_failed -ne 0 ]; then
	show_log
	sed 's/^/# /' "$tmp/smtp.err"
fi
finish
