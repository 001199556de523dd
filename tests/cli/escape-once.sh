#!/bin/sh
# Report text is escaped once for where it goes, never twice: show's
# mx-host and policy-string lines, the digest's HTML <title> and <h2>;
# and show --format csv, a table a spreadsheet reads.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)
export TLSRPT_NOW=2026-03-02T12:00:00Z

python3 - "$TMP/r.json" <<'EOF2'
import json, sys
r = {"organization-name": "Org", "contact-info": "tlsrpt@reporter.example", "report-id": "esc-1",
     "date-range": {"start-datetime": "2026-03-01T00:00:00Z", "end-datetime": "2026-03-01T23:59:59Z"},
     "policies": [{"policy": {"policy-type": "sts", "policy-domain": "a\\b.example",
                              "policy-string": ["mode: \\enforce\x1b"], "mx-host": ["mx\\evil.example"]},
                   "summary": {"total-successful-session-count": 8, "total-failure-session-count": 2},
                   "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.1",
                                        "failed-session-count": 2, "additional-information": "a, \"b\""}]},
                  {"policy": {"policy-type": "tlsa", "policy-domain": "ok.example"},
                   "summary": {"total-successful-session-count": 5, "total-failure-session-count": 0}}]}
open(sys.argv[1], "w").write(json.dumps(r))
EOF2
run -d "$DB" import "$TMP/r.json"
is "stored" "$rc" 0

run -d "$DB" show esc-1 --color never
check "show: mx-host escaped once" grep -qx '  mx-host        mx\\\\evil.example' "$TMP/out"
check "show: policy-string escaped once" grep -qx '  policy-string  mode: \\\\enforce\\x1b' "$TMP/out"
check "show: the policy domain escaped once" grep -q '^Policy 1: sts a\\\\b.example$' "$TMP/out"

run -d "$DB" show esc-1 --format csv
is "show --format csv: exit 0" "$rc" 0
is "show --format csv: a line per failure detail and per policy without one" "$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print([(r["report_id"], r["policy_domain"], r["policy_failed_sessions"], r["result_type"],
        r["failed_session_count"], r["additional_information"]) for r in rows])' "$TMP/out")" \
	"[('esc-1', 'a\\\\\\\\b.example', '2', 'certificate-expired', '2', 'a, \"b\"'), ('esc-1', 'ok.example', '0', '', '', '')]"

run -d "$DB" digest --since 2d --to postmaster@example.com
is "digest: exit 0" "$rc" 0
python3 - "$TMP/out" >"$TMP/html" <<'EOF2'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("html",)).get_content())
EOF2
check "digest HTML <title>: the domain escaped once" grep -q '<title>TLS report digest a\\\\b.example' "$TMP/html"
check "digest HTML <h2>: the domain escaped once" grep -q '<h2 [^>]*>TLS report digest for a\\\\b.example' "$TMP/html"
check "digest HTML: nowhere escaped twice" sh -c "! grep -q 'a\\\\\\\\\\\\\\\\b' '$TMP/html'"
done_testing
