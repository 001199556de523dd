#!/bin/sh
# Load: TLSRPT_LOAD_SESSIONS concurrent SMTP sessions (default 50) deliver
# TLSRPT_LOAD_MAILS report mails (default 3000, distinct report-ids)
# through a private loopback Postfix with the milter, while
# `tlsrpt-report summary` reads the same database in a loop.  Every
# report must be stored exactly once, no mail tempfailed (Postfix runs
# with milter_default_action = tempfail and the milter with OnError
# tempfail, so any milter trouble would show as a 4xx), and the daemon's
# resident memory flat: the last sample within TLSRPT_LOAD_RSS_MIB
# (default 20) MiB of the one taken after warm-up.
. "${top_srcdir:?}/tests/faults/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
setup
sessions=${TLSRPT_LOAD_SESSIONS:-50}
mails=${TLSRPT_LOAD_MAILS:-3000}
margin=${TLSRPT_LOAD_RSS_MIB:-20}
# Under AddressSanitizer the allocator keeps a quarantine and a cache per
# thread that fill up over a run far shorter than its warm-up; leaks are
# LeakSanitizer's job there (it checks at stop), so the margin is wider.
if ldd "$MILTER_BIN" 2>/dev/null | grep -q libasan; then
	margin=${TLSRPT_LOAD_RSS_MIB:-64}
fi
trap 'touch "$tmp/stop"; postfix_stop; stop_milter >/dev/null 2>&1; wait; rm -rf "$tmp"' EXIT
db=$tmp/db
gen_mails "$mails" load
postfix_config tempfail
write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
OnError tempfail
EOF2
# ASan keeps freed memory in quarantine (256 MiB by default): cap it, or
# a sanitizer build would look like a leak
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
export ASAN_OPTIONS
check "milter starts" start_milter
check "private postfix starts, smtpd listens" postfix_start
[ $tap_failed -eq 0 ] || finish

# VmRSS every second
(
	while [ ! -e "$tmp/stop" ] && kill -0 "$milter_pid" 2>/dev/null; do
		awk '/^VmRSS:/ { print $2 }' "/proc/$milter_pid/status" >>"$tmp/rss"
		sleep 1
	done
) &
# readers: summary in a loop on the same database
(
	runs=0
	while [ ! -e "$tmp/stop" ]; do
		# from the first commit on: a reader that opens the file between
		# its creation and the schema's sees an empty database and says so
		if [ -f "$db" ] && [ "$(sql_at "$db" 'PRAGMA user_version' 2>/dev/null || echo 0)" != 0 ]; then
			"$REPORT_BIN" -d "$db" summary >/dev/null 2>>"$tmp/summary.err" || echo fail >>"$tmp/summary.fail"
			runs=$((runs + 1))
			echo $runs >"$tmp/summary.runs"
		fi
		sleep 0.2
	done
) &

python3 "$FAULTS/smtp-load.py" "$pf_port" "$tmp/mails" "$mails" "$sessions" "$tmp/attempts" \
	>"$tmp/load.out"
check "load client finished" test $? -eq 0
echo "# $(cat "$tmp/load.out")"
check "every mail accepted, none tempfailed" grep -q "^accepted $mails tempfailed 0 rejected 0 errors 0 " "$tmp/load.out"
accepted=$(awk '{ print $2 }' "$tmp/load.out")
wait_delivered "$accepted" 120
check "every mail delivered to the Maildir" test "$(maildir_count)" -eq "$mails"
t_end=$(date +%s)
touch "$tmp/stop"
wait_rss=$(wc -l <"$tmp/rss")
check "queue empty" test "$(queue_count)" -eq 0
check "no milter trouble in Postfix's log" sh -c "! grep -Eq 'milter-(reject|discard)|warning: .*milter' '$tmp/maillog'"
check "no tempfail in the milter's log" sh -c "! grep -q 'retry later\|cannot store' '$tmp/log'"
check "summary ran during the load" test "$(cat "$tmp/summary.runs" 2>/dev/null || echo 0)" -ge 3
check "summary never failed" test ! -e "$tmp/summary.fail"
check "milter stops cleanly" stop_milter
check "every report stored exactly once" every_report_once "$db"
check "no half-stored report" no_half_report "$db"
check "integrity_check ok" integrity_ok "$db"

# memory: the sample after warm-up (a tenth of the run, at least 3 s) and the last
n=$(wc -l <"$tmp/rss")
warm=$((n / 10))
[ "$warm" -ge 3 ] || warm=3
rss_warm=$(sed -n "${warm}p" "$tmp/rss")
rss_last=$(tail -1 "$tmp/rss")
rss_max=$(sort -n "$tmp/rss" | tail -1)
echo "# VmRSS KiB: after warm-up $rss_warm, last $rss_last, peak $rss_max, $n samples"
check "memory flat: last VmRSS within $margin MiB of warm-up" \
	test "$((rss_last - rss_warm))" -lt "$((margin * 1024))"
secs=$(sed 's/.* seconds //' "$tmp/load.out")
echo "# $mails mails over $sessions sessions in $secs s: $(python3 -c "print(round($mails / $secs, 1))") mails/s accepted; $(cat "$tmp/summary.runs") summary runs"
if [ $tap_failed -ne 0 ]; then
	grep -A2 'cannot store' "$tmp/log" | head -20 | sed 's/^/# /'
	sort "$tmp/summary.err" 2>/dev/null | uniq -c | head -5 | sed 's/^/# summary: /'
	grep -i milter "$tmp/maillog" | head -5 | sed 's/^/# /'
fi
finish
