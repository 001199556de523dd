#!/bin/sh
# tlsrpt-report check against the test world: the MX hosts.  Postfix with
# an expired certificate, one for the wrong name, no STARTTLS, a TLSA
# record that does not match: each exactly its finding.  example.test has
# all of them as MX hosts and gets every one of them, and nothing else.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/check/world.sh"
world_up || { echo "1..0 # SKIP the test world did not start"; exit 0; }

expect expired.example.test "mx-cert-expired@mx-expired.example.test" 1
grep -q 'The certificate expired on 2025-02-01' "$TMP/out" && ok "expired: the date" ||
	not_ok "expired: the date"
expect wrongname.example.test "mx-cert-name-mismatch@mx-wrongname.example.test" 1
expect nostarttls.example.test "mx-starttls-missing@mx-nostarttls.example.test" 1
expect tlsa.example.test "tlsa-mismatch@mx-tlsa.example.test" 1
expect example.test "mx-cert-expired@mx-expired.example.test mx-cert-name-mismatch@mx-wrongname.example.test mx-starttls-missing@mx-nostarttls.example.test tlsa-mismatch@mx-tlsa.example.test" 1

# Validated TLSA records of an MX host named by unsigned MX records:
# senders do not use DANE, and the check says so.
expect unsigned.test "tlsa-insecure@_25._tcp.mx-good.example.test" 1
grep -q 'but the MX records of unsigned.test do not' "$TMP/out" && ok "unsigned MX: why" ||
	not_ok "unsigned MX: why"

# The good host's facts: the protocol and the days left.
expect good.example.test "" 0
grep -q '"code":"mx-tls","subject":"mx-good.example.test","message":"STARTTLS with TLSv1.3; the certificate is valid for mx-good.example.test until [0-9-]* (59 days)' \
	"$TMP/out" && ok "good: TLS 1.3, 59 days left" || { not_ok "good: TLS 1.3, 59 days left"; diag "$(cat "$TMP/out")"; }

# Timeouts: a host that never greets, and one that stops at the TLS
# handshake; each gives up after --timeout 1 and says where.
expect silent.example.test "mx-timeout@mx-silent.example.test" 1 --timeout 1
grep -q 'no greeting within 1000 ms' "$TMP/out" && ok "silent: no greeting" || not_ok "silent: no greeting"
expect tlshang.example.test "mx-timeout@mx-tlshang.example.test" 1 --timeout 1
grep -q 'no TLS handshake within 1000 ms' "$TMP/out" && ok "tlshang: no handshake" ||
	not_ok "tlshang: no handshake"

expect greet.example.test "mx-timeout@mx-greet.example.test" 1 --timeout 1
grep -q 'no EHLO reply within 1000 ms' "$TMP/out" && ok "greet: no EHLO reply" ||
	not_ok "greet: no EHLO reply"
expect synfull.example.test "mx-timeout@mx-synfull.example.test" 1 --timeout 1
grep -q 'no TCP connection within 1000 ms' "$TMP/out" && ok "synfull: no connection" ||
	not_ok "synfull: no connection"

# --no-smtp: DNS and policy only.
expect expired.example.test "" 0 --no-smtp
done_testing
