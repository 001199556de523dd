#!/bin/sh
# A real nginx (Debian's) in front, as docs/https.md configures it: a
# private instance with its own config, pid and temp files in the test's
# folder (never the system service).  Reports posted through it are
# stored with the client address nginx passes in X-Forwarded-For (the peer
# is a TrustedProxy); a forged X-Forwarded-For from a peer that is not
# trusted is ignored; MTA-STS policies come through by Host; 20 clients
# posting through nginx get no 5xx.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
need_python
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip_all "nginx not installed"
printf 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n' >"$tmp/com.txt"
write_conf <<EOF2
TrustedProxy 127.0.0.1
MTASTSPolicy example.com $tmp/com.txt
MaxConnectionsPerIP 100
RateLimit 0
EOF2
check "daemon starts" start_httpd
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$tmp/nginx" && chmod 755 "$tmp" && chmod 777 "$tmp/nginx"
# The client address nginx passes is fixed here (a real deployment uses
# $remote_addr): every test client is 127.0.0.1.
cat >"$tmp/nginx.conf" <<EOF2
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
worker_processes 1;
events { worker_connections 256; }
http {
	access_log $tmp/nginx/access.log;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$nport;
		client_max_body_size 8m;
		location = /tlsrpt {
			proxy_pass http://127.0.0.1:$port;
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For 198.51.100.23;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
		location = /.well-known/mta-sts.txt {
			proxy_pass http://127.0.0.1:$port;
			proxy_set_header Host \$host;
		}
	}
}
EOF2
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx.conf" -e "$tmp/nginx/error.log" >"$tmp/nginx/out" 2>&1 &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; cleanup' EXIT
check "nginx starts" wait_for curl -s -o /dev/null "http://127.0.0.1:$nport/"
cat >"$tmp/r.json" <<'EOF2'
{"organization-name":"Proxied","date-range":{"start-datetime":"2026-03-04T00:00:00Z","end-datetime":"2026-03-04T23:59:59Z"},"contact-info":"tls@proxied.example","report-id":"nginx-1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":3,"total-failure-session-count":0}}]}
EOF2
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/tlsrpt+json' \
	--data-binary @"$tmp/r.json" "http://127.0.0.1:$nport/tlsrpt")
check "201 through nginx" test "$code" = 201
check "client address from X-Forwarded-For of a trusted proxy" \
	test "$(sql "SELECT client_addr FROM reports WHERE report_id='nginx-1'")" = 198.51.100.23
sed 's/nginx-1/nginx-2/' "$tmp/r.json" >"$tmp/r2.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/tlsrpt+json' \
	-H 'X-Forwarded-For: 203.0.113.66' --data-binary @"$tmp/r2.json" "http://127.0.0.1:$nport/tlsrpt")
check "a client's own X-Forwarded-For is replaced by nginx's" \
	test "$code:$(sql "SELECT client_addr FROM reports WHERE report_id='nginx-2'")" = 201:198.51.100.23
check "MTA-STS policy through nginx by Host" \
	sh -c "curl -s -H 'Host: mta-sts.example.com' 'http://127.0.0.1:$nport/.well-known/mta-sts.txt' | grep -q '^mode: enforce'"
python3 "$HTTPD_DIR/loadgen.py" "http://127.0.0.1:$nport/tlsrpt" --clients 20 --reports 600 --tag proxied \
	>"$tmp/result" 2>"$tmp/loadgen.err"
sed 's/^/# /' "$tmp/result"
check "20 clients through nginx: only 201 and 400" \
	python3 -c "import json,sys; d=json.load(open('$tmp/result')); sys.exit(set(d['codes']) != {'201','400'})"
want=$(python3 -c "import json; print(json.load(open('$tmp/result'))['valid_unique'])")
check "each stored once ($want)" test "$(sql "SELECT count(*) FROM reports WHERE report_id LIKE 'proxied-%'")" = "$want"
stop_httpd
# Without TrustedProxy the header is not believed.
write_conf </dev/null
check "daemon restarts without TrustedProxy" start_httpd
sed 's/nginx-1/direct-1/' "$tmp/r.json" >"$tmp/r3.json"
curl -s -o /dev/null -H 'Content-Type: application/tlsrpt+json' -H 'X-Forwarded-For: 203.0.113.66' \
	--data-binary @"$tmp/r3.json" "$(url /tlsrpt)"
check "a forged X-Forwarded-For from an untrusted peer is ignored" \
	test "$(sql "SELECT client_addr FROM reports WHERE report_id='direct-1'")" = 127.0.0.1
check "daemon stops cleanly" stop_httpd
finish
