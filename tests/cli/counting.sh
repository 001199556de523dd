#!/bin/sh
# The counting rule (docs/COUNTING.md) in every view that shows a total:
# a report with an sts and a tlsa policy for one domain (Microsoft's way)
# counts those sessions once, a report with several sts versions and
# no-policy-found for one domain (Google's) sums them.  Our own fixtures
# (tests/fixtures/counting/) always; the real samples that showed the
# problem when ../shared/samples is there.  And the demo's mails: summary
# and digest name the same failing senders with the same numbers.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
CFIX="$top_srcdir/tests/fixtures/counting"
DB=$(new_db t.db)
TLSRPT_NOW=2024-02-10T00:00:00Z
export TLSRPT_NOW
"$TR" -d "$DB" import "$CFIX/google-style-sts-versions.json" "$CFIX/microsoft-style-sts-plus-tlsa.json" \
	>"$TMP/import" 2>&1
is "import says what counts: 95 + 5 and 50 + 2" "$(sed 's/.*(//' "$TMP/import" | LC_ALL=C sort)" \
	"2 stored, 0 duplicate, 0 invalid
3 policies, 50 ok, 2 failed)
3 policies, 95 ok, 5 failed)"

# js EXPR: python over the JSON the last run printed, as s.
js() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$TMP/out"; }
TOTALS="{'reports': 2, 'successful_sessions': 145, 'failed_sessions': 7, 'failed_sessions_under_policy': 7}"
for key in submitter policy-domain result-type receiving-mx sending-ip day policy-type; do
	run -d "$DB" summary --by $key --format json
	is "summary --by $key: the same totals" "$rc:$(js 's["totals"]')" "0:$TOTALS"
done
run -d "$DB" summary --by policy-domain --format json
is "by policy-domain: example.net 40 + 2 once, example.org 20 + 70 + 5 summed" \
	"$(js 'sorted((r["policy_domain"], r["reports"], r["successful_sessions"], r["failed_sessions"]) for r in s["rows"])')" \
	"[('example.com', 1, 10, 0), ('example.net', 1, 40, 2), ('example.org', 1, 95, 5)]"
run -d "$DB" summary --by submitter --format json
is "by submitter: the Microsoft-style sender 50 + 2" \
	"$(js 'sorted((r["submitter"], r["successful_sessions"], r["failed_sessions"]) for r in s["rows"])')" \
	"[('sender-g.example', 95, 5), ('sender-m.example', 50, 2)]"
run -d "$DB" summary --by result-type --format json
is "by result-type: the sts failures the tlsa ones repeat are left out" \
	"$(js 'sorted((r["result_type"], r["failed_sessions"]) for r in s["rows"])')" \
	"[('certificate-expired', 2), ('tlsa-invalid', 2), ('validation-failure', 3)]"
for key in receiving-mx sending-ip day; do
	run -d "$DB" summary --by $key --format json
	is "by $key: rows add up to the 7 failed" "$(js 'sum(r["failed_sessions"] for r in s["rows"])')" 7
done
run -d "$DB" summary --by policy-type --format json
is "by policy-type: every policy shown, the outranked sts under its own key" \
	"$(js '[(r["policy_type"], r["reports"], r["successful_sessions"], r["failed_sessions"]) for r in s["rows"]]')" \
	"[('sts', 2, 100, 5), ('sts (counted under tlsa)', 1, 40, 2), ('tlsa', 1, 40, 2), ('no-policy-found', 1, 5, 0)]"
run -d "$DB" summary --by policy-type
check "by policy-type text: TOTAL is what counts" grep -q "^TOTAL  *2  *145  *7 " "$TMP/out"

run -d "$DB" list --format json
is "list: each report's totals as counted" \
	"$(js 'sorted((r["submitter"], r["policies"], r["successful_sessions"], r["failed_sessions"]) for r in s["reports"])')" \
	"[('sender-g.example', 3, 95, 5), ('sender-m.example', 3, 50, 2)]"
MID=$(js '[r["id"] for r in s["reports"] if r["submitter"] == "sender-m.example"][0]')
run -d "$DB" show "$MID" --format json
is "show json: the report's totals as counted, every policy with whether it counts" \
	"$(js '(s["report"]["successful_sessions"], s["report"]["failed_sessions"], [(p["policy_type"], p["successful_sessions"], p["counted"]) for p in s["policies"]])')" \
	"(50, 2, [('sts', 40, False), ('tlsa', 40, True), ('sts', 10, True)])"
run -d "$DB" show "$MID"
check "show text: the outranked policy says where it is counted" grep -q "^  counted  *no: " "$TMP/out"
check "show text: the report's sessions as counted" grep -q "^  sessions  *50 successful, 2 failed" "$TMP/out"
run -d "$DB" failures --format json
is "failures: the details that count" \
	"$(js 'sorted((f["result_type"], f["failed_session_count"]) for f in s["failures"])')" \
	"[('certificate-expired', 2), ('tlsa-invalid', 2), ('validation-failure', 3)]"
run -d "$DB" digest --since 10d --to postmaster@example.com
is "digest: the Subject counts each session once" \
	"$(sed -n 's/^Subject: //p' "$TMP/out")" \
	"TLS report digest example.org and 2 more: 2 senders failed 7 of 152 sessions (4.6%)"
run -d "$DB" expire --older-than 1d --dry-run
is "expire: the sessions it would take out of the summaries" \
	"$(sed 's/ (ended.*//' "$TMP/out")" "would remove 2 reports (152 sessions, 7 failed), 6 policies, 4 failure details"

# ---- the real samples that showed it, read in place ----
SAMPLES=""
for d in "$top_srcdir/../shared/samples/tlsrpt" /work/shared/samples/tlsrpt; do
	if [ -d "$d" ]; then SAMPLES=$d; break; fi
done
MS1=microsoft-2025-05-sts-plus-tlsa-policystring-json-in-string_cry-inc.json
MS2=microsoft-2024-09-sts-plus-tlsa-html-textpart_tlsrpt-rs.eml
GOO=google-2020-02-three-policies-same-domain-validation-failures_unidentified-repo.json
if [ -n "$SAMPLES" ] && [ -f "$SAMPLES/$MS1" ] && [ -f "$SAMPLES/$MS2" ] && [ -f "$SAMPLES/$GOO" ]; then
	SDB=$(new_db samples.db)
	"$TR" -d "$SDB" import "$SAMPLES/$MS1" "$SAMPLES/$MS2" "$SAMPLES/$GOO" >/dev/null 2>&1
	for key in submitter policy-domain result-type receiving-mx sending-ip day policy-type; do
		run -d "$SDB" summary --by $key --format json
		is "samples, summary --by $key: 2 + 2 + 1 successful, 13 failed" \
			"$rc:$(js '(s["totals"]["successful_sessions"], s["totals"]["failed_sessions"])')" "0:(5, 13)"
	done
	run -d "$SDB" summary --by policy-domain --format json
	is "samples by policy-domain: random.net 2, krvtz.net 2, Google's three policies summed" \
		"$(js 'sorted((r["policy_domain"], r["successful_sessions"], r["failed_sessions"]) for r in s["rows"])')" \
		"[('krvtz.net', 2, 0), ('random.net', 2, 0), ('test.mailflow.ovh', 1, 13)]"
	run -d "$SDB" summary --by policy-type --format json
	is "samples by policy-type: what each type reported" \
		"$(js 'sorted((r["policy_type"], r["successful_sessions"], r["failed_sessions"]) for r in s["rows"])')" \
		"[('no-policy-found', 1, 0), ('sts', 0, 13), ('sts (counted under tlsa)', 4, 0), ('tlsa', 4, 0)]"
	run -d "$SDB" list --format json
	is "samples list: 2, 2 and 1 + 13 sessions a report" \
		"$(js 'sorted((r["successful_sessions"], r["failed_sessions"]) for r in s["reports"])')" \
		"[(1, 13), (2, 0), (2, 0)]"
	for id in 1 2; do
		run -d "$SDB" show $id --format json
		is "samples show $id: the Microsoft report has 2 sessions" \
			"$(js '(s["report"]["successful_sessions"], [p["counted"] for p in s["policies"]])')" \
			"(2, [False, True])"
	done
else
	skip "no shared samples: the Microsoft and Google reports"
fi

# ---- the demo's mails: one definition of a failing sender ----
DDB=$(new_db demo.db)
TLSRPT_NOW=2026-03-10T00:00:00Z
"$TR" -d "$DDB" import "$top_srcdir"/tests/fixtures/mail/*.eml >/dev/null 2>&1
run -d "$DDB" summary
python3 - "$TMP/out" >"$TMP/summary-senders" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    if line.startswith(("SUBMITTER", "TOTAL")):
        continue
    if line.startswith("+ "):
        print("folded:", line.strip()); continue
    f = re.split(r"  +", line.strip())
    # SUBMITTER ORGANIZATION REPORTS SUCCESSFUL FAILED FAIL% TYPES
    print(f[0], int(f[3].replace(",", "")) + int(f[4].replace(",", "")), f[4], f[5])
PY
run -d "$DDB" digest --since 30d --to postmaster@example.com
python3 - "$TMP/out" >"$TMP/digest-senders" <<'PY'
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
rows = False
for line in text.splitlines():
    if line.startswith("Failing senders:"):
        rows = True; continue
    if line.startswith("+ "):
        print("folded:", line.strip().rstrip(".")); continue
    if rows and line.startswith("  ") and not line.strip().startswith("SENDER"):
        f = re.split(r"  +", line.strip())
        print(f[0], f[2].replace(",", ""), f[3], f[4])
    elif rows and not line.strip():
        rows = False
PY
is "demo: summary and digest name the same failing senders with the same numbers" \
	"$(cat "$TMP/digest-senders")" "$(cat "$TMP/summary-senders")"
is "demo: four failing senders, foxtrot's failures where no policy applies folded in both" \
	"$(grep -vc '^folded' "$TMP/summary-senders"):$(grep -c 'foxtrot' "$TMP/summary-senders")" "4:0"
is "demo: the digest's Subject counts those senders and their failures" \
	"$(sed -n 's/^Subject: .*: //p' "$TMP/out")" "4 senders failed 12 of 2,219 sessions (0.5%)"

done_testing
