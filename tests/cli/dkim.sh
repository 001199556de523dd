#!/bin/sh
# tlsrpt-report import --verify-dkim: each report's DKIM verdict (keys from
# the fixture key file, as a test) is stored and shown by list, show and
# JSON; --authenticated counts only pass; without the option: unknown.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
require_store
DKIM="$top_srcdir/tests/fixtures/dkim"
DB="$TMP/t.db"
n_pass=$(ls "$DKIM" | grep -c '^pass-.*\.eml$')

run -d "$DB" import --dkim-key-file "$DKIM/keys.txt" "$DKIM"/*.eml
is "import --verify-dkim: exit 0" "$rc" 0
is "each report's verdict is the one its name says" \
	"$(sed -n 's/^stored [^ ]* \([a-z]*\)-.* dkim=\([a-z]*\)$/\1 \2/p' "$TMP/out" | awk '$1 != $2' | wc -l)" 0
is "a pass line per pass fixture" "$(grep -c ' dkim=pass$' "$TMP/out")" "$n_pass"

run -d "$DB" list --format json
check "list json: domain and selector of a pass" \
	grep -q '"report_id": "pass-subdomain-signer", .*"auth": "pass", "dkim_domain": "reports.example.net", "dkim_selector": "sel1"' "$TMP/out"
check "list json: the look-alike signer is recorded with fail" \
	grep -q '"report_id": "fail-lookalike-domain", .*"auth": "fail", "dkim_domain": "examp1e.net"' "$TMP/out"
run -d "$DB" list --color never
check "list text: an AUTH column" grep -q '^ID .* AUTH .*POLICY-DOMAINS$' "$TMP/out"
ID=$("$TR" -d "$DB" list --format json | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)["reports"] if r["report_id"] == "pass-ed25519"][0])')
run -d "$DB" show "$ID" --color never
check "show: the verdict" grep -q 'sender authentication pass' "$TMP/out"
check "show: the signature" grep -q '^  dkim  *d=example.net s=ed$' "$TMP/out"

run -d "$DB" summary --authenticated --format json
is "--authenticated counts pass only" \
	"$(python3 -c 'import json,sys; print(sum(r["reports"] for r in json.load(open(sys.argv[1]))["rows"]))' "$TMP/out")" "$n_pass"

# an mbox is LF throughout: the folded signature must verify all the same
printf 'From tlsrpt@example.net Thu Jan  1 12:00:00 2026\n' >"$TMP/lf.mbox"
tr -d '\r' <"$DKIM/pass-simple-canon.eml" >>"$TMP/lf.mbox"
tr -d '\r' <"$DKIM/pass-aligned.eml" >"$TMP/lf.eml"
run -d "$TMP/lf.db" import --dkim-key-file "$DKIM/keys.txt" "$TMP/lf.eml" "$TMP/lf.mbox"
is "LF-only message and mbox still verify" "$(grep -c ' dkim=pass$' "$TMP/out")" 2

# keys from DNS, with no network at all (an empty network namespace, when
# this runs as root): the lookup fails at once and the verdict is
# temperror, never pass; an unsigned mail needs no lookup
if unshare -n true 2>/dev/null; then
	unshare -n "$TR" -d "$TMP/dns.db" import --verify-dkim --dkim-timeout 2 \
		"$DKIM/pass-aligned.eml" "$DKIM/none-unsigned.eml" >"$TMP/out" 2>"$TMP/err"
	is "DNS unreachable: temperror, and none for the unsigned" \
		"$(sed 's/.* dkim=//' "$TMP/out" | tr '\n' ' ')" "temperror none "
else
	skip "DNS unreachable: temperror (needs unshare -n, as root)"
fi

DB2="$TMP/u.db"
run -d "$DB2" import "$DKIM/pass-aligned.eml"
is "without --verify-dkim: no verdict on the line" "$(cat "$TMP/out")" \
	"stored example.net pass-aligned (1 policies, 10 ok, 1 failed)"
run -d "$DB2" list --format json
check "without --verify-dkim: unknown" grep -q '"auth": "unknown", "dkim_domain": null' "$TMP/out"

run -d "$TMP/v.db" import --verify-dkim --dkim-timeout 0 "$DKIM/pass-aligned.eml"
is "bad --dkim-timeout: usage error" "$rc" 2
run -d "$TMP/v.db" import --dkim-key-file "$TMP/nonexistent" "$DKIM/pass-aligned.eml"
is "unreadable key file: error" "$rc" 2
check "unreadable key file: names it" grep -q "$TMP/nonexistent" "$TMP/err"
done_testing
