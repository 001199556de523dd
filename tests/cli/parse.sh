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

# C1 controls (CSI, OSC), a bidi override and a line separator: escaped as
# every other view escapes them, and the JSON still holds them as data
python3 - "$TMP/c1.json" <<'EOF2'
import json, sys
r = {"organization-name": "org\u009b31m\u009d", "contact-info": "c\u202egnp.exe",
     "report-id": "c1-\u2028-1",
     "date-range": {"start-datetime": "2026-03-01T00:00:00Z", "end-datetime": "2026-03-01T23:59:59Z"},
     "policies": [{"policy": {"policy-type": "sts", "policy-domain": "example.com",
                              "mx-host": ["mx\u009b.example.com"]},
                   "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0}}]}
open(sys.argv[1], "w", encoding="utf-8").write(json.dumps(r, ensure_ascii=False))
EOF2
run parse "$TMP/c1.json"
is "C1 and bidi: exit 0" "$rc" 0
check "C1 and bidi: none of them raw in the output" \
	sh -c "! LC_ALL=C grep -q \"\$(printf '\302\233\\\\|\302\235\\\\|\342\200\256\\\\|\342\200\250')\" '$TMP/out'"
check "C1 and bidi: escaped as \\uNNNN" grep -q 'org\\u009b31m\\u009d' "$TMP/out"
is "C1 and bidi: the same strings as data" \
	"$(py '(s[0]["report"]["organization-name"], s[0]["report"]["contact-info"], s[0]["report"]["report-id"]) == ("org\u009b31m\u009d", "c\u202egnp.exe", "c1-\u2028-1")')" "True"

done_testing
