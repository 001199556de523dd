#!/bin/sh
# A stop loses nothing behind Sendmail: SIGTERM to the milter after RCPT
# (DATA a second later), and after DATA and the headers (the body a second
# later): the message is still answered 250, stored, and delivered with
# its TLS-Report-Status; the milter then exits 0.  F=T, so that a milter
# that gave up would show as a 451.  Private Sendmail, sendmail.sh.
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/sendmail/sendmail.sh"
need_sendmail
need_store
setup
trap 'sendmail_stop; stop_milter >/dev/null 2>&1; rm -rf "$tmp"' EXIT

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
DrainTimeout 30
EOF2
check "sendmail configured with F=T" sendmail_config T
check "private sendmail starts" sendmail_start
[ $tap_failed -eq 0 ] || finish

for stage in rcpt data; do
	check "$stage: milter starts" start_milter
	python3 "$top_srcdir/tests/milter/smtp-stop.py" 127.0.0.1 "$sm_port" \
		"$FIXTURES/report.eml" "$milter_pid" "$stage" >"$tmp/smtp.out" 2>&1
	check "$stage: SIGTERM during the message, still answered 250" test $? -eq 0
	sed 's/^/# /' "$tmp/smtp.out"
	wait "$milter_pid"
	check "$stage: the milter then exits 0" test $? -eq 0
	milter_pid=
	check "$stage: it waited for the message" grep -q 'waiting up to 30 s (DrainTimeout)' "$tmp/log"
	check "$stage: the report is stored" test "$(sql 'SELECT count(*) FROM reports')" = 1
	check "$stage: the mail is delivered" sm_wait 1 30
	check "$stage: with its status header" grep -q '^TLS-Report-Status: stored' "$sm/mail/"*.eml
	[ $tap_failed -eq 0 ] || show_log
	rm -f "$sm/mail/"*.eml "$tmp/db" "$tmp/db-wal" "$tmp/db-shm"
	: >"$tmp/log"
done
finish
