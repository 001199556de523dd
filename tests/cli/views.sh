#!/bin/sh
# tlsrpt-report failures, list, show, summary --by day / folding: every
# number checked against python reading the fixture JSON directly, and
# the text layouts against golden files (TLSRPT_NOW fixes the clock).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)
GOLD="$FIX/golden"
TLSRPT_NOW=2024-01-15T12:00:00Z
export TLSRPT_NOW
"$TR" -d "$DB" import "$FIX/mail-gzip.eml" "$FIX/mail-two-policies.eml" "$FIX/raw.json" \
	"$FIX/raw.json.gz" "$FIX/three.mbox" "$FIX/maildir" "$FIX/stdin.eml" \
	"$FIX/shared-id-h.eml" "$FIX/shared-id-i.eml" >/dev/null 2>&1

# model EXPR: python over the twelve fixture reports (reports/*.json),
# with F = every failure detail as (day, submitter, domain, type, ip, mx,
# count, policy type) and R = {report-id key: report}.
model() {
	python3 - "$FIX/reports" "$1" <<'PY'
import glob, json, os, sys
R = {}
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    r = json.load(open(p))
    R[os.path.basename(p)[:-5]] = r
def sub(r): return r["contact-info"].split("@", 1)[1]
F = []
for k, r in R.items():
    for p in r["policies"]:
        for f in p.get("failure-details", []):
            F.append((r["date-range"]["start-datetime"][:10], sub(r), p["policy"]["policy-domain"],
                      f["result-type"], f["sending-mta-ip"], f["receiving-mx-hostname"],
                      f["failed-session-count"], p["policy"]["policy-type"]))
print(eval(sys.argv[2]))
PY
}
# js EXPR: python over the JSON the last run printed, as s.
js() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$TMP/out"; }

# ---- failures ----
run -d "$DB" failures --format json
is "failures json: exit 0" "$rc" 0
is "failures json: every detail, with its numbers" \
	"$(js 'sorted((f["start"][:10], f["submitter"], f["policy_domain"], f["result_type"], f["sending_mta_ip"], f["receiving_mx_hostname"], f["failed_session_count"], f["policy_type"]) for f in s["failures"])')" \
	"$(model 'sorted(F)')"
is "failures json: newest first" "$(js '[f["start"] for f in s["failures"]] == sorted([f["start"] for f in s["failures"]], reverse=True)')" True
is "failures json: member names" "$(js 'list(s["failures"][0].keys())')" \
	"['report', 'report_id', 'submitter', 'start', 'end', 'policy_type', 'policy_domain', 'result_type', 'sending_mta_ip', 'receiving_mx_hostname', 'receiving_mx_helo', 'receiving_ip', 'failed_session_count', 'failure_reason_code', 'additional_information']"
run -d "$DB" failures --format json --limit 3
is "failures --limit 3" "$(js 'len(s["failures"])')" 3
run -d "$DB" failures --format json --submitter reporter-e.example
is "failures --submitter" "$(js 'sorted((f["result_type"], f["failed_session_count"]) for f in s["failures"])')" \
	"$(model 'sorted((f[3], f[6]) for f in F if f[1] == "reporter-e.example")')"
run -d "$DB" failures --format json --policy-domain example.org
is "failures --policy-domain" "$(js '[(f["policy_domain"], f["result_type"]) for f in s["failures"]]')" \
	"$(model '[(f[2], f[3]) for f in F if f[2] == "example.org"]')"
run -d "$DB" failures --format json --since 2024-01-06 --until 2024-01-09
is "failures --since --until (by start date, until inclusive of a bare date)" \
	"$(js 'sum(f["failed_session_count"] for f in s["failures"])')" \
	"$(model 'sum(f[6] for f in F if "2024-01-06" <= f[0] <= "2024-01-09")')"
run -d "$DB" failures --format json --authenticated-only
is "failures --authenticated-only (imports are not)" "$(js 'len(s["failures"])')" 0
run -d "$DB" failures --format csv
is "failures csv: header and rows" "$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
print(rows[0][:4], len(rows) - 1, sum(int(r[12]) for r in rows[1:]))' "$TMP/out")" \
	"['report', 'report_id', 'submitter', 'start'] $(model 'len(F)') $(model 'sum(f[6] for f in F)')"
run -d "$DB" failures --color never
is "failures text: golden" "$(cat "$TMP/out")" "$(cat "$GOLD/failures.txt")"

# ---- list ----
run -d "$DB" list --format json
is "list json: every report, ok and failed per report" \
	"$(js 'sorted((r["report_id"], r["submitter"], r["policies"], r["successful_sessions"], r["failed_sessions"]) for r in s["reports"])')" \
	"$(model 'sorted((r["report-id"], sub(r), len(r["policies"]), sum(p["summary"]["total-successful-session-count"] for p in r["policies"]), sum(p["summary"]["total-failure-session-count"] for p in r["policies"])) for r in R.values())')"
is "list json: newest first, received from TLSRPT_NOW" \
	"$(js '(s["reports"][0]["start"] >= s["reports"][-1]["start"], s["reports"][0]["received"])')" \
	"(True, '2024-01-15T12:00:00Z')"
run -d "$DB" list --format json --policy-domain example.org
is "list --policy-domain: reports with such a policy, whole totals" \
	"$(js '[(r["report_id"], r["policy_domains"], r["successful_sessions"]) for r in s["reports"]]')" \
	"[('b-0001', 'example.com, example.org', 70)]"
run -d "$DB" list --format csv --limit 2
is "list csv --limit 2" "$(($(wc -l <"$TMP/out") - 1))" 2
run -d "$DB" list --color never
is "list text: golden" "$(cat "$TMP/out")" "$(cat "$GOLD/list.txt")"

# ---- show ----
ID=$("$TR" -d "$DB" list --format json --submitter reporter-b.example.net |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["reports"][0]["id"])')
run -d "$DB" show "$ID" --format json
is "show json: the report's policies and failures" \
	"$(js '[(p["policy_type"], p["policy_domain"], p["successful_sessions"], p["failed_sessions"], [(f["result_type"], f["failed_session_count"]) for f in p["failure_details"]]) for p in s["policies"]]')" \
	"$(model '[(p["policy"]["policy-type"], p["policy"]["policy-domain"], p["summary"]["total-successful-session-count"], p["summary"]["total-failure-session-count"], [(f["result-type"], f["failed-session-count"]) for f in p["failure-details"]]) for p in R["b1"]["policies"]]')"
run -d "$DB" show "$ID" --color never
is "show text: golden" "$(cat "$TMP/out")" "$(cat "$GOLD/show.txt")"
run -d "$DB" show b-0001 --format json
is "show by report-id" "$(js 's["report"]["id"]')" "$ID"
run -d "$DB" show shared-1
is "show: an ambiguous report-id is an error that says what to do" \
	"$rc:$(grep -c 'add --submitter' "$TMP/err")" "2:1"
run -d "$DB" show shared-1 --submitter reporter-i.example --format json
is "show --submitter picks one" "$(js '(s["report"]["submitter"], s["policies"][0]["failed_sessions"])')" \
	"('reporter-i.example', 3)"
run -d "$DB" show "$ID" --raw
is "show --raw: the JSON as received" "$(python3 -c '
import json, sys
print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))' "$TMP/out" "$FIX/reports/b1.json")" True
run -d "$DB" show no-such-report
is "show: unknown report" "$rc" 2

# ---- summary: keys, day order, folding ----
for key in submitter policy-domain result-type receiving-mx sending-ip day; do
	run -d "$DB" summary --by $key --format json
	field=$(echo $key | tr - _)
	is "summary --by $key: totals and the key's own field" \
		"$(js "(s['totals']['failed_sessions'], sorted(s['rows'][0].keys())[:1] != [], '$field' in s['rows'][0])")" \
		"($(model 'sum(p["summary"]["total-failure-session-count"] for r in R.values() for p in r["policies"])'), True, True)"
done
run -d "$DB" summary --by sending-ip --format json
is "summary --by sending-ip: sums per IP" "$(js 'sorted((r["sending_ip"], r["failed_sessions"]) for r in s["rows"])')" \
	"$(model 'sorted({ip: sum(f[6] for f in F if f[4] == ip) for ip in set(f[4] for f in F)}.items())')"
run -d "$DB" summary --by receiving-mx --format csv
is "summary --by receiving-mx csv: sums per MX" "$(python3 -c '
import csv, sys
print(sorted((r[0], int(r[3])) for r in list(csv.reader(open(sys.argv[1])))[1:]))' "$TMP/out")" \
	"$(model 'sorted({mx: sum(f[6] for f in F if f[5] == mx) for mx in set(f[5] for f in F)}.items())')"
run -d "$DB" summary --by day --format json
is "summary --by day: newest first" "$(js '[r["day"] for r in s["rows"]]')" \
	"$(model 'sorted(set(r["date-range"]["start-datetime"][:10] for r in R.values()), reverse=True)')"
run -d "$DB" summary --authenticated-only --format json
is "summary --authenticated-only is --authenticated" "$(js 's["totals"]["reports"]')" 0
run -d "$DB" summary --color never
is "summary text: golden (folded)" "$(cat "$TMP/out")" "$(cat "$GOLD/summary.txt")"
is "summary text: the folded line counts what python counts" \
	"$(grep -c '^+ ' "$TMP/out"):$(sed -n 's/^+ \([0-9]*\) senders.*/\1/p' "$TMP/out")" \
	"1:$(model 'len([s for s in set(sub(r) for r in R.values()) if all(p["policy"]["policy-type"] == "no-policy-found" or p["summary"]["total-failure-session-count"] == 0 for r in R.values() if sub(r) == s for p in r["policies"])])')"
run -d "$DB" summary --all --color never
is "summary --all: every sender, no folded line" \
	"$(grep -c '^+ ' "$TMP/out"):$(($(wc -l <"$TMP/out") - 2))" "0:$(model 'len(set(sub(r) for r in R.values()))')"
run -d "$DB" summary --by day --color never
is "summary --by day text: golden" "$(cat "$TMP/out")" "$(cat "$GOLD/summary-day.txt")"
run -d "$DB" summary --color always
check "summary --color always: failures in red" grep -q "$(printf '\033')\[1;31m10$(printf '\033')\[0m" "$TMP/out"
run -d "$DB" summary --color never
check "summary --color never: no escape sequence" sh -c "! grep -q \"$(printf '\033')\" '$TMP/out'"
run -d "$DB" summary --color sometimes
is "summary --color: a bad value is a usage error" "$rc" 2
NO_COLOR=1 TERM=xterm run -d "$DB" summary
check "summary: auto colour is off on a pipe" sh -c "! grep -q \"$(printf '\033')\" '$TMP/out'"

# ---- hostile text in every view ----
"$TR" -d "$DB" import "$FIX/hostile-digest.json" >/dev/null 2>&1
for view in "failures --submitter reporter-y.example" "list --submitter reporter-y.example" \
	"summary --submitter reporter-y.example --all" "show y-1" "failures --format csv"; do
	# shellcheck disable=SC2086
	run -d "$DB" $view --color never
	check "$view: no raw control character reaches the terminal" \
		sh -c "[ -s '$TMP/out' ] && ! LC_ALL=C tr -d '\n' <'$TMP/out' | grep -q '[[:cntrl:]]'"
done
run -d "$DB" failures --submitter reporter-y.example --format json
is "failures json: hostile strings survive as data" "$(js 's["failures"][0]["failure_reason_code"]')" \
	"$(model 'json.load(open(os.path.join(sys.argv[1], "..", "hostile-digest.json")))["policies"][0]["failure-details"][0]["failure-reason-code"]')"

done_testing
