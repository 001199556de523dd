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

# Every address of an MX host is probed: a finding about one address of
# several names it, and what several addresses share is said once.
has() { grep -q "$2" "$TMP/out" && ok "$1" || { not_ok "$1"; diag "$(cat "$TMP/out")"; }; }
TLS13='STARTTLS with TLSv1.3; the certificate is valid for'
expect halfdown.example.test "mx-unreachable@mx-halfdown.example.test" 1
has "halfdown: the refusing address" '"code":"mx-unreachable","subject":"mx-halfdown.example.test","message":"127.0.1.30 port 25: connect: Connection refused."'
has "halfdown: the good address" "\"code\":\"mx-tls\",\"subject\":\"mx-halfdown.example.test\",\"message\":\"127.0.1.1: $TLS13"
expect halfexpired.example.test "mx-cert-expired@mx-halfexpired.example.test" 1
has "halfexpired: the expired address" '"code":"mx-cert-expired","subject":"mx-halfexpired.example.test","message":"127.0.1.2: The certificate expired on 2025-02-01'
has "halfexpired: the good address" "\"message\":\"127.0.1.1: $TLS13 mx-halfexpired.example.test"
expect twogood.example.test "" 0
has "twogood: one fact for both addresses" "\"code\":\"mx-tls\",\"subject\":\"mx-twogood.example.test\",\"message\":\"127.0.1.1, 127.0.1.5: $TLS13"
is "twogood: said once" "$(grep -o '"code":"mx-tls"' "$TMP/out" | wc -l)" 1
# A broken IPv6 address beside a good IPv4 one.
if [ "$WORLD_IPV6" = 1 ]; then
	expect dual.example.test "mx-cert-expired@mx-dual.example.test" 1
	has "dual: the IPv6 address" '"code":"mx-cert-expired","subject":"mx-dual.example.test","message":"::1: The certificate expired on 2025-02-01'
	has "dual: the IPv4 address" "\"message\":\"127.0.1.1: $TLS13 mx-dual.example.test"
else
	skip "dual: no IPv6 in the namespace"
	skip "dual: the IPv6 address"
	skip "dual: the IPv4 address"
fi
# An address this host has no route to is not the MX host's fault.
expect v6down.example.test "" 0
has "v6down: not probed, said" '"code":"mx-address-unprobed","subject":"mx-v6down.example.test","message":"2001:db8::25 port 25: not probed, this host has no route to it (connect: Network is unreachable)."'
has "v6down: the IPv4 address" "\"message\":\"127.0.1.1: $TLS13 mx-v6down.example.test"
# Nine addresses: the first eight probed (DOMAINCHECK_MX_ADDR_MAX), and
# a list of them longer than a finding names becomes their number.
expect many.example.test "" 0
has "many: eight of nine probed, counted not listed" '"code":"mx-address-unprobed","subject":"mx-many.example.test","message":"all 8 addresses port 25: not probed'
is "many: said once" "$(grep -o '"code":"mx-address-unprobed"' "$TMP/out" | wc -l)" 1

# --no-smtp: DNS and policy only.
expect expired.example.test "" 0 --no-smtp
done_testing
