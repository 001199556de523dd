#!/bin/sh
# tlsrpt-report summary: the three formats (JSON and CSV read back with
# python), the grouping keys, the filters and windows, and that a hostile
# report cannot reach the terminal unescaped.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)
"$TR" -d "$DB" import "$FIX/mail-gzip.eml" "$FIX/mail-two-policies.eml" "$FIX/raw.json" \
	"$FIX/raw.json.gz" "$FIX/three.mbox" >/dev/null 2>&1

# py EXPR: evaluate EXPR with s = the JSON on stdout of the last run.
py() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$TMP/out" 2>/dev/null; }

run -d "$DB" summary --format json
is "json: exit 0" "$rc" 0
is "json: totals" "$(py 's["totals"]')" \
	"{'reports': 7, 'successful_sessions': 1236753, 'failed_sessions': 22, 'failed_sessions_under_policy': 21}"
is "json: rows most failed first" "$(py '[r["submitter"] for r in s["rows"]]')" \
	"['reporter-c.example', 'reporter-a.example', 'reporter-e.example', 'reporter-b.example.net', 'reporter-d.example']"
is "json: a row in full" "$(py '[r for r in s["rows"] if r["submitter"] == "reporter-a.example"][0]')" \
	"{'submitter': 'reporter-a.example', 'organization': 'Reporter A Inc.', 'reports': 1, 'successful_sessions': 100, 'failed_sessions': 5, 'failed_sessions_under_policy': 5, 'result_types': {'certificate-expired': 3, 'starttls-not-supported': 2}}"
is "json: a row's member names, in order" "$(py 'list(s["rows"][0].keys())')" \
	"['submitter', 'organization', 'reports', 'successful_sessions', 'failed_sessions', 'failed_sessions_under_policy', 'result_types']"
is "json: the members, in order; no reporter of these went silent" "$(py 'list(s.keys()), s["silent_reporters"]')" \
	"['totals', 'rows', 'silent_reporters'] []"

run -d "$DB" summary --format csv
is "csv: exit 0" "$rc" 0
is "csv: read back" "$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
print(rows[0]); print(len(rows) - 1)
print([r for r in rows if r[0] == "reporter-a.example"][0])' "$TMP/out")" \
	"['submitter', 'organization', 'reports', 'successful_sessions', 'failed_sessions', 'result_types', 'silent', 'last_report']
5
['reporter-a.example', 'Reporter A Inc.', '1', '100', '5', 'certificate-expired=3;starttls-not-supported=2', '0', '']"

run -d "$DB" summary
is "text: exit 0" "$rc" 0
check "text: header line" grep -q "^SUBMITTER  *ORGANIZATION  *REPORTS  *SUCCESSFUL  *FAILED  *FAIL%  *RESULT TYPES$" "$TMP/out"
check "text: thousands grouped" grep -q "^reporter-e.example  *Reporter E  *3  *1,236,566  *5 " "$TMP/out"
check "text: totals line" grep -q "^TOTAL  *7  *1,236,753  *22 " "$TMP/out"
check "text: a row with its failure rate and types" \
	grep -q "^reporter-a.example  *Reporter A Inc.  *1  *100  *5  *4.8%  *certificate-expired 3, starttls-not-supported 2$" "$TMP/out"
is "text: the result types column starts at the same place on every line" "$(python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
col = lines[0].index("RESULT TYPES")
print(all(l[col - 2:col] == "  " and l[col - 3] != " " for l in lines[1:] if len(l) > col and not l.startswith("+ ")))' "$TMP/out")" True

run -d "$DB" summary --by policy-domain --format json
is "by policy-domain: rows keyed policy_domain" "$(py 'sorted((r["policy_domain"], r["successful_sessions"], r["failed_sessions"]) for r in s["rows"])')" \
	"[('example.com', 1236726, 20), ('example.net', 7, 1), ('example.org', 20, 1)]"
run -d "$DB" summary --by result_type --format json
is "by result-type (underscore accepted)" "$(py 'sorted((r["result_type"], r["failed_sessions"]) for r in s["rows"])')" \
	"[('certificate-expired', 4), ('certificate-host-mismatch', 10), ('starttls-not-supported', 2), ('sts-webpki-invalid', 4), ('tlsa-invalid', 1), ('validation-failure', 1)]"
run -d "$DB" summary --by day --format csv
is "by day: one row per start date" "$(cut -d, -f1 "$TMP/out" | sort | tr '\n' ' ')" \
	"2024-01-01 2024-01-02 2024-01-03 2024-01-04 2024-01-05 2024-01-06 2024-01-07 day "
run -d "$DB" summary --by result-type
is "text by result-type: no session or type columns" "$(head -n 2 "$TMP/out" | tr -s ' ')" \
	"RESULT-TYPE REPORTS FAILED
certificate-host-mismatch 1 10"
check "text: no trailing blanks" sh -c "! grep -q ' \$' '$TMP/out'"
for key in receiving-mx sending-ip; do
	run -d "$DB" summary --by $key --format json
	is "by $key: exit 0 and JSON" "$rc:$(py 'len(s["rows"]) > 0')" "0:True"
done

run -d "$DB" summary --since 2024-01-03 --until 2024-01-05 --format json
is "window: --since inclusive, --until a bare date includes that day" "$(py 's["totals"]["reports"]')" 3
run -d "$DB" summary --since 2024-01-03T00:00:01Z --until 2024-01-05T00:00:00Z --format json
is "window: RFC 3339 bounds, --until exclusive" "$(py 's["totals"]["reports"]')" 1
run -d "$DB" summary --since 7d --format json
is "window: relative (fixtures are old)" "$(py 's["totals"]["reports"]')" 0
run -d "$DB" summary --since 36500d --format json
is "window: relative, far back" "$(py 's["totals"]["reports"]')" 7
run -d "$DB" summary --submitter reporter-e.example --format json
is "filter: submitter" "$(py '(s["totals"]["reports"], len(s["rows"]))')" "(3, 1)"
run -d "$DB" summary --policy-domain example.org --format json
is "filter: policy domain" "$(py '(s["totals"]["successful_sessions"], s["totals"]["failed_sessions"])')" "(20, 1)"
run -d "$DB" summary --authenticated --format json
is "filter: authenticated only (imports are not)" "$(py 's["totals"]["reports"]')" 0

# A report whose sender put terminal escapes everywhere.
"$TR" -d "$DB" import "$FIX/hostile.eml" >"$TMP/out" 2>"$TMP/err"
check "import line of a hostile report has no raw control bytes" \
	sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$TMP/out'"
run -d "$DB" summary --submitter reporter-z.example
check "text: no raw control bytes" sh -c "! LC_ALL=C tr -d '\n' <'$TMP/out' | grep -q '[[:cntrl:]]'"
check "text: escapes shown" grep -q 'Evil\\x1b\[2J' "$TMP/out"
run -d "$DB" summary --submitter reporter-z.example --format csv
check "csv: no raw control bytes" sh -c "! LC_ALL=C tr -d '\n' <'$TMP/out' | grep -q '[[:cntrl:]]'"
run -d "$DB" summary --submitter reporter-z.example --format json
is "json: hostile strings survive as data" "$(py 'repr(s["rows"][0]["organization"])')" \
	"'Evil\\x1b[2J\\x1b]0;owned\\x07 Corp\\r\\nFAKE LINE'"
check "json: no raw control bytes" sh -c "! LC_ALL=C tr -d '\n' <'$TMP/out' | grep -q '[[:cntrl:]]'"

done_testing
