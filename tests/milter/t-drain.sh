#!/bin/sh
# A stop loses nothing: SIGTERM while Postfix is in the middle of a report
# mail (after RCPT; after DATA and the headers) must let that message
# finish: answered 250, delivered with its TLS-Report-Status, stored, and
# the milter then exits 0.  Needs root (a private Postfix, postfix.sh).
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
setup
trap 'postfix_stop; stop_milter >/dev/null 2>&1; rm -rf "$tmp"' EXIT
postfix_config accept

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
DrainTimeout 30
EOF2
check "private postfix starts, smtpd listens" postfix_start
[ $tap_failed -eq 0 ] || finish

for stage in rcpt data; do
	check "$stage: milter starts" start_milter
	python3 "$top_srcdir/tests/milter/smtp-stop.py" 127.0.0.1 "$pf_port" \
		"$FIXTURES/report.eml" "$milter_pid" "$stage" >"$tmp/smtp.out" 2>&1
	check "$stage: SIGTERM during the message, still answered 250" test $? -eq 0
	sed 's/^/# /' "$tmp/smtp.out"
	wait "$milter_pid"
	check "$stage: the milter then exits 0" test $? -eq 0
	milter_pid=
	check "$stage: it waited for the message" grep -q 'waiting up to 30 s (DrainTimeout) for' "$tmp/log"
	check "$stage: the report is stored" test "$(sql 'SELECT count(*) FROM reports')" = 1
	check "$stage: the mail is delivered" wait_delivered 1 30
	check "$stage: with its status header" \
		grep -q '^TLS-Report-Status: stored' "$tmp/mail/maildir/new/"*
	rm -f "$tmp/mail/maildir/new/"* "$tmp/db" "$tmp/db-wal" "$tmp/db-shm"
	[ $tap_failed -eq 0 ] || { show_log; show_maillog; }
	: >"$tmp/log"
done
finish
