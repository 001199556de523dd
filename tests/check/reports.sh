#!/bin/sh
# tlsrpt-report check beside the stored reports: each finding with the
# failures senders reported that it explains, and the failures nothing
# the check found explains.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/check/world.sh"
world_up || { echo "1..0 # SKIP the test world did not start"; exit 0; }
DB=$TMP/reports.db

# Two senders' reports of yesterday for example.test (file names in RFC
# 8460's form, which name the sender), and one for another domain.
mkdir -p "$TMP/in"
python3 - "$TMP/in" <<'EOF2'
import json, os, sys, time
now = int(time.time())
def iso(t): return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
def report(sender, domain, rid, details):
    start, end = now - 86400, now - 3600
    doc = {"organization-name": sender, "contact-info": "tlsrpt@" + sender, "report-id": rid,
           "date-range": {"start-datetime": iso(start), "end-datetime": iso(end)},
           "policies": [{"policy": {"policy-type": "sts", "policy-domain": domain,
                                    "policy-string": ["version: STSv1", "mode: enforce"],
                                    "mx-host": ["*.example.test"]},
                         "summary": {"total-successful-session-count": 100,
                                     "total-failure-session-count": sum(d[2] for d in details)},
                         "failure-details": [{"result-type": t, "sending-mta-ip": "192.0.2.1",
                                              "receiving-mx-hostname": mx,
                                              "failed-session-count": n}
                                             for t, mx, n in details]}]}
    name = "%s!%s!%d!%d!%s.json" % (sender, domain, start, end, rid)
    json.dump(doc, open(os.path.join(sys.argv[1], name), "w"))
report("google.com", "example.test", "g1", [
    ("certificate-expired", "mx-expired.example.test", 1200),
    ("starttls-not-supported", "mx-nostarttls.example.test", 4),
    ("certificate-not-trusted", "mx-good.example.test", 40)])
report("outlook.com", "example.test", "m1", [
    ("certificate-expired", "mx-expired.example.test.", 4),
    ("validation-failure", "mx-tlsa.example.test", 7)])
report("yahoo.com", "other.example", "y1", [
    ("certificate-expired", "mx-expired.example.test", 99)])
EOF2
"$TR" -d "$DB" import "$TMP/in" >/dev/null 2>&1
is "three reports stored" "$("$TR" -d "$DB" list --format csv | tail -n +2 | wc -l)" 3

CHECK="$TR -d $DB check --resolver 127.0.0.53 --trust-anchor $W/dns/anchor --cacert $W/pki/ca.pem --timeout 3"
rc=0
$CHECK example.test >"$TMP/text" 2>"$TMP/err" || rc=$?
is "exit 1: problems" "$rc" 1
has() {
	if grep -qF -- "$2" "$TMP/text"; then ok "$1"; else not_ok "$1"; diag "$(cat "$TMP/text" "$TMP/err")"; fi
}
has "expired: two senders, 1,204 sessions" \
	"reports: 2 senders reported certificate-expired for 1,204 sessions"
has "no STARTTLS: one sender, 4 sessions" \
	"reports: 1 sender reported starttls-not-supported for 4 sessions"
has "TLSA mismatch: validation-failure" \
	"reports: 1 sender reported validation-failure for 7 sessions"
has "unexplained: certificate-not-trusted at the good MX" \
	"certificate-not-trusted at mx-good.example.test: 1 sender, 40 sessions"
if grep -q "99 sessions\|yahoo" "$TMP/text"; then not_ok "another domain's reports stay out"; else
	ok "another domain's reports stay out"; fi

rc=0
$CHECK --format json example.test >"$TMP/out" 2>"$TMP/err" || rc=$?
got=$(python3 - "$TMP/out" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))["domains"][0]
out = []
for f in d["findings"]:
    if f.get("reported", {}).get("sessions"):
        out.append("%s=%d/%d" % (f["code"], f["reported"]["sessions"], f["reported"]["senders"]))
out += ["un:%s@%s=%d" % (u["result_type"], u["receiving_mx"], u["sessions"]) for u in d["unexplained"]]
print(" ".join(out))
EOF2
)
is "json: the same" "$got" \
	"mx-cert-expired=1204/2 mx-starttls-missing=4/1 tlsa-mismatch=7/1 un:certificate-not-trusted@mx-good.example.test=40"

# --days: with the clock (TLSRPT_NOW) eight days on, yesterday's reports
# fall outside a seven-day window.
rc=0
TLSRPT_NOW=$(( $(date +%s) + 8 * 86400 )) $CHECK --days 7 example.test >"$TMP/text" 2>&1 || rc=$?
has "old reports: none in the window" "0 failure details, none unexplained"

# No database: the check runs and says so.
rc=0
"$TR" -d "$TMP/none.db" check --resolver 127.0.0.53 --trust-anchor "$W/dns/anchor" \
	--cacert "$W/pki/ca.pem" good.example.test >"$TMP/text" 2>&1 || rc=$?
is "no database: exit 0" "$rc" 0
has "no database: said" "no database at $TMP/none.db: stored reports not consulted"
done_testing
