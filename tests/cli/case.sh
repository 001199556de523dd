#!/bin/sh
# Domain names have no case: a policy domain sent as EXAMPLE.COM is stored
# as example.com (one row in a summary, not two), and --policy-domain and
# --submitter match in any case, in every view.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)
py() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$TMP/out" 2>/dev/null; }

python3 - "$TMP" <<'EOF2'
import json, sys
for i, (dom, contact) in enumerate([("EXAMPLE.COM", "tlsrpt@Reporter.EXAMPLE"),
                                    ("example.com", "tlsrpt@reporter.example"),
                                    ("Example.Com", "tlsrpt@other.example")]):
    r = {"organization-name": "Org", "contact-info": contact, "report-id": "case-%d" % i,
         "date-range": {"start-datetime": "2026-03-01T00:00:00Z", "end-datetime": "2026-03-01T23:59:59Z"},
         "policies": [{"policy": {"policy-type": "sts", "policy-domain": dom},
                       "summary": {"total-successful-session-count": 10, "total-failure-session-count": 1},
                       "failure-details": [{"result-type": "certificate-expired",
                                            "receiving-mx-hostname": "mx.example.com",
                                            "failed-session-count": 1}]}]}
    open("%s/case-%d.json" % (sys.argv[1], i), "w").write(json.dumps(r))
EOF2
run -d "$DB" import "$TMP"/case-0.json "$TMP"/case-1.json "$TMP"/case-2.json
is "three reports stored" "$rc" 0

run -d "$DB" summary --by policy-domain --format json
is "one policy domain, lowercased, all three reports" \
	"$(py '[(r["policy_domain"], r["reports"]) for r in s["rows"]]')" "[('example.com', 3)]"
run -d "$DB" summary --format json
is "submitters lowercased" "$(py 'sorted((r["submitter"], r["reports"]) for r in s["rows"])')" \
	"[('other.example', 1), ('reporter.example', 2)]"

run -d "$DB" summary --policy-domain EXAMPLE.COM --format json
is "summary --policy-domain EXAMPLE.COM matches" "$(py 's["totals"]["reports"]')" 3
run -d "$DB" summary --by receiving-mx --policy-domain Example.com --format json
is "summary --by receiving-mx --policy-domain Example.com matches" "$(py 's["totals"]["failed_sessions"]')" 3
run -d "$DB" summary --submitter REPORTER.Example --format json
is "summary --submitter REPORTER.Example matches" "$(py 's["totals"]["reports"]')" 2
run -d "$DB" list --policy-domain EXAMPLE.COM --submitter Other.Example --format json
is "list filters in any case" "$(py '[r["report_id"] for r in s["reports"]]')" "['case-2']"
run -d "$DB" failures --policy-domain eXample.com --format json
is "failures --policy-domain in any case" "$(py 'len(s["failures"])')" 3
run -d "$DB" show --submitter OTHER.EXAMPLE case-2 --format json
is "show --submitter in any case" "$rc" 0
done_testing
