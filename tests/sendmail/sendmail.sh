# A private Sendmail on loopback for the tests that need it in front of
# the milter: Debian's own sendmail 8.17 binary, unpacked, not installed
# (its packages conflict with postfix).  Everything lives under $tmp/sm:
#   root/      the unpacked .debs (dpkg -x; the binary's setgid bit dropped,
#              or the loader would ignore LD_LIBRARY_PATH)
#   sendmail.cf built with m4 from sendmail.mc and sendmail-cf's cf.m4
#   queue/     root, 0700 (TrustStickyBit: its parent is under /tmp)
#   mail/      one NAME.eml per delivered message, written by deliver.sh,
#              the local mailer every @example.com address goes to
# The daemon runs in the foreground (-bD) in its own UTS namespace whose
# host name is fully qualified: Sendmail sleeps 60 s on an unqualified one.
# Clients must send CRLF: Sendmail refuses bare LF.  It logs to syslog
# only; without /dev/log its log is lost, the milter's and the SMTP
# replies say what happened.
# Needs root (unshare, queue ownership) and the .debs: fetched once with
# apt-get download into $SENDMAIL_DEBS (default ~/.cache/tlsrpt-milter/
# sendmail-debs: outside the build tree, so that rebuilds, worktrees and
# make distcheck share it); the tests skip when that fails (no network).
# Source after tests/milter/common.sh; call need_sendmail before setup.
SENDMAIL_PKGS="sendmail-bin sendmail-cf sendmail-base liblockfile1 libwrap0"
: "${SENDMAIL_DEBS:=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/tlsrpt-milter/sendmail-debs}"
sm=
sm_port=
sm_pid=

# sendmail_fetch: the .debs in $SENDMAIL_DEBS, downloading what is missing
# (one test at a time: make -j runs several)
sendmail_fetch() {
	mkdir -p "$SENDMAIL_DEBS" || return 1
	(
		flock 9
		cd "$SENDMAIL_DEBS" || exit 1
		missing=
		for p in $SENDMAIL_PKGS; do
			ls "${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
		done
		[ -z "$missing" ] && exit 0
		# shellcheck disable=SC2086
		apt-get download -q $missing >download.log 2>&1 && exit 0
		# a machine whose package lists were never fetched (or cleaned)
		apt-get update -qq >>download.log 2>&1 &&
		apt-get download -q $missing >>download.log 2>&1
	) 9>"$SENDMAIL_DEBS/.lock"
}

need_sendmail() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root to run a private Sendmail"
	for c in m4 unshare dpkg apt-get flock python3 sqlite3; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not found"
	done
	sendmail_fetch || skip_all "cannot get Debian's sendmail packages ($SENDMAIL_PKGS) into $SENDMAIL_DEBS"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# sendmail_config FLAGS [MC_LINE...]: unpack and configure $tmp/sm; FLAGS
# is the milter's F= (T: tempfail while it is down; empty: pass)
sendmail_config() {
	flags=$1
	shift
	sm=$tmp/sm
	mkdir -p "$sm/root" "$sm/queue" "$sm/mail" "$sm/etc" || return 1
	chmod 755 "$tmp" "$sm"
	chmod 700 "$sm/queue"
	for deb in "$SENDMAIL_DEBS"/*.deb; do
		dpkg -x "$deb" "$sm/root" || return 1
	done
	cp "$sm/root/usr/libexec/sendmail/sendmail" "$sm/sendmail" && chmod 755 "$sm/sendmail" || return 1
	if LD_LIBRARY_PATH=$sm/root/usr/lib/x86_64-linux-gnu:$sm/root/lib/x86_64-linux-gnu \
		ldd "$sm/sendmail" | grep 'not found' >"$sm/ldd.out"; then
		sed 's/^/# missing library: /' "$sm/ldd.out"
		return 1
	fi
	sm_port=$(free_port) || return 1
	cat >"$sm/deliver.sh" <<EOF2
#!/bin/sh
# the local mailer: the message on stdin into its own file
f=$sm/mail/\$(date +%s%N).\$\$
cat >"\$f.tmp" && mv "\$f.tmp" "\$f.eml"
EOF2
	chmod 755 "$sm/deliver.sh"
	printf 'hosts files\naliases files\n' >"$sm/etc/service.switch"
	echo "127.0.0.1 localhost mx.example.com example.com example.net" >"$sm/etc/hosts"
	sed -e "s|@SM@|$sm|g" -e "s|@PORT@|$sm_port|g" -e "s|@SOCK@|$tmp/sock|g" \
		-e "s|@FLAGS@|$flags|g" "$top_srcdir/tests/sendmail/sendmail.mc.in" >"$sm/sendmail.mc"
	for line in "$@"; do
		echo "$line" >>"$sm/sendmail.mc"
	done
	m4 -D_CF_DIR_="$sm/root/usr/share/sendmail/cf/" "$sm/root/usr/share/sendmail/cf/m4/cf.m4" \
		"$sm/sendmail.mc" >"$sm/sendmail.cf" 2>"$sm/m4.err" || { sed 's/^/# m4: /' "$sm/m4.err"; return 1; }
}

# sendmail_start: the daemon in the foreground, until it listens (bounded)
sendmail_start() {
	LD_LIBRARY_PATH=$sm/root/usr/lib/x86_64-linux-gnu:$sm/root/lib/x86_64-linux-gnu \
		unshare --uts sh -c 'hostname mx.example.com && exec "$0" -bD -C "$1"' \
		"$sm/sendmail" "$sm/sendmail.cf" >"$sm/daemon.out" 2>&1 &
	sm_pid=$!
	python3 - "$sm_port" "$sm_pid" <<'EOF2'
import os, socket, sys, time
for _ in range(100):
    try:
        os.kill(int(sys.argv[2]), 0)
    except OSError:
        sys.exit(1)
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF2
	rc=$?
	[ $rc -eq 0 ] || sed 's/^/# sendmail: /' "$sm/daemon.out"
	return $rc
}

sendmail_stop() {
	[ -n "$sm_pid" ] || return 0
	kill -TERM "$sm_pid" 2>/dev/null
	wait "$sm_pid" 2>/dev/null
	sm_pid=
}

# sm_count: messages delivered so far
sm_count() { ls "$sm/mail" 2>/dev/null | grep -c '\.eml$'; }

# sm_wait N SECONDS: until N messages are delivered (bounded)
sm_wait() {
	end=$(($(date +%s) + $2))
	while [ "$(sm_count)" -lt "$1" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.2
	done
	[ "$(sm_count)" -ge "$1" ]
}

# sm_send RCPT FIXTURE...: each fixture in its own transaction over one
# SMTP session; prints one reply code per message (250, or the refusal's:
# 451, 550...), and a refusal's text on stderr
sm_send() {
	python3 - "$sm_port" "$FIXTURES" "$@" <<'EOF2'
import smtplib, sys
port, fixtures, rcpt, names = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
    for n in names:
        with open(fixtures + "/" + n, "rb") as f:
            msg = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        try:
            s.sendmail("reporter@example.net", [rcpt], msg)
            print(250)
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
            print(e.smtp_code, e.smtp_error.decode(errors="replace"), file=sys.stderr)
            print(e.smtp_code)
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
            print(code)
        s.rset()
EOF2
}
