#!/bin/sh
# tlsrpt-milter behind a real Postfix on loopback: a private instance
# (postfix -c DIR, its own queue, smtpd on a free high port, virtual
# delivery into a Maildir under the temp dir) receives fixture mails over
# SMTP; every mail must be delivered and every report stored.
# Needs root (Postfix only trusts another config directory for root).
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
setup
trap 'postfix_stop; stop_milter >/dev/null 2>&1; rm -rf "$tmp"' EXIT
postfix_config accept

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
EOF2
check "milter starts" start_milter
check "private postfix starts, smtpd listens" postfix_start
[ $tap_failed -eq 0 ] || finish
port=$pf_port

mails="report.eml two-reports.eml invalid.eml plain.eml html.eml spoofed-status.eml"
python3 - "$port" "$FIXTURES" $mails >"$tmp/smtp.out" 2>&1 <<'EOF2'
import smtplib, sys
port, fixtures, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    for n in names:
        with open(fixtures + "/" + n, "rb") as f:
            s.sendmail("sender@example.net", ["tlsrpt@example.com"], f.read())
    # and one for a recipient the milter does not watch
    with open(fixtures + "/report.eml", "rb") as f:
        s.sendmail("sender@example.net", ["someone@example.com"], f.read())
EOF2
check "seven mails accepted over SMTP" test $? -eq 0
[ $tap_failed -eq 0 ] || sed 's/^/# /' "$tmp/smtp.out"

check "every mail reached the Maildir" wait_delivered 7 30
check "stored report carries its status header" \
	grep -l '^TLS-Report-Status: stored; submitter=reporter.example; report-id=rid-stored-0001' "$tmp/mail/maildir/new/"*
check "forged status header removed" \
	sh -c "! grep -q 'forged.example\|second forgery' '$tmp/mail/maildir/new/'*"
check "mail for another recipient left alone" \
	test "$(grep -l '^To: tlsrpt@example.com' "$tmp/mail/maildir/new/"* | xargs grep -L '^TLS-Report-Status' | wc -l)" -ge 3
postfix_stop
check "milter stopped cleanly" stop_milter
check "four reports stored" test "$(sql 'SELECT count(*) FROM reports')" = 4
check "invalid report logged" grep -q ': invalid (.*): submitter=broken.example' "$tmp/log"
if [ $tap_failed -ne 0 ]; then
	show_log
	show_maillog
fi
finish
