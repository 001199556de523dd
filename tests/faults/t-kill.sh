#!/bin/sh
# kill -9 of the milter in the middle of a load through a private loopback
# Postfix (20 concurrent sessions, TLSRPT_KILL_MAILS report mails, default
# 1000), restarted a second later, once per milter_default_action:
#  - accept (what docs/postfix.md recommends): mail passes while the
#    milter is down, unstored; it reaches the Maildir, and importing the
#    Maildir afterwards stores what was missed;
#  - tempfail: the client is told 4xx and sends again (smtp-load.py
#    retries as a sending MTA would), so every report reaches the milter.
# Either way: PRAGMA integrity_check is ok, no report is half-stored,
# every mail Postfix accepted is in the Maildir or still queued, and in
# the end every report is stored exactly once.
. "${top_srcdir:?}/tests/faults/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
setup
base=$tmp
chmod 755 "$base"  # Postfix's own users work below it
mails=${TLSRPT_KILL_MAILS:-1000}
sessions=20
trap 'postfix_stop; stop_milter >/dev/null 2>&1; [ -n "${load_pid:-}" ] && kill "$load_pid" 2>/dev/null; rm -rf "$base"' EXIT

# kill_under_load ACTION: one run; leaves its files in $base/ACTION
kill_under_load() {
	action=$1
	tmp=$base/$action
	mkdir "$tmp"
	db=$tmp/db
	gen_mails "$mails" "kill$action"
	postfix_config "$action"
	write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
EOF2
	check "$action: milter starts" start_milter
	check "$action: private postfix starts, smtpd listens" postfix_start
	[ $tap_failed -eq 0 ] || finish
	python3 "$FAULTS/smtp-load.py" "$pf_port" "$tmp/mails" "$mails" "$sessions" \
		"$tmp/attempts" --retry 90 >"$tmp/load.out" &
	load_pid=$!
	third=$((mails / 3))
	for _ in $(seq 300); do
		[ "$(sql_at "$db" 'SELECT count(*) FROM reports' 2>/dev/null || echo 0)" -ge "$third" ] && break
		sleep 0.1
	done
	before=$(sql_at "$db" 'SELECT count(*) FROM reports')
	kill -9 "$milter_pid"
	wait "$milter_pid" 2>/dev/null
	milter_pid=
	check "$action: killed with the load running ($before reports stored)" kill -0 "$load_pid"
	sleep 1
	check "$action: milter restarts on the same database" start_milter
	wait "$load_pid"
	check "$action: load client finished" test $? -eq 0
	load_pid=
	echo "# $action: $(cat "$tmp/load.out"); $(grep -c ' 4[0-9][0-9]$' "$tmp/attempts") 4xx answers"
	check "$action: every mail accepted in the end" grep -q "^accepted $mails " "$tmp/load.out"
	wait_delivered "$mails" 60
	check "$action: Maildir + queue hold every accepted mail" \
		test "$(($(maildir_count) + $(queue_count)))" -eq "$mails"
	check "$action: milter stops cleanly" stop_milter
	postfix_stop
	check "$action: integrity_check ok" integrity_ok "$db"
	check "$action: no half-stored report" no_half_report "$db"
	stored=$(sql_at "$db" 'SELECT count(*) FROM reports')
	echo "# $action: $stored of $mails reports stored by the milter"
}

kill_under_load accept
check "accept: mails passed unstored while it was down" test "$stored" -lt "$mails"
check "accept: importing the Maildir, then only duplicates" import_twice "$db" "$tmp/mail/maildir"
check "accept: import stored exactly the missed ones" grep -q "^$((mails - stored)) stored, $stored duplicate" "$tmp/import1.err"
check "accept: every report stored exactly once" every_report_once "$db"
check "accept: still no half-stored report" no_half_report "$db"

kill_under_load tempfail
check "tempfail: mails were tempfailed while it was down" grep -q ' 4[0-9][0-9]$' "$tmp/attempts"
check "tempfail: every report stored exactly once, no import" every_report_once "$db"
[ $tap_failed -eq 0 ] || { tmp=$base/accept; show_log; tmp=$base/tempfail; show_log; show_maillog 10; }
finish
