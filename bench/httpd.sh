#!/usr/bin/env bash
# tlsrpt-httpd against tlsrpt-report import, on the same reports, in one
# run: N generated reports (half gzip, half JSON, all distinct, written by
# tests/httpd/loadgen.py --write) are imported from files into one fresh
# database, then posted by C concurrent keep-alive clients (loadgen.py,
# plain HTTP on loopback) to a tlsrpt-httpd writing into another.  Prints
# reports per second for both, and the daemon's latency percentiles.
# Repeated REPS times, interleaved; medians are reported.
#
# Usage: bench/httpd.sh
# Environment:
#   BUILD=DIR   build directory (build)
#   N=COUNT     reports (10000)
#   CLIENTS=C   concurrent HTTP clients (50)
#   REPS=R      repetitions (3)
#   OUT=DIR     inputs and results (bench/out/httpd)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
N=${N:-10000}
CLIENTS=${CLIENTS:-50}
REPS=${REPS:-3}
OUT=${OUT:-$top/bench/out/httpd}
httpd=$BUILD/httpd/tlsrpt-httpd
report=$BUILD/aggregator/tlsrpt-report
loadgen=$top/tests/httpd/loadgen.py
mkdir -p "$OUT"
rm -rf "$OUT/reports"
python3 "$loadgen" - --reports "$N" --tag bench --dup-every 0 --invalid-every 0 --write "$OUT/reports"
results=$OUT/results.txt
: >"$results"
for rep in $(seq 1 "$REPS"); do
	rm -f "$OUT"/import.db* "$OUT"/httpd.db*
	t0=$(date +%s.%N)
	"$report" -d "$OUT/import.db" import "$OUT/reports" >/dev/null
	t1=$(date +%s.%N)
	imp=$(python3 -c "print(round($N / ($t1 - $t0), 1))")
	printf 'Listen 127.0.0.1:0\nDatabase %s/httpd.db\nMaxConnectionsPerIP 1000\nRateLimit 0\nLogLevel notice\n' \
		"$OUT" >"$OUT/httpd.conf"
	"$httpd" -f -c "$OUT/httpd.conf" 2>"$OUT/httpd.log" &
	pid=$!
	for _ in $(seq 1 100); do
		port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$OUT/httpd.log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	# the same generator and arguments as the files import read: the same reports
	python3 "$loadgen" "http://127.0.0.1:$port/tlsrpt" --clients "$CLIENTS" --reports "$N" \
		--tag bench --dup-every 0 --invalid-every 0 >"$OUT/post.json"
	kill "$pid"; wait "$pid" || true
	stored=$(sqlite3 "$OUT/httpd.db" 'SELECT count(*) FROM reports')
	python3 - "$OUT/post.json" "$imp" "$stored" "$rep" >>"$results" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"rep": int(sys.argv[4]), "import_per_s": float(sys.argv[2]),
                  "httpd_per_s": d["per_second"], "p50_ms": d["p50_ms"], "p99_ms": d["p99_ms"],
                  "stored": int(sys.argv[3]), "codes": d["codes"]}))
PY
	tail -1 "$results"
done
python3 - "$results" "$N" "$CLIENTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in rows)
print("%s reports, %s clients, %d runs (medians):" % (sys.argv[2], sys.argv[3], len(rows)))
print("  tlsrpt-report import   %8.0f reports/s" % med("import_per_s"))
print("  tlsrpt-httpd POST      %8.0f reports/s   p50 %.1f ms   p99 %.1f ms" %
      (med("httpd_per_s"), med("p50_ms"), med("p99_ms")))
PY
