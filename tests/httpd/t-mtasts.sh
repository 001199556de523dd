#!/bin/sh
# MTA-STS policies: served by Host for two domains, text/plain, never a
# redirect; an invalid policy keeps the daemon from starting and names
# file and line; SIGHUP picks up a changed policy, and keeps the old
# configuration when the new one is invalid; tlsrpt-report dns prints the
# records, with an id that follows the policy's content.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
printf 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.backup.example.com\nmax_age: 604800\n' >"$tmp/com.txt"
printf 'version: STSv1\r\nmode: testing\r\nmx: mx.example.org\r\nmax_age: 86400\r\n' >"$tmp/org.txt"
write_conf <<EOF2
MTASTSPolicy example.com $tmp/com.txt
MTASTSPolicy Example.ORG $tmp/org.txt
EOF2
check "daemon starts with two policies" start_httpd
check "log counts them" grep -q '2 MTA-STS policies' "$tmp/log"

get() { # get HOST [CURL ARGS]: status code, body in $tmp/body, headers in $tmp/hdr
	h=$1; shift
	curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' -H "Host: $h" "$@" \
		"$(url /.well-known/mta-sts.txt)"
}
check "200 for mta-sts.example.com" test "$(get mta-sts.example.com)" = 200
check "its policy" grep -q '^mx: \*\.backup\.example\.com' "$tmp/body"
check "text/plain" grep -qi '^Content-Type: text/plain' "$tmp/hdr"
check "no redirect" sh -c "! grep -qi '^Location:' '$tmp/hdr'"
check "lines end in CRLF" test "$(head -1 "$tmp/body" | od -An -c | tr -d ' \n')" = 'version:STSv1\r\n'
check "200 for mta-sts.example.org with a port, a trailing dot, in capitals" \
	test "$(get MTA-STS.EXAMPLE.ORG.:443)" = 200
check "the other policy" grep -q '^mode: testing' "$tmp/body"
check "404 for another host" test "$(get mta-sts.example.net)" = 404
check "404 for the bare domain" test "$(get example.com)" = 404
check "HEAD answers 200" test "$(get mta-sts.example.com -I)" = 200
check "405 for POST" test "$(get mta-sts.example.com -d x)" = 405

# SIGHUP: a changed policy is served; an invalid one changes nothing.
printf 'version: STSv1\nmode: none\nmax_age: 86400\n' >"$tmp/com.txt"
kill -HUP "$httpd_pid"
check "reload logged" wait_for grep -q 'configuration reloaded' "$tmp/log"
get mta-sts.example.com >/dev/null
check "the changed policy served after SIGHUP" grep -q '^mode: none' "$tmp/body"
printf 'version: STSv1\nmode: enforce\nmax_age: 86400\n' >"$tmp/com.txt"
kill -HUP "$httpd_pid"
check "an invalid policy on reload is refused, naming the file" \
	wait_for grep -q "reload failed, configuration unchanged: .*com.txt: no mx line" "$tmp/log"
get mta-sts.example.com >/dev/null
check "the previous policy still served" grep -q '^mode: none' "$tmp/body"
check "daemon stops cleanly" stop_httpd

# An invalid policy at start: exit 78 (EX_CONFIG), file and line named.
printf 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 31557601\n' >"$tmp/bad.txt"
printf 'Listen 127.0.0.1:0\nMTASTSPolicy example.net %s\n' "$tmp/bad.txt" >"$tmp/conf2"
"$HTTPD_BIN" -f -c "$tmp/conf2" >"$tmp/out" 2>&1
rc=$?
check "an invalid policy keeps the daemon from starting (exit 78)" test "$rc" = 78
check "... naming the config line, the policy file and its line" \
	grep -q "conf2:2: MTASTSPolicy: $tmp/bad.txt: line 4: max_age" "$tmp/out"

# tlsrpt-report dns
printf 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n' >"$tmp/p1.txt"
printf 'version:STSv1\r\nmode: enforce\r\nmx: MAIL.example.com\r\nmax_age: 604800\r\n' >"$tmp/p2.txt"
printf 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604801\n' >"$tmp/p3.txt"
id_of() { "$REPORT_BIN" dns example.com "$1" | sed -n 's/^_mta-sts.example.com.\tIN TXT "v=STSv1; id=\([0-9a-f]*\)"$/\1/p'; }
check "dns prints the _mta-sts record with an id" test -n "$(id_of "$tmp/p1.txt")"
check "the same policy written differently keeps its id" test "$(id_of "$tmp/p1.txt")" = "$(id_of "$tmp/p2.txt")"
check "a changed policy gets a new id" test "$(id_of "$tmp/p1.txt")" != "$(id_of "$tmp/p3.txt")"
"$REPORT_BIN" dns example.com "$tmp/p1.txt" --rua https://reports.example.com/tlsrpt >"$tmp/dns"
check "dns prints the _smtp._tls record" \
	grep -q '^_smtp._tls.example.com.	IN TXT "v=TLSRPTv1; rua=https://reports.example.com/tlsrpt"$' "$tmp/dns"
"$REPORT_BIN" dns example.com "$tmp/bad.txt" 2>"$tmp/err"
check "dns exits 1 for an invalid policy" test $? = 1
check "... naming the line" grep -q 'bad.txt: line 4: max_age' "$tmp/err"
finish
