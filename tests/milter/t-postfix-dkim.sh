#!/bin/sh
# DKIM verified by tlsrpt-milter behind a real Postfix on loopback, with no
# other verifier: every mail of tests/fixtures/dkim (signed with real keys
# by make-fixtures.py; keys from DKIMKeyFile) goes over SMTP and gets the
# verdict its name says: the header block the milter rebuilds from what
# Postfix sends (leading spaces, folding, CRLF) must still verify, for
# relaxed and simple canonicalization.  Then the fallback (DKIMVerify no,
# TrustedAuthservIDs relay.example.com): every mail comes as through a
# verifying relay, which prepended its Received: and its own
# Authentication-Results above it; the forged fields of every shape,
# overlong ones included, come below and are never believed.
# Needs root (Postfix only trusts another config directory for root).
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
setup
trap 'postfix_stop; stop_milter >/dev/null 2>&1; rm -rf "$tmp"' EXIT
postfix_config accept
DKIM=$top_srcdir/tests/fixtures/dkim
n_all=$(ls "$DKIM" | grep -c '\.eml$')

# send_all [RELAY_RESULT]: every fixture over SMTP to the report address;
# with RELAY_RESULT, as a verifying relay would pass it on: its
# Authentication-Results (that result for example.net) above its Received:
send_all() {
	python3 - "$pf_port" "$DKIM" "${1:-}" >"$tmp/smtp.out" 2>&1 <<'EOF2'
import os, smtplib, sys
port, d, relay = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    for n in sorted(os.listdir(d)):
        if n.endswith(".eml"):
            with open(os.path.join(d, n), "rb") as f:
                data = f.read()
            if relay:
                data = (b"Authentication-Results: relay.example.com; dkim=" + relay.encode() +
                        b" header.d=example.net\r\nReceived: from mx.example.net by"
                        b" relay.example.com; Thu, 1 Jan 2026 12:00:00 +0000\r\n" + data)
            s.sendmail("tlsrpt@example.net", ["tlsrpt@example.com"], data)
EOF2
}

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
DKIMKeyFile $DKIM/keys.txt
EOF2
check "milter starts" start_milter
check "private postfix starts, smtpd listens" postfix_start
[ $tap_failed -eq 0 ] || finish
check "every signed mail accepted over SMTP" send_all
check "every mail reached the Maildir" wait_delivered "$n_all" 60
check "every report stored" test "$(sql 'SELECT count(*) FROM reports')" = "$n_all"
check "each report has the verdict its name says" \
	test "$(sql "SELECT count(*) FROM reports WHERE report_id NOT LIKE auth || '-%'")" = 0
check "simple canonicalization verifies through Postfix" \
	test "$(sql "SELECT auth FROM reports WHERE report_id = 'pass-simple-canon'")" = pass
check "ed25519 verifies through Postfix" \
	test "$(sql "SELECT auth || ' ' || dkim_selector FROM reports WHERE report_id = 'pass-ed25519'")" = "pass ed"
check "delivered mail says pass with domain and selector" \
	grep -q '^TLS-Report-Status: stored; submitter=example.net; report-id=pass-aligned; failed=1; auth=pass; dkim-domain=example.net; dkim-selector=sel1' "$tmp/mail/maildir/new/"*
check "and fail for the look-alike" \
	grep -q '^TLS-Report-Status: stored; submitter=example.net; report-id=fail-lookalike-domain; .*auth=fail; dkim-domain=examp1e.net' "$tmp/mail/maildir/new/"*
if [ $tap_failed -ne 0 ]; then
	sed 's/^/# /' "$tmp/smtp.out"
	sql "SELECT report_id, auth, dkim_domain FROM reports" | sed 's/^/# /'
fi
postfix_stop
check "milter stopped cleanly" stop_milter

rm -rf "$tmp/db"* "$tmp/mail/maildir/new/"*
write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
DKIMVerify no
TrustedAuthservIDs relay.example.com
EOF2
# the forged fixtures carry mx.example.com: trust that id as well
sed -i 's/^TrustedAuthservIDs relay.example.com$/TrustedAuthservIDs relay.example.com, mx.example.com/' "$tmp/conf"
check "milter starts trusting Authentication-Results" start_milter
check "postfix starts again" postfix_start
check "every mail accepted over SMTP, through a relay that says fail" send_all fail
check "every mail reached the Maildir" wait_delivered "$n_all" 60
check "no forged field believed: no pass at all" \
	test "$(sql "SELECT count(*) FROM reports WHERE auth = 'pass'")" = 0
check "the relay's verdict is the one recorded" \
	test "$(sql "SELECT count(*) FROM reports WHERE auth = 'fail'")" = "$n_all"
check "the overlong forged fields reached the milter" \
	grep -q 'none-forged-ar' "$tmp/log"
postfix_stop
check "milter stopped cleanly" stop_milter
if [ $tap_failed -ne 0 ]; then
	show_log
	show_maillog
fi
finish
