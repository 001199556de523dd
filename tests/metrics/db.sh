#!/bin/sh
# tlsrpt-report metrics: the exposition passes promtool's linter, its
# numbers are summary's, the label cap folds the rest into "other", hostile
# names stay one valid label, --output replaces the file atomically, and
# the presence gauges follow a daily reporter that went silent.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB="$TMP/t.db"
TLSRPT_NOW=2024-01-12T00:00:00Z
export TLSRPT_NOW
have_promtool() { command -v promtool >/dev/null 2>&1; }
lint() {
	if have_promtool; then
		check "$1" promtool check metrics <"$2"
	else
		skip "$1 (no promtool)"
	fi
}
# value NAME{LABELS}: the sample's value in $TMP/out ("" when absent)
value() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/out"; }

"$TR" -d "$DB" import "$FIX/mail-gzip.eml" "$FIX/mail-two-policies.eml" "$FIX/raw.json" \
	"$FIX/three.mbox" "$FIX/maildir" "$FIX/hostile-domain.json" >/dev/null 2>&1

run -d "$DB" metrics --since 30d
is "metrics: exit 0" "$rc" 0
cp "$TMP/out" "$TMP/all.prom"
lint "metrics: promtool check metrics finds nothing to say" "$TMP/all.prom"
is "metrics: the window is --since" "$(value tlsrpt_report_window_seconds)" 2592000
is "metrics: the time of the run" "$(value tlsrpt_metrics_timestamp_seconds)" 1705017600

# Per policy domain and per reporter: summary's own numbers.
"$TR" -d "$DB" summary --since 30d --by policy-domain --format csv >"$TMP/sum.csv"
"$TR" -d "$DB" summary --since 30d --by submitter --format csv >"$TMP/sub.csv"
WANT=$(python3 - "$TMP/sum.csv" "$TMP/sub.csv" <<'PY'
import csv, re, sys
for path, label in ((sys.argv[1], "policy_domain"), (sys.argv[2], "reporter")):
    for r in csv.DictReader(open(path)):
        key = r[label if label == "policy_domain" else "submitter"]
        if not re.fullmatch(r"[a-z0-9.-]+", key):
            continue  # the hostile one: tested below
        print(label, key, r["successful_sessions"], r["failed_sessions"])
PY
)
GOT=$(python3 - "$TMP/all.prom" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'tlsrpt_(policy_domain|reporter)_sessions\{\w+="([^"]*)",outcome="(\w+)"\} (\d+)$', line)
    if m and re.fullmatch(r"[a-z0-9.-]+", m.group(2)):
        rows.setdefault((m.group(1), m.group(2)), {})[m.group(3)] = m.group(4)
for (label, key), v in rows.items():
    print(label, key, v["successful"], v["failed"])
PY
)
is "metrics: sessions per policy domain and reporter are summary's" \
	"$(echo "$GOT" | sort)" "$(echo "$WANT" | sort)"
head -c 1 "$TMP/sum.csv" >/dev/null
is "metrics: failed sessions by result type are summary's" \
	"$(grep '^tlsrpt_result_type_sessions{result_type="certificate-host-mismatch"}' "$TMP/all.prom" | sed 's/.* //')" \
	"$("$TR" -d "$DB" summary --since 30d --by result-type --format csv | awk -F, '$1=="certificate-host-mismatch"{print $4}')"

# A hostile policy domain (CR LF, a header) stays inside one label value
# (lowercased, as every policy domain is stored).
is "metrics: a hostile domain is one escaped label" \
	"$(grep -c 'policy_domain="exämple.com?\\nbcc: victim@example.net"' "$TMP/all.prom")" 3

# The cap: two values per metric, the rest summed as "other".
run -d "$DB" metrics --since 30d --max-series 2
lint "metrics --max-series 2: still valid" "$TMP/out"
is "metrics --max-series 2: two policy domains and other" \
	"$(grep -c '^tlsrpt_policy_domain_sessions{.*outcome="failed"' "$TMP/out")" 3
SUM_ALL=$(grep '^tlsrpt_reporter_sessions{.*outcome="failed"' "$TMP/all.prom" | awk '{s+=$2} END {print s}')
SUM_CAP=$(grep '^tlsrpt_reporter_sessions{.*outcome="failed"' "$TMP/out" | awk '{s+=$2} END {print s}')
is "metrics --max-series 2: other holds the rest of the failures" "$SUM_CAP" "$SUM_ALL"
is "metrics --max-series 2: says how many values it folded" \
	"$(value 'tlsrpt_metrics_series_dropped{metric="tlsrpt_policy_domain_sessions"}')" \
	"$(($(grep -c '^tlsrpt_policy_domain_sessions{.*outcome="failed"' "$TMP/all.prom") - 2))"
run -d "$DB" metrics --max-series 0
is "metrics --max-series 0: usage error" "$rc" 2

# --output: the file is replaced whole, readable by node_exporter, and
# leaves no temporary file behind.
mkdir "$TMP/textfile"
echo "old" >"$TMP/textfile/tlsrpt.prom"
run -d "$DB" metrics --since 30d --output "$TMP/textfile/tlsrpt.prom"
is "metrics --output: exit 0, nothing on stdout" "$rc:$(wc -c <"$TMP/out")" "0:0"
is "metrics --output: the file is the metrics" "$(cat "$TMP/textfile/tlsrpt.prom")" "$(cat "$TMP/all.prom")"
is "metrics --output: no temporary file left" "$(ls "$TMP/textfile")" "tlsrpt.prom"
is "metrics --output: mode 644" "$(stat -c %a "$TMP/textfile/tlsrpt.prom")" 644
run -d "$DB" metrics --output "$TMP/no/such/dir/tlsrpt.prom"
is "metrics --output into a missing folder: exit 2" "$rc" 2
check "metrics --output into a missing folder: names the file" grep -q "$TMP/no/such/dir/tlsrpt.prom" "$TMP/err"
run -d "$TMP/none.db" metrics
is "metrics on a missing database: exit 2" "$rc" 2

# Presence: daily.example reported every day from 10 December to 9
# January; weekly.example on four days.  The window: 13 December to now
# (2024-01-12T00:00Z), so 28 of daily.example's dates.
D2="$TMP/daily.db"
python3 "$top_srcdir/tests/metrics/daily.py" "$TMP/in" daily.example ours.example 2023-12-10 31
python3 "$top_srcdir/tests/metrics/daily.py" "$TMP/in" daily.example theirs.example 2024-01-05 2
for d in 2023-12-15 2023-12-22 2023-12-29 2024-01-05; do
	python3 "$top_srcdir/tests/metrics/daily.py" "$TMP/in" weekly.example ours.example $d 1
done
"$TR" -d "$D2" import "$TMP/in" >/dev/null 2>&1
run -d "$D2" metrics
lint "metrics, presence: valid" "$TMP/out"
is "metrics, presence: dates reported in the last 30 days and today" \
	"$(value 'tlsrpt_reporter_dates_reported{reporter="daily.example"}') $(value 'tlsrpt_reporter_dates_reported{reporter="weekly.example"}')" \
	"28 4"
is "metrics, presence: end of the latest report per reporter and domain" \
	"$(value 'tlsrpt_last_report_timestamp_seconds{reporter="daily.example",policy_domain="ours.example"}')" \
	"$(date -u -d 2024-01-09T23:59:59Z +%s)"
is "metrics, presence: a second domain of the same reporter" \
	"$(value 'tlsrpt_last_report_timestamp_seconds{reporter="daily.example",policy_domain="theirs.example"}')" \
	"$(date -u -d 2024-01-06T23:59:59Z +%s)"
is "metrics, default window: the last 24 hours" "$(value tlsrpt_report_window_seconds)" 86400
run -d "$D2" metrics --max-series 1
is "metrics --max-series 1: the reporter on most dates is kept" \
	"$(grep -c '^tlsrpt_reporter_dates_reported{' "$TMP/out") $(value 'tlsrpt_reporter_dates_reported{reporter="daily.example"}')" "1 28"
is "metrics --max-series 1: one pair of it, the rest as other with the newest date" \
	"$(grep '^tlsrpt_last_report_timestamp_seconds{' "$TMP/out" | sed 's/ .*//' | tr '\n' ' ')" \
	'tlsrpt_last_report_timestamp_seconds{reporter="daily.example",policy_domain="ours.example"} tlsrpt_last_report_timestamp_seconds{reporter="other",policy_domain="other"} '
is "metrics --max-series 1: other is the newest of the folded pairs" \
	"$(value 'tlsrpt_last_report_timestamp_seconds{reporter="other",policy_domain="other"}')" \
	"$(date -u -d 2024-01-06T23:59:59Z +%s)"
done_testing
