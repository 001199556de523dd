#!/bin/sh
# With Debian's OpenDKIM verifying ahead of tlsrpt-milter in a real
# Postfix (the set-up issue 13 attacked): every signed fixture still gets
# the verdict its name says, because tlsrpt-milter verifies DKIM itself
# and believes no Authentication-Results, neither OpenDKIM's nor the
# forged ones of every shape that OpenDKIM leaves in place.  OpenDKIM
# reads the same fixture keys (TestPublicKeys).  Skips without opendkim.
# Needs root (Postfix only trusts another config directory for root).
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
ODK=$(command -v opendkim 2>/dev/null || ls /usr/sbin/opendkim 2>/dev/null) ||
	skip_all "opendkim not installed (Debian package opendkim)"
setup
odk_pid=
stop_opendkim() {
	[ -n "$odk_pid" ] || return 0
	kill "$odk_pid" 2>/dev/null
	wait "$odk_pid" 2>/dev/null # it takes a few seconds to join its threads
	odk_pid=
}
trap 'postfix_stop; stop_milter >/dev/null 2>&1; stop_opendkim; rm -rf "$tmp"' EXIT
DKIM=$top_srcdir/tests/fixtures/dkim
n_all=$(ls "$DKIM" | grep -c '\.eml$')
n_pass=$(ls "$DKIM" | grep -c '^pass-.*\.eml$')

cat >"$tmp/odk.conf" <<EOF2
Mode v
Socket local:$tmp/odk.sock
UMask 000
AuthservID mx.example.com
TestPublicKeys $DKIM/keys.txt
Syslog no
AlwaysAddARHeader yes
EOF2
"$ODK" -f -x "$tmp/odk.conf" 2>>"$tmp/odk.log" &
odk_pid=$!
i=0
while [ ! -S "$tmp/odk.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "opendkim starts" test -S "$tmp/odk.sock"

pf_port=$(MILTER_DEFAULT_ACTION=accept "$top_srcdir/scripts/postfix-sandbox" \
	config "$tmp" "unix:$tmp/odk.sock, unix:$tmp/sock")
write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
DKIMKeyFile $DKIM/keys.txt
EOF2
check "milter starts" start_milter
check "private postfix starts with opendkim ahead" postfix_start
[ $tap_failed -eq 0 ] || finish
python3 - "$pf_port" "$DKIM" >"$tmp/smtp.out" 2>&1 <<'EOF2'
import os, smtplib, sys
port, d = int(sys.argv[1]), sys.argv[2]
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    for n in sorted(os.listdir(d)):
        if n.endswith(".eml"):
            with open(os.path.join(d, n), "rb") as f:
                s.sendmail("tlsrpt@example.net", ["tlsrpt@example.com"], f.read())
EOF2
check "every signed mail accepted over SMTP" test $? -eq 0
check "every mail reached the Maildir" wait_delivered "$n_all" 60
check "opendkim verified them too" \
	test "$(grep -l '^Authentication-Results: mx.example.com' "$tmp/mail/maildir/new/"* | wc -l)" -ge "$n_pass"
check "every report stored" test "$(sql 'SELECT count(*) FROM reports')" = "$n_all"
check "each report has the verdict its name says, forged fields or not" \
	test "$(sql "SELECT count(*) FROM reports WHERE report_id NOT LIKE auth || '-%'")" = 0
check "the forged-field mails did not pass" \
	test "$(sql "SELECT count(*) FROM reports WHERE report_id LIKE '%forged%' AND auth = 'pass'")" = 0
if [ $tap_failed -ne 0 ]; then
	sed 's/^/# /' "$tmp/smtp.out" "$tmp/odk.log"
	sql "SELECT report_id, auth, dkim_domain FROM reports" | sed 's/^/# /'
	show_log
	show_maillog
fi
postfix_stop
check "milter stopped cleanly" stop_milter
stop_opendkim
finish
