# A private Postfix on loopback for the tests that need a real MTA in front
# of the milter (t-postfix.sh, tests/faults/): its own config directory,
# queue and data directories under $tmp, smtpd on a free high port, and
# virtual delivery of example.com into the Maildir $tmp/mail/maildir.
# Needs root (Postfix trusts another config directory only for root).
# Source after common.sh; call need_postfix before setup.
postfix_cfg=
pf_port=

need_postfix() {
	command -v postfix >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
	command -v postfix >/dev/null 2>&1 || skip_all "postfix not installed"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root to run a private Postfix"
	getent passwd postfix >/dev/null || skip_all "no postfix user"
	getent group postdrop >/dev/null || skip_all "no postdrop group"
	getent passwd nobody >/dev/null || skip_all "no nobody user"
	command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
	command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 CLI not installed"
}

# postfix_config DEFAULT_ACTION [MAIN_CF_LINE...]: write $tmp/postfix/
postfix_config() {
	action=$1
	shift
	pf_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	chmod 755 "$tmp"
	mkdir -p "$tmp/postfix" "$tmp/mail" "$tmp/queue" "$tmp/data"
	chown postfix "$tmp/data"
	chown nobody "$tmp/mail"
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
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
smtpd_milters = unix:$tmp/sock
milter_default_action = $action
EOF2
	for line in "$@"; do
		echo "$line" >>"$tmp/postfix/main.cf"
	done
	cat >"$tmp/postfix/master.cf" <<EOF2
127.0.0.1:$pf_port inet n - n - - smtpd
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
}

# postfix_start: start it and wait (bounded) until smtpd listens
postfix_start() {
	if ! postfix -c "$tmp/postfix" start >"$tmp/postfix.out" 2>&1; then
		sed "s/^/# /" "$tmp/postfix.out"
		sed "s/^/# /" "$tmp/maillog" 2>/dev/null
		return 1
	fi
	postfix_cfg=$tmp/postfix
	python3 - "$pf_port" <<'EOF2'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF2
}

postfix_stop() {
	[ -n "$postfix_cfg" ] && postfix -c "$postfix_cfg" stop >/dev/null 2>&1
	postfix_cfg=
}

# maildir_count: mails delivered so far
maildir_count() { ls "$tmp/mail/maildir/new" 2>/dev/null | wc -l; }

# queue_count: mails still in Postfix's queue (active, deferred, incoming...)
queue_count() {
	postqueue -c "$tmp/postfix" -j 2>/dev/null | wc -l
}

# wait_delivered N SECONDS: until N mails are in the Maildir (bounded)
wait_delivered() {
	end=$(($(date +%s) + $2))
	while [ "$(maildir_count)" -lt "$1" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.2
	done
	[ "$(maildir_count)" -ge "$1" ]
}

show_maillog() { sed 's/^/# maillog: /' "$tmp/maillog" 2>/dev/null | tail -${1:-30}; }
