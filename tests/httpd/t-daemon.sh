#!/bin/sh
# tlsrpt-httpd as a program: usage and exit codes, config errors with
# file:line, the pidfile, privilege drop (-u), going to the background,
# reload on SIGHUP, clean stop on SIGTERM with the spool replayed.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup

"$HTTPD_BIN" -h >"$tmp/out" 2>&1
check "-h exits 0 with usage" sh -c "test $? -eq 0 && grep -q '^usage: tlsrpt-httpd' '$tmp/out'"
"$HTTPD_BIN" -V >"$tmp/out" 2>&1
check "-V exits 0" test $? -eq 0
"$HTTPD_BIN" -Z >"$tmp/out" 2>&1
check "unknown option exits 64" test $? -eq 64
"$HTTPD_BIN" -f extra >"$tmp/out" 2>&1
check "stray argument exits 64" test $? -eq 64
"$HTTPD_BIN" -f -c "$tmp/none.conf" >"$tmp/out" 2>&1
check "missing named config exits 78" test $? -eq 78
printf 'Listen 127.0.0.1:0\nBogusKey 1\n' >"$tmp/bad.conf"
"$HTTPD_BIN" -f -c "$tmp/bad.conf" >"$tmp/out" 2>&1
check "unknown key exits 78" test $? -eq 78
check "... naming file:line" grep -q "bad.conf:2: BogusKey: unknown key" "$tmp/out"
printf 'TLSCertificate /x.pem\n' >"$tmp/tls.conf"
"$HTTPD_BIN" -f -c "$tmp/tls.conf" >"$tmp/out" 2>&1
check "a certificate without a key exits 78" test $? -eq 78
printf 'ReportToken example.com short\n' >"$tmp/tok.conf"
"$HTTPD_BIN" -f -c "$tmp/tok.conf" >"$tmp/out" 2>&1
check "a short token exits 78" test $? -eq 78
printf 'TLSCertificate /nonexistent.pem\nTLSKey /nonexistent.key\nListen 127.0.0.1:0\n' >"$tmp/tls2.conf"
"$HTTPD_BIN" -f -c "$tmp/tls2.conf" >"$tmp/out" 2>&1
check "unreadable TLS files: exit 69, naming the file" \
	sh -c "test $? -eq 69 && grep -q /nonexistent.pem '$tmp/out'"

write_conf <<EOF2
PidFile $tmp/pid
EOF2
check "starts with a pidfile" start_httpd
check "pidfile holds the pid" test "$(cat "$tmp/pid" 2>/dev/null)" = "$httpd_pid"
echo "LogLevel warning" >>"$tmp/conf"
kill -HUP "$httpd_pid"
check "SIGHUP reloads" wait_for grep -q 'configuration reloaded' "$tmp/log"
echo "NoSuchKey 1" >>"$tmp/conf"
kill -HUP "$httpd_pid"
check "an invalid file keeps the running config" \
	wait_for grep -q 'reload failed, configuration unchanged: .*conf:7: NoSuchKey' "$tmp/log"
check "still running after a failed reload" kill -0 "$httpd_pid"
check "SIGTERM stops cleanly" stop_httpd
check "pidfile removed" test ! -e "$tmp/pid"

# IPv6 loopback, where the machine has it
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	write_conf </dev/null
	sed -i 's/^Listen .*/Listen [::1]:0/' "$tmp/conf"
	check "listens on [::1]" start_httpd
	printf '{"report-id":"x"}' >"$tmp/x.json"
	check "answers over IPv6" test "$(curl -s -g -o /dev/null -w '%{http_code}' -H 'Content-Type: application/tlsrpt+json' \
		--data-binary @"$tmp/x.json" "http://[::1]:$port/tlsrpt")" = 400
	check "stops" stop_httpd
else
	ok "# SKIP no IPv6 loopback"
fi

# -u: privileges dropped once listening; the background (no -f) with syslog
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$tmp/nobody" && chown nobody "$tmp/nobody" && chmod 755 "$tmp"
	printf 'Listen 127.0.0.1:0\nDatabase %s/nobody/db\nSpoolDir %s/nobody\nPidFile %s/nobody/pid\n' \
		"$tmp" "$tmp" "$tmp" >"$tmp/conf3"
	"$HTTPD_BIN" -c "$tmp/conf3" -u nobody >"$tmp/out" 2>&1
	check "goes to the background: exits 0 at once" test $? -eq 0
	check "... and writes its pidfile" wait_for test -s "$tmp/nobody/pid"
	pid=$(cat "$tmp/nobody/pid" 2>/dev/null)
	# the pidfile is written before the privileges are dropped: wait for that
	uid_is() { test "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" = "$1"; }
	check "runs as nobody" wait_for uid_is "$(id -u nobody)"
	kill "$pid" 2>/dev/null
	check "stops on SIGTERM, removing its pidfile" wait_for test ! -e "$tmp/nobody/pid"
else
	ok "# SKIP -u needs root and a nobody user"
fi
finish
