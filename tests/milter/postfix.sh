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
# (scripts/postfix-sandbox, which the demo uses too); sets pf_port
postfix_config() {
	action=$1
	shift
	pf_port=$(MILTER_DEFAULT_ACTION=$action "$top_srcdir/scripts/postfix-sandbox" \
		config "$tmp" "unix:$tmp/sock" "$@")
}

# postfix_start: start it and wait (bounded) until smtpd listens
postfix_start() {
	if ! "$top_srcdir/scripts/postfix-sandbox" start "$tmp" 2>"$tmp/postfix.err"; then
		sed "s/^/# /" "$tmp/postfix.err"
		return 1
	fi
	postfix_cfg=$tmp/postfix
}

postfix_stop() {
	[ -n "$postfix_cfg" ] && "$top_srcdir/scripts/postfix-sandbox" stop "$tmp"
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
