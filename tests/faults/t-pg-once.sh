#!/bin/sh
# Exactly once across hosts: two "MX hosts" on loopback, each a private
# Postfix with its own tlsrpt-milter process, both writing into one
# PostgreSQL database, receive the same 300 report mails at the same
# moment (8 SMTP sessions each).  Both deliver every mail; each report is
# stored by one milter and found a duplicate by the other, and every
# summary (each --by) equals a fresh import of the same mails into SQLite:
# no report counted twice in a rollup, none missing.
. "${top_srcdir:?}/tests/faults/pg.sh"
n=300
pg_fault_setup postfix $n once
SANDBOX=$top_srcdir/scripts/postfix-sandbox
trap '"$SANDBOX" stop "$tmp/a"; "$SANDBOX" stop "$tmp/b"; pg_cleanup' EXIT
uri=$(pg_fresh_db) || { echo "Bail out! pg_fresh_db failed"; exit 1; }

for h in a b; do
	mkdir "$tmp/$h"
	pg_write_conf $h "$uri"
	check "milter $h starts on the shared database" pg_start_milter $h
	MILTER_DEFAULT_ACTION=tempfail "$SANDBOX" config "$tmp/$h" "unix:$tmp/sock.$h" >"$tmp/port.$h"
done
# the two start side by side: each takes seconds
"$SANDBOX" start "$tmp/a" 2>"$tmp/start.a" & pf_a=$!
"$SANDBOX" start "$tmp/b" 2>"$tmp/start.b"
check "postfix b starts" test $? -eq 0
wait $pf_a
check "postfix a starts" test $? -eq 0
[ $tap_failed -eq 0 ] || { pg_show_logs; finish; }

# both senders start together, each mail racing its twin at the other host
for h in a b; do
	python3 "$FAULTS/smtp-load.py" "$(cat "$tmp/port.$h")" "$tmp/mails" $n 8 "$tmp/smtp.$h" \
		--retry 60 >"$tmp/load.$h" 2>&1 &
	echo $! >"$tmp/sender.$h"
done
for h in a b; do
	wait "$(cat "$tmp/sender.$h")"
	check "host $h accepted all $n mails over SMTP" grep -q "^accepted $n " "$tmp/load.$h"
	check "host $h delivered all $n" "$SANDBOX" wait "$tmp/$h" $n 60
done
"$SANDBOX" stop "$tmp/a"
"$SANDBOX" stop "$tmp/b"
check "both milters stop cleanly" pg_stop_milter a b

stored=$(cat "$tmp/log.a" "$tmp/log.b" | grep -c ': stored: ')
dups=$(cat "$tmp/log.a" "$tmp/log.b" | grep -c ': duplicate: ')
echo "# stored by a: $(grep -c ': stored: ' "$tmp/log.a"), by b: $(grep -c ': stored: ' "$tmp/log.b")"
check "the two milters stored $n reports between them" test "$stored" = $n
check "and found $n duplicates" test "$dups" = $n
check "no report-id stored twice" test -z "$(cat "$tmp/log.a" "$tmp/log.b" |
	sed -n 's/.*: stored: .*report-id=\([^ ]*\).*/\1/p' | sort | uniq -d)"
check "the database holds every report once" every_report_once "$uri"
check "no half-stored report" pg_no_half_report "$uri"
check "every summary equals a fresh SQLite import" rollups_like_fresh_import "$uri"
cat "$tmp/load.a" "$tmp/load.b" | sed "s/^/# /"
[ $tap_failed -eq 0 ] || { pg_show_logs; tail -5 "$tmp/load.a" "$tmp/load.b" | sed 's/^/# /'; }
finish
