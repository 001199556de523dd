#!/bin/sh
# A stop loses nothing: SIGTERM while Postfix is in the middle of a report
# mail (after RCPT; after DATA and the headers) must let that message
# finish: answered 250, delivered with its TLS-Report-Status, stored, and
# the milter then exits 0.  An open session holds the stop; a second
# SIGTERM does not wait.  Needs root (a private Postfix, postfix.sh).
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

# An SMTP session that stays open holds the stop (it could still send a
# message); a second SIGTERM stops at once.
check "idle: milter starts" start_milter
python3 - "$pf_port" "$tmp/ready" <<'EOF2' &
import smtplib, sys, time
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
s.ehlo("client.example.net")
open(sys.argv[2], "w").close()
time.sleep(30)
EOF2
client=$!
i=0
while [ ! -f "$tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$milter_pid"
check "idle: the stop waits for the open session" wait_for grep -q 'on 1 MTA connection;' "$tmp/log"
sleep 6  # past libmilter's 5-second listener poll: a stop would be over
check "idle: the open session holds the stop" kill -0 "$milter_pid"
kill -TERM "$milter_pid"
wait "$milter_pid"
check "idle: a second SIGTERM stops at once, exit 0" test $? -eq 0
milter_pid=
check "idle: and says so" grep -q 'still open (second signal)' "$tmp/log"
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
[ $tap_failed -eq 0 ] || show_log
finish
