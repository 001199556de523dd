#!/bin/sh
# tlsrpt-milter behind a real Postfix on loopback: a private instance
# (postfix -c DIR, its own queue, smtpd on a free high port, virtual
# delivery into a Maildir under the temp dir) receives fixture mails over
# SMTP; every mail must be delivered and every report stored.
# Needs root (Postfix only trusts another config directory for root).
. "${top_srcdir:?}/tests/milter/common.sh"
command -v postfix >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
command -v postfix >/dev/null 2>&1 || skip_all "postfix not installed"
[ "$(id -u)" -eq 0 ] || skip_all "needs root to run a private Postfix"
getent passwd postfix >/dev/null || skip_all "no postfix user"
getent group postdrop >/dev/null || skip_all "no postdrop group"
getent passwd nobody >/dev/null || skip_all "no nobody user"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 CLI not installed"
need_store
setup

postfix_cfg=
stop_all() {
	[ -n "$postfix_cfg" ] && postfix -c "$postfix_cfg" stop >/dev/null 2>&1
	postfix_cfg=
	stop_milter
}
trap 'stop_all >/dev/null 2>&1; rm -rf "$tmp"' EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chmod 755 "$tmp"
mkdir -p "$tmp/postfix" "$tmp/mail" "$tmp/queue" "$tmp/data"
chown postfix "$tmp/data"
chown nobody "$tmp/mail"
uid=$(id -u nobody)
gid=$(id -g nobody)

cat >"$tmp/postfix/main.cf" <<EOF2
compatibility_level = 3.6
queue_directory = $tmp/queue
data_directory = $tmp/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.com
mydomain = example.com
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
smtputf8_enable = no
maillog_file_prefixes = $tmp
maillog_file = $tmp/maillog
virtual_mailbox_domains = example.com
virtual_mailbox_base = $tmp/mail
virtual_mailbox_maps = static:maildir/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
smtpd_milters = unix:$tmp/sock
milter_default_action = accept
EOF2
cat >"$tmp/postfix/master.cf" <<EOF2
127.0.0.1:$port inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
local     unix - n n - - local
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF2

write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
EOF2
check "milter starts" start_milter
if postfix -c "$tmp/postfix" start >"$tmp/postfix.out" 2>&1; then
	postfix_cfg=$tmp/postfix
	ok "private postfix starts"
else
	not_ok "private postfix starts"
	sed "s/^/# /" "$tmp/postfix.out"; cat "$tmp/maillog" 2>/dev/null | sed "s/^/# /"
	finish
fi

# wait for smtpd to listen (bounded)
python3 - "$port" <<'EOF2'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF2
check "smtpd listens on 127.0.0.1:$port" test $? -eq 0

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

# wait for delivery (bounded)
i=0
while [ "$(ls "$tmp/mail/maildir/new" 2>/dev/null | wc -l)" -lt 7 ] && [ $i -lt 150 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "every mail reached the Maildir" test "$(ls "$tmp/mail/maildir/new" 2>/dev/null | wc -l)" -eq 7
check "stored report carries its status header" \
	grep -l '^TLS-Report-Status: stored; submitter=reporter.example; report-id=rid-stored-0001' "$tmp/mail/maildir/new/"*
check "forged status header removed" \
	sh -c "! grep -q 'forged.example\|second forgery' '$tmp/mail/maildir/new/'*"
check "mail for another recipient left alone" \
	test "$(grep -l '^To: tlsrpt@example.com' "$tmp/mail/maildir/new/"* | xargs grep -L '^TLS-Report-Status' | wc -l)" -ge 3
stop_all
check "milter stopped cleanly" test $? -eq 0
check "four reports stored" test "$(sql 'SELECT count(*) FROM reports')" = 4
check "invalid report logged" grep -q ': invalid (.*): submitter=broken.example' "$tmp/log"
if [ $tap_failed -ne 0 ]; then
	show_log
	sed 's/^/# maillog: /' "$tmp/maillog" 2>/dev/null | tail -30
fi
finish
