#!/bin/sh
# Sendmail with the milter down: F=T defers every message with 451 (not
# only reports: Sendmail cannot tell which mail the filter would have
# read), F= delivers every message untouched.  Private Sendmail,
# tests/sendmail/sendmail.sh.
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/sendmail/sendmail.sh"
need_sendmail
setup
trap 'sendmail_stop; rm -rf "$tmp"' EXIT

check "sendmail configured with F=T" sendmail_config T
check "private sendmail starts without the milter" sendmail_start
[ $tap_failed -eq 0 ] || finish
check "F=T: a report is deferred with 451" test "$(sm_send tlsrpt@example.com report.eml 2>>"$tmp/smtp.err")" = 451
check "F=T: so is any other mail" test "$(sm_send someone@example.com plain.eml 2>>"$tmp/smtp.err")" = 451
sendmail_stop
check "nothing delivered" test "$(sm_count)" = 0

check "sendmail configured with F=" sendmail_config ""
check "private sendmail starts without the milter" sendmail_start
check "F=: a report is delivered" test "$(sm_send tlsrpt@example.com report.eml 2>>"$tmp/smtp.err")" = 250
check "F=: it reaches the mailbox" sm_wait 1 30
check "F=: without a status header" sh -c "! grep -q '^TLS-Report-Status' '$sm/mail/'*.eml"
[ $tap_failed -eq 0 ] || sed 's/^/# /' "$tmp/smtp.err"
finish
