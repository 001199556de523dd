#!/bin/sh
# Load and faults: 50 concurrent clients post HTTPD_LOAD_REPORTS reports
# (default 10,000; some duplicated, some invalid) while, mid-load, another
# process holds the database's write lock for 3 s.  No request gets a 5xx;
# what arrives while the database is locked is spooled, acknowledged and
# replayed; in the end each valid report is stored exactly once.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
need_python
N=${HTTPD_LOAD_REPORTS:-10000}
write_conf <<EOF2
MaxConnectionsPerIP 100
RateLimit 0
LogLevel notice
EOF2
check "daemon starts" start_httpd
python3 "$HTTPD_DIR/loadgen.py" "$(url /tlsrpt)" --clients 50 --reports "$N" --tag load \
	>"$tmp/result" 2>"$tmp/loadgen.err" &
load=$!
wait_for test -s "$tmp/db"
sleep 1
python3 "$top_srcdir/tests/faults/hold-lock.py" "$tmp/db" "$tmp/locked" "$tmp/release" 30 &
holder=$!
wait_for test -f "$tmp/locked"
sleep 3
touch "$tmp/release"
wait "$holder"
wait "$load"
sed 's/^/# /' "$tmp/result"
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$tmp/result" "$1"; }
check "every request answered" test "$(field 'sum(d["codes"].values())')" = "$N"
check "no 5xx and no transport failure" \
	test "$(field 'sum(v for k, v in d["codes"].items() if not k.startswith("2") and not k.startswith("4"))')" = 0
check "only 201 and 400" test "$(field 'sorted(d["codes"])')" = "['201', '400']"
check "some reports were spooled while the database was locked" grep -q 'report spooled to' "$tmp/log"
check "the spool is replayed" wait_long sh -c "[ -z \"\$(ls '$tmp/spool')\" ]"
want=$(field 'd["valid_unique"]')
check "each valid report stored exactly once ($want)" \
	test "$(sql "SELECT count(DISTINCT report_id) || ' ' || count(*) FROM reports")" = "$want $want"
check "database intact" test "$(sql 'PRAGMA integrity_check')" = ok
check "daemon stops cleanly" stop_httpd
finish
