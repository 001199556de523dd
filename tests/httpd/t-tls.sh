#!/bin/sh
# Built-in TLS: a private CA made here with openssl, the daemon serving
# with its certificate, curl --cacert posting a report (it then shows in
# tlsrpt-report summary) and fetching two domains' MTA-STS policies by
# name; SIGHUP swaps in a new certificate for new handshakes while 20
# clients keep posting (no request fails), and a key that does not match
# is refused with the old pair kept.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
need_python
command -v openssl >/dev/null 2>&1 || skip_all "openssl not installed"
cd "$tmp" || exit 99

# ca, then leaf NAME SERIAL: a server certificate for loopback and the
# two policy hosts, signed by the CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=tlsrpt test CA" -keyout ca.key -out ca.pem >/dev/null 2>&1 || skip_all "openssl cannot make a CA"
leaf() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$1.key" -out "$1.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:localhost,DNS:mta-sts.example.com,DNS:mta-sts.example.org,IP:127.0.0.1\n' >ext &&
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$2" -days 2 \
		-extfile ext -out "$1.pem" >/dev/null 2>&1
}
check "CA and first certificate made" leaf first 1
check "second certificate made" leaf second 2
cp first.pem server.pem && cp first.key server.key
printf 'version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n' >com.txt
printf 'version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 86400\n' >org.txt
write_conf <<EOF2
TLSCertificate $tmp/server.pem
TLSKey $tmp/server.key
MTASTSPolicy example.com $tmp/com.txt
MTASTSPolicy example.org $tmp/org.txt
MaxConnectionsPerIP 100
RateLimit 0
EOF2
check "daemon starts with TLS" start_httpd
check "log says https" grep -q 'listening on https://' "$tmp/log"
S="https://127.0.0.1:$port"
cat >r.json <<'EOF2'
{"organization-name":"TLS Sender","date-range":{"start-datetime":"2026-03-02T00:00:00Z","end-datetime":"2026-03-02T23:59:59Z"},"contact-info":"tls@tls-sender.example","report-id":"tls-1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":5,"total-failure-session-count":1},"failure-details":[{"result-type":"validation-failure","failed-session-count":1}]}]}
EOF2
gzip -c r.json >r.json.gz
code=$(curl -s -o body -w '%{http_code}' --cacert ca.pem -H 'Content-Type: application/tlsrpt+gzip' \
	--data-binary @r.json.gz "$S/tlsrpt")
check "curl --cacert posts a report over TLS: 201" test "$code" = 201
check "the report is in tlsrpt-report summary" sh -c "'$REPORT_BIN' -d '$tmp/db' summary | grep -q 'TLS Sender'"
check "curl without the CA refuses the certificate" \
	sh -c "! curl -s -o /dev/null -H 'Content-Type: application/tlsrpt+json' --data-binary @r.json '$S/tlsrpt'"
check "plain HTTP to the TLS port gets no answer" \
	sh -c "! curl -s -m 5 -o /dev/null 'http://127.0.0.1:$port/tlsrpt' -H 'Content-Type: application/tlsrpt+json' --data-binary @r.json | grep -q 201"
for d in com org; do
	curl -s -o "policy.$d" --cacert ca.pem --resolve "mta-sts.example.$d:$port:127.0.0.1" \
		"https://mta-sts.example.$d:$port/.well-known/mta-sts.txt"
done
check "MTA-STS policy of example.com over TLS by name" grep -q '^mode: enforce' policy.com
check "MTA-STS policy of example.org over TLS by name" grep -q '^mode: testing' policy.org

check "first certificate served" sh -c "openssl s_client -connect 127.0.0.1:$port -CAfile ca.pem </dev/null 2>/dev/null | openssl x509 -noout -subject | grep -q first"

# Reload under load: 20 clients keep posting while the pair is swapped.
python3 "$HTTPD_DIR/loadgen.py" "$S/tlsrpt" --cafile ca.pem --clients 20 --reports 1500 --tag tlsload \
	>result 2>loadgen.err &
load=$!
sleep 1
for pair in second first second; do
	cp "$pair.pem" server.pem.new && cp "$pair.key" server.key.new &&
		mv server.key.new server.key && mv server.pem.new server.pem
	kill -HUP "$httpd_pid"
	sleep 0.7
done
wait "$load"
sed 's/^/# /' result
check "three reloads logged" test "$(grep -c 'TLS certificate and key reloaded' "$tmp/log")" = 3
check "no request failed across the reloads" \
	python3 -c "import json,sys; d=json.load(open('result')); sys.exit(set(d['codes']) - {'201','400'} != set() or d['errors'] != 0)"
check "the second certificate is served now" \
	sh -c "openssl s_client -connect 127.0.0.1:$port -CAfile ca.pem </dev/null 2>/dev/null | openssl x509 -noout -subject | grep -q second"
want=$(python3 -c "import json; print(json.load(open('result'))['valid_unique'])")
check "each report stored once ($want)" test "$(sql "SELECT count(*) FROM reports WHERE report_id LIKE 'tlsload-%'")" = "$want"

# A key that does not match the certificate: refused, the old pair kept.
cp first.key server.key
kill -HUP "$httpd_pid"
check "a mismatched key is refused on reload" wait_for grep -q 'TLS reload failed, previous certificate kept' "$tmp/log"
check "the previous certificate still served" \
	sh -c "openssl s_client -connect 127.0.0.1:$port -CAfile ca.pem </dev/null 2>/dev/null | openssl x509 -noout -subject | grep -q second"
check "daemon stops cleanly" stop_httpd
cd / || exit 99
finish
