#!/bin/sh
# Fault: PostgreSQL restarts under load.  A private Postfix on loopback
# takes 200 report mails over 8 concurrent SMTP sessions while the milter
# stores them in a private cluster, which is restarted (fast shutdown:
# open transactions are cut off) once a third are in.  Under OnError
# tempfail (and milter_default_action tempfail) what the milter cannot
# store is refused with 4xx and sent again, as a sending MTA would
# (smtp-load.py --retry); afterwards every mail is delivered, every
# report stored exactly once and none half, and every summary equals a
# fresh import of the same mails.
. "${top_srcdir:?}/tests/faults/pg.sh"
n=200
pg_fault_setup postfix $n restart pg
trap 'postfix_stop; pg_cleanup' EXIT
uri=$(pg_uri pg)
postfix_config tempfail
write_conf <<EOF2
Database $uri
SocketMode 0666
OnError tempfail
EOF2
check "milter starts" start_milter
check "private postfix starts" postfix_start
[ $tap_failed -eq 0 ] || finish

python3 "$FAULTS/smtp-load.py" "$pf_port" "$tmp/mails" $n 8 "$tmp/attempts" --retry 60 \
	>"$tmp/load.out" 2>&1 &
load=$!
check "a third of the reports stored" pg_wait_value "$uri" \
	"SELECT count(*) >= $((n / 3)) FROM reports" t
check "the server restarts under load" "$CLUSTER" restart "$tmp/pg"
wait $load
check "every mail accepted in the end" grep -q "^accepted $n " "$tmp/load.out"
check "every mail delivered" wait_delivered $n 60
echo "# $(cat "$tmp/load.out"); answered 4xx $(grep -c " 4" "$tmp/attempts") times"
postfix_stop
check "milter stops cleanly" stop_milter
check "every report stored exactly once" every_report_once "$uri"
check "no half-stored report" pg_no_half_report "$uri"
check "every summary equals a fresh SQLite import" rollups_like_fresh_import "$uri"
[ $tap_failed -eq 0 ] || { show_log; show_maillog; }
finish
