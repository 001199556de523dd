#!/bin/sh
# tlsrpt-report import: every kind of input, each report stored exactly
# once, and the stored totals equal to sums computed independently from
# the fixture JSON with python.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)

run -d "$DB" import "$FIX/mail-gzip.eml"
is "message with a gzip report: exit 0" "$rc" 0
is "message with a gzip report: stored line" "$(cat "$TMP/out")" \
	"stored reporter-a.example 2024-01-01T00:00:00Z_a1 (1 policies, 100 ok, 5 failed)"
is "count line on stderr" "$(tail -n 1 "$TMP/err")" "1 stored, 0 duplicate, 0 invalid"

run import "$FIX/mail-gzip.eml" -d "$DB"
is "same mail again (-d after the operand): duplicate" "$(cat "$TMP/out")" \
	"duplicate reporter-a.example 2024-01-01T00:00:00Z_a1"
is "duplicate is exit 0" "$rc" 0

TLSRPT_DB="$DB" "$TR" import "$FIX/mail-gzip-again.eml" >"$TMP/out" 2>"$TMP/err"
is "same report in another mail (via \$TLSRPT_DB): duplicate" "$(cat "$TMP/out")" \
	"duplicate reporter-a.example 2024-01-01T00:00:00Z_a1"

run -d "$DB" import "$FIX/mail-two-policies.eml" "$FIX/raw.json" "$FIX/raw.json.gz"
is "uncompressed report, raw json, raw json.gz: exit 0" "$rc" 0
is "three stored" "$(cat "$TMP/out")" "stored reporter-b.example.net b-0001 (2 policies, 70 ok, 1 failed)
stored reporter-c.example c-42 (1 policies, 10 ok, 10 failed)
stored reporter-d.example d-1 (1 policies, 7 ok, 1 failed)"

run -d "$DB" import "$FIX/three.mbox"
is "mbox of three messages" "$(cut -d' ' -f1-3 "$TMP/out")" "stored reporter-e.example e-1
stored reporter-e.example e-2
stored reporter-e.example e-3"

run -d "$DB" import "$FIX/maildir"
is "Maildir: cur/ then new/, tmp/ ignored" "$(cut -d' ' -f1-3 "$TMP/out")" \
	"stored reporter-f.example f-1
stored reporter-f.example f-2"

rc=0
"$TR" -d "$DB" import - <"$FIX/stdin.eml" >"$TMP/out" 2>"$TMP/err" || rc=$?
is "one message on stdin" "$(cut -d' ' -f1-3 "$TMP/out"):$rc" "stored reporter-g.example g-1:0"

run -d "$DB" import "$FIX/shared-id-h.eml" "$FIX/shared-id-i.eml"
is "same report-id from two submitters: two reports" "$(cut -d' ' -f1-3 "$TMP/out")" \
	"stored reporter-h.example shared-1
stored reporter-i.example shared-1"

run -d "$DB" import "$FIX/no-report.eml"
is "message without a report: not an error" "$rc" 0
check "message without a report: said on stderr" grep -q "^tlsrpt-report: no report in .*no-report.eml$" "$TMP/err"
is "message without a report: nothing on stdout" "$(cat "$TMP/out")" ""

run -d "$DB" import "$FIX/invalid.eml" "$FIX/three.mbox"
is "an invalid report: exit 1" "$rc" 1
check "an invalid report: invalid line with the reason" \
	grep -q "^invalid reporter-x.example -: .*report-id" "$TMP/out"
is "an invalid report does not stop the rest" "$(grep -c ^duplicate "$TMP/out")" 3
is "count line counts the invalid one" "$(tail -n 1 "$TMP/err")" "0 stored, 3 duplicate, 1 invalid"

# A directory that is not a Maildir: every regular file in it, sorted.
mkdir "$TMP/spool" "$TMP/spool/sub"
cp "$FIX/raw.json" "$TMP/spool/b.json"
cp "$FIX/stdin.eml" "$TMP/spool/a"
cp "$FIX/mail-gzip.eml" "$TMP/spool/.partial"
cp "$FIX/mail-gzip.eml" "$TMP/spool/sub/x.eml"
run -d "$DB" import "$TMP/spool"
is "spool directory: its regular files, sorted, dot-files skipped" "$(cat "$TMP/out")" \
	"duplicate reporter-g.example g-1
duplicate reporter-c.example c-42"

# Unreadable and oversized input: reported, the rest still imported.
T2=$(new_db t2.db)
run -d "$T2" import "$TMP/no-such-file.eml" "$FIX/raw.json"
is "unreadable PATH: exit 2" "$rc" 2
check "unreadable PATH: named on stderr" grep -q "no-such-file.eml: cannot open" "$TMP/err"
check "unreadable PATH: the others still imported" grep -q "^stored reporter-c.example c-42" "$TMP/out"

size=$(wc -c <"$FIX/mail-gzip.eml")
run -d "$T2" import --max-message $((size - 1)) "$FIX/mail-gzip.eml" "$FIX/three.mbox"
is "oversized file: exit 1, not a crash" "$rc" 1
check "oversized file: error line" grep -q "mail-gzip.eml: larger than max_message" "$TMP/err"
is "oversized: the mbox's smaller messages still imported, the larger skipped" \
	"$(cut -d' ' -f1-3 "$TMP/out"):$(grep -c 'three.mbox, message 2: message larger' "$TMP/err")" \
	"stored reporter-e.example e-1
stored reporter-e.example e-3:1"
run -d "$T2" import --max-message 100 "$FIX/three.mbox"
is "oversized mbox messages: each skipped, exit 1" "$rc:$(grep -c 'message [123]: message larger' "$TMP/err")" "1:3"
run -d "$T2" parse --max-message 100 - <"$FIX/stdin.eml"
is "oversized stdin: exit 1" "$rc" 1

# A report the database refuses: said on stderr, exit 2, the rest stored.
# A trigger, in each backend's dialect, fails inserts for one submitter.
T3=$(new_db t3.db)
"$TR" -d "$T3" import "$FIX/raw.json" >/dev/null 2>&1
if db_is_uri "$T3"; then
	sql "$T3" "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \$f\$ BEGIN
		IF NEW.submitter = 'reporter-d.example' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
		RETURN NEW; END \$f\$;
		CREATE TRIGGER refuse BEFORE INSERT ON reports FOR EACH ROW EXECUTE FUNCTION refuse()"
else
	sql "$T3" "CREATE TRIGGER refuse BEFORE INSERT ON reports WHEN NEW.submitter = 'reporter-d.example'
		BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
fi
run -d "$T3" import "$FIX/raw.json.gz" "$FIX/stdin.eml"
is "store failure: exit 2" "$rc" 2
check "store failure: reported with the report named" \
	grep -q "raw.json.gz: cannot store reporter-d.example d-1: .*refused by test trigger" "$TMP/err"
is "store failure: the other report still stored" "$(cut -d' ' -f1-3 "$TMP/out")" \
	"stored reporter-g.example g-1"
is "store failure: not counted as stored" "$(tail -n 1 "$TMP/err")" "1 stored, 0 duplicate, 0 invalid"

# Totals against sums computed from the fixture JSON (12 distinct reports).
python3 - "$FIX/reports" >"$TMP/want" <<'PY'
import json, os, sys
rows = {}
tot = [0, 0, 0]
for name in sorted(os.listdir(sys.argv[1])):
    r = json.load(open(os.path.join(sys.argv[1], name)))
    sub = r["contact-info"].split("@", 1)[1]
    row = rows.setdefault(sub, {"reports": 0, "successful_sessions": 0,
                                "failed_sessions": 0, "result_types": {}})
    row["reports"] += 1
    tot[0] += 1
    for p in r["policies"]:
        row["successful_sessions"] += p["summary"]["total-successful-session-count"]
        row["failed_sessions"] += p["summary"]["total-failure-session-count"]
        tot[1] += p["summary"]["total-successful-session-count"]
        tot[2] += p["summary"]["total-failure-session-count"]
        for f in p.get("failure-details", []):
            t = row["result_types"]
            t[f["result-type"]] = t.get(f["result-type"], 0) + f["failed-session-count"]
print(json.dumps({"totals": tot, "rows": rows}, sort_keys=True))
PY
run -d "$DB" summary --format json
is "summary after all imports: exit 0" "$rc" 0
python3 - "$TMP/out" >"$TMP/got" 2>"$TMP/pyerr" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["totals"]
rows = {r["submitter"]: {k: r[k] for k in ("reports", "successful_sessions",
                                          "failed_sessions", "result_types")}
        for r in s["rows"]}
print(json.dumps({"totals": [t["reports"], t["successful_sessions"], t["failed_sessions"]],
                  "rows": rows}, sort_keys=True))
PY
is "totals and every row equal the independent sums" "$(cat "$TMP/got")" "$(cat "$TMP/want")"


# Reading and parsing in a second thread (the default with two CPUs) changes
# nothing the user sees: the same lines in the same order on stdout and
# stderr, the same exit status and the same rows as in one thread
# (TLSRPT_IMPORT_THREADS=1), across more units than the queue holds and
# with problems, invalid reports, a message without one and stdin between
# them.  received_at is left out: it is the time of the import.
both_ways() {
	for threads in 1 2; do
		rm -f "$TMP/thr$threads.db"*
		tdb=$(new_db "thr$threads.db")
		rc=0
		TLSRPT_IMPORT_THREADS=$threads "$TR" -d "$tdb" import --max-message "$1" \
			"$FIX/three.mbox" "$TMP/no-such-file.eml" "$FIX/invalid.eml" "$FIX/maildir" \
			"$FIX/no-report.eml" - "$FIX/mail-two-policies.eml" "$FIX/raw.json.gz" \
			"$FIX/reports" "$FIX/three.mbox" "$FIX/raw.json" \
			<"$FIX/stdin.eml" >"$TMP/thr$threads.out" 2>&1 || rc=$?
		echo "exit $rc" >>"$TMP/thr$threads.out"
		sql "$tdb" "SELECT submitter, report_id, start_time, source, message_id, length(raw_json),
			policy_domain, total_failure FROM reports r LEFT JOIN policies p ON p.report = r.id
			ORDER BY r.id, p.id" >"$TMP/thr$threads.rows" 2>&1
	done
}
both_ways 1000000
check "two threads: some reports stored" grep -q "^stored reporter-e.example e-1" "$TMP/thr2.out"
check "two threads: output, order and exit status as in one" cmp "$TMP/thr1.out" "$TMP/thr2.out"
check "two threads: the same rows as in one" cmp "$TMP/thr1.rows" "$TMP/thr2.rows"
both_ways 700
check "two threads, messages over max_message: as in one" cmp "$TMP/thr1.out" "$TMP/thr2.out"

done_testing
