#!/bin/sh
# tlsrpt-report check-failures, the monitoring plugin: exit 0/1/2/3 by the
# Monitoring Plugins guidelines, every range form, one status line with
# performance data, and summary's numbers.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB="$TMP/t.db"
TLSRPT_NOW=2024-01-12T00:00:00Z
export TLSRPT_NOW
# 2024-01-11: a.example 980 ok and 20 failed, b.example 1000 ok: 20 of 2,000 (1 %)
python3 "$top_srcdir/tests/metrics/daily.py" "$TMP/in" a.example ours.example 2024-01-11 1 980 20
python3 "$top_srcdir/tests/metrics/daily.py" "$TMP/in" b.example ours.example 2024-01-11 1 1000 0
"$TR" -d "$DB" import "$TMP/in" >/dev/null 2>&1

# state ARGS...: "exit status:first word after TLSRPT"
state() {
	run -d "$DB" check-failures "$@"
	echo "$rc:$(sed -n '1s/^TLSRPT \([A-Z]*\) .*/\1/p' "$TMP/out")"
}

is "rate 1% under -w 2 -c 5: OK" "$(state -w 2 -c 5)" "0:OK"
is "rate 1% over -w 0.5: WARNING" "$(state -w 0.5 -c 5)" "1:WARNING"
is "rate 1% over -c 0.9: CRITICAL (worse wins)" "$(state -w 0.5 -c 0.9)" "2:CRITICAL"
is "range ~:0.5 alerts above" "$(state -c '~:0.5')" "2:CRITICAL"
is "range 2: alerts below" "$(state -w 2:)" "1:WARNING"
is "range 0:2 holds 1" "$(state -w 0:2)" "0:OK"
is "range @0.5:2 alerts inside" "$(state -c @0.5:2)" "2:CRITICAL"
is "range @2:3 does not" "$(state -c @2:3)" "0:OK"
is "count 20 over --warning-count 10" "$(state --warning-count 10)" "1:WARNING"
is "count 20 under --critical-count 50" "$(state --critical-count 50)" "0:OK"
is "--min-sessions 5000: the rate is not judged" "$(state -c 0.5 --min-sessions 5000)" "0:OK"
check "--min-sessions says so" grep -q "too few sessions to judge the rate" "$TMP/out"
is "--submitter b.example: no failures" "$(state -c 0.5 --submitter b.example)" "0:OK"
is "an empty window: OK" "$(state -c 0.5 --since 2h)" "0:OK"

run -d "$DB" check-failures -w 0.5 -c 5
is "one line on stdout" "$(wc -l <"$TMP/out")" 1
is "the status line" "$(sed 's/ |.*//' "$TMP/out")" \
	"TLSRPT WARNING - 1.0% of 2,000 sessions failed in the last 24h (20), 1 failing sender, most by a.example (20)"
is "the performance data" "$(sed 's/.* | //' "$TMP/out")" \
	"failure_rate=1.000%;0.5;5;0;100 failed_sessions=20;;;0; sessions=2000;;;0; failing_senders=1;;;0;"
WANT=$("$TR" -d "$DB" summary --since 24h --format json | python3 -c 'import json, sys
t = json.load(sys.stdin)["totals"]; print(t["successful_sessions"] + t["failed_sessions"], t["failed_sessions"])')
is "sessions and failures are summary's" \
	"$(sed 's/.* sessions=\([0-9]*\);.*/\1/' "$TMP/out") $(sed 's/.* failed_sessions=\([0-9]*\);.*/\1/' "$TMP/out")" "$WANT"

is "no threshold: UNKNOWN" "$(state)" "3:UNKNOWN"
is "a bad range: UNKNOWN" "$(state -w 5:1)" "3:UNKNOWN"
is "not a number: UNKNOWN" "$(state -w ten)" "3:UNKNOWN"
is "an unknown option: UNKNOWN" "$(state -w 1 --frobnicate)" "3:UNKNOWN"
rc=0
"$TR" -d "$TMP/none.db" check-failures -w 1 >"$TMP/out" 2>"$TMP/err" || rc=$?
is "no database: UNKNOWN" "$rc:$(cut -c1-14 "$TMP/out")" "3:TLSRPT UNKNOWN"
run check-failures --help
is "--help: exit 0 and the usage" "$rc:$(head -c 6 "$TMP/out")" "0:Usage:"
done_testing
