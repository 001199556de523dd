#!/bin/sh
# tlsrpt-report parse: what the parser understood, as one JSON document,
# invalid reports with their reason, and no database touched.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
DB="$TMP/t.db"
py() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$TMP/out" 2>/dev/null; }

run -d "$DB" parse "$FIX/mail-gzip.eml" "$FIX/raw.json.gz" "$FIX/three.mbox" "$FIX/no-report.eml"
is "valid input: exit 0" "$rc" 0
is "one entry per report, in order" "$(py '[(e["valid"], e["report"]["report-id"]) for e in s]')" \
	"[(True, '2024-01-01T00:00:00Z_a1'), (True, 'd-1'), (True, 'e-1'), (True, 'e-2'), (True, 'e-3')]"
is "the model: counts and submitter" \
	"$(py '[(e["report"]["submitter"], e["report"]["policies"][0]["summary"]["total-failure-session-count"]) for e in s][:2]')" \
	"[('reporter-a.example', 5), ('reporter-d.example', 1)]"
check "sources named" grep -q '"source": ".*three.mbox, message 3"' "$TMP/out"
check "message without a report: on stderr" grep -q "no report in .*no-report.eml" "$TMP/err"
check "no database created" test ! -e "$DB"

run parse "$FIX/invalid.eml" "$FIX/raw.json"
is "an invalid report: exit 1" "$rc" 1
is "an invalid report: entry with submitter and reason" \
	"$(py '[(e["valid"], e.get("submitter"), "report-id" in (e.get("reason") or "")) for e in s]')" \
	"[(False, 'reporter-x.example', True), (True, None, False)]"

rc=0
"$TR" parse - <"$FIX/stdin.eml" >"$TMP/out" 2>"$TMP/err" || rc=$?
is "stdin" "$rc:$(py 's[0]["report"]["report-id"]')" "0:g-1"

run parse "$FIX/hostile.eml"
is "hostile strings: valid JSON holding them as data" "$(py 'repr(s[0]["report"]["report-id"])')" "'z-\\x1b[31m1'"
check "hostile strings: no raw control bytes" sh -c "! LC_ALL=C tr -d '\n\t' <'$TMP/out' | grep -q '[[:cntrl:]]'"

done_testing
