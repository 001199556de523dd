#!/bin/sh
# tlsrpt-report check against the test world: the MTA-STS policy fetch
# and file.  Every way a policy server can go wrong is exactly its
# finding, never a crash or a hang.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/check/world.sh"
world_up || { echo "1..0 # SKIP the test world did not start"; exit 0; }

url() { echo "https://mta-sts.$1.example.test/.well-known/mta-sts.txt"; }

expect huge.example.test "sts-policy-fetch-error@$(url huge)" 1
grep -q 'larger than 65536 bytes' "$TMP/out" && ok "huge: says the limit" || not_ok "huge: says the limit"
expect redirect.example.test "sts-policy-fetch-error@$(url redirect)" 1
grep -q 'HTTP status 301, a redirect' "$TMP/out" && ok "redirect: not followed" ||
	not_ok "redirect: not followed"
expect ctype.example.test "sts-policy-fetch-error@$(url ctype)" 1
grep -q 'Content-Type text/html, not text/plain' "$TMP/out" && ok "ctype: named" || not_ok "ctype: named"
expect notfound.example.test "sts-policy-fetch-error@$(url notfound)" 1
grep -q 'HTTP status 404, not 200' "$TMP/out" && ok "404: named" || not_ok "404: named"
expect badpolicy.example.test "sts-policy-invalid@$(url badpolicy)" 1
grep -q 'line 4: max_age: not a number' "$TMP/out" && ok "invalid policy: the line" ||
	not_ok "invalid policy: the line"
expect uncovered.example.test "sts-policy-mx-mismatch@mx-good.example.test" 1
# mode testing is a choice (info), a max_age under a day a warning.
expect testing.example.test "" 0
grep -q '"severity":"info","code":"sts-policy-not-enforced"' "$TMP/out" && ok "testing: info" ||
	not_ok "testing: info"
expect shortage.example.test "sts-policy-max-age-short@$(url shortage)" 1
expect webpki.example.test "sts-webpki-invalid@$(url webpki)" 1

# Without the test CA nothing verifies: the policy host's certificate is
# the finding (the MX host's too).
rc=0
timeout 60 "$TR" check --resolver 127.0.0.53 --trust-anchor "$W/dns/anchor" --timeout 3 \
	--no-reports --no-smtp --format json good.example.test >"$TMP/out" 2>"$TMP/err" || rc=$?
is "untrusted CA: the policy's certificate" "$(problems "$TMP/out")" "sts-webpki-invalid@$(url good)"

# Timeouts: a body at one byte a second, and a server that accepts and
# never answers the TLS handshake.  Each gives up after --timeout 1.
expect slow.example.test "sts-policy-fetch-error@$(url slow)" 1 --timeout 1
grep -qi 'timed out\|timeout' "$TMP/out" && ok "slow: a timeout" || { not_ok "slow: a timeout"; diag "$(cat "$TMP/out")"; }
expect tarpit443.example.test "sts-policy-fetch-error@$(url tarpit443)" 1 --timeout 1
grep -qi 'timed out\|timeout' "$TMP/out" && ok "tarpit: a timeout" || not_ok "tarpit: a timeout"
done_testing
