#!/bin/sh
# tlsrpt-report check against the test world: the DNS part.  The good
# domain has no problem; each broken record is exactly its finding; a
# resolver that never answers makes the check give up in time (exit 2).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/check/world.sh"
world_up || { echo "1..0 # SKIP the test world did not start"; exit 0; }

expect good.example.test "" 0
expect dupsts.example.test "sts-record-multiple@_mta-sts.dupsts.example.test" 1
expect badsts.example.test "sts-record-invalid@_mta-sts.badsts.example.test" 1
expect duptlsrpt.example.test "tlsrpt-record-multiple@_smtp._tls.duptlsrpt.example.test" 1
expect badrua.example.test "tlsrpt-record-invalid@_smtp._tls.badrua.example.test" 1
expect notlsrpt.example.test "tlsrpt-record-missing@_smtp._tls.notlsrpt.example.test" 1
expect bogus.example.test "dnssec-bogus@_smtp._tls.bogus.example.test" 1
expect nxdomain.example.test \
	"mx-missing@nxdomain.example.test tlsrpt-record-missing@_smtp._tls.nxdomain.example.test" 1

# The good domain's facts: a validated TLSA match and the policy's mode.
expect good.example.test "" 0
grep -q '"code":"tlsa","subject":"mx-good.example.test"' "$TMP/out" &&
	ok "good: the TLSA record matched" || not_ok "good: the TLSA record matched"
grep -q '"message":"mode enforce, max_age 604800, mx \*.example.test."' "$TMP/out" &&
	ok "good: the policy read" || not_ok "good: the policy read"

# Text output: the finding, its fix with the domain filled in.
rc=0
$CHECKER dupsts.example.test >"$TMP/text" 2>&1 || rc=$?
is "text: exit 1" "$rc" 1
grep -q '^  error    _mta-sts.dupsts.example.test  sts-record-multiple: 2 v=STSv1 TXT records.$' \
	"$TMP/text" && ok "text: the finding line" || { not_ok "text: the finding line"; diag "$(cat "$TMP/text")"; }
grep -q 'fix: Keep exactly one v=STSv1 TXT record at _mta-sts.dupsts.example.test' "$TMP/text" &&
	ok "text: the fix names the domain" || not_ok "text: the fix names the domain"

# A resolver that never answers: exit 2 within the timeout, never a hang.
rc=0
timeout 30 "$TR" check --resolver 127.0.1.9 --trust-anchor "$W/dns/anchor" --timeout 1 \
	--no-reports good.example.test >"$TMP/out" 2>"$TMP/err" || rc=$?
is "DNS timeout: exit 2, not killed" "$rc" 2
grep -q 'could not check: DNS TXT _smtp._tls.good.example.test: no answer from the resolver within 1000 ms' \
	"$TMP/out" && ok "DNS timeout: said so" || { not_ok "DNS timeout: said so"; diag "$(cat "$TMP/out")"; }

# Usage errors.
rc=0
"$TR" check --trust-anchor "$W/nonexistent" --resolver 127.0.0.53 good.example.test \
	>"$TMP/out" 2>"$TMP/err" || rc=$?
is "missing trust anchor: exit 2" "$rc" 2
grep -q "trust anchor $W/nonexistent: No such file" "$TMP/err" && ok "missing trust anchor: named" ||
	not_ok "missing trust anchor: named"
rc=0
"$TR" check --no-reports 'bad..name' >"$TMP/out" 2>"$TMP/err" || rc=$?
is "not a domain: exit 2" "$rc" 2

# A bad name among good ones: exit 2, the others still checked, the JSON
# still one document; names are taken in any case, with a trailing dot.
rc=0
$CHECKER --format json 'bad..name' GOOD.Example.test. >"$TMP/out" 2>"$TMP/err" || rc=$?
is "bad among good: exit 2" "$rc" 2
is "bad among good: the good one checked" \
	"$(python3 -c 'import json,sys; print(" ".join(d["domain"] + ":" + d["status"] for d in json.load(open(sys.argv[1]))["domains"]))' "$TMP/out")" \
	"good.example.test:ok"
done_testing
