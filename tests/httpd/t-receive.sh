#!/bin/sh
# tlsrpt-httpd receiving reports over plain HTTP: every real sample posted
# with both media types (and Content-Encoding gzip) stores the same
# reports `tlsrpt-report import` does, each once; every status code the
# handler can give, for the reason it gives it; token paths; the https
# channel, client address and auth verdict recorded; --authenticated
# leaves such reports out.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
need_python
FIX=$top_srcdir/tests/fixtures
TOKEN=abcdefghijklmnop0123
write_conf <<EOF2
ReportToken example.com $TOKEN
MaxBodySize 1M
MaxReportSize 4M
RateLimit 0
EOF2
check "daemon starts" start_httpd

# A small valid report of our own, as JSON and as gzip.
cat >"$tmp/r.json" <<'EOF2'
{"organization-name":"Test Org","date-range":{"start-datetime":"2026-03-01T00:00:00Z","end-datetime":"2026-03-01T23:59:59Z"},"contact-info":"tls@sender.example","report-id":"http-test-1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com","policy-string":["version: STSv1","mode: enforce","mx: mx.example.com","max_age: 86400"],"mx-host":["mx.example.com"]},"summary":{"total-successful-session-count":10,"total-failure-session-count":2},"failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.com","failed-session-count":2}]}]}
EOF2
gzip -c "$tmp/r.json" >"$tmp/r.json.gz"
check "201 for a new report (json)" test "$(post "$tmp/r.json" application/tlsrpt+json)" = 201
check "answer says stored" grep -q '^stored' "$tmp/body"
check "201 for the same report again (gzip): a duplicate is success" \
	test "$(post "$tmp/r.json.gz" application/tlsrpt+gzip)" = 201
check "answer says already stored" grep -q 'already stored' "$tmp/body"
check "201 with Content-Encoding gzip" \
	test "$(post "$tmp/r.json.gz" application/tlsrpt+json /tlsrpt -H 'Content-Encoding: gzip')" = 201
check "media type parameters and case ignored" \
	test "$(post "$tmp/r.json" 'Application/TLSRPT+JSON; charset=utf-8')" = 201
check "stored exactly once" test "$(sql "SELECT count(*) FROM reports WHERE report_id='http-test-1'")" = 1
check "channel https, auth none, client address" \
	test "$(sql "SELECT source||' '||auth||' '||client_addr FROM reports WHERE report_id='http-test-1'")" = "https none 127.0.0.1"
id=$(sql "SELECT id FROM reports WHERE report_id='http-test-1'")
check "tlsrpt-report show names the client" \
	sh -c "'$REPORT_BIN' -d '$tmp/db' show $id | grep -q '^  client  *127.0.0.1$'"
check "in the summary" sh -c "'$REPORT_BIN' -d '$tmp/db' summary | grep -q 'Test Org'"
check "not in the summary with --authenticated" \
	sh -c "! '$REPORT_BIN' -d '$tmp/db' summary --authenticated | grep -q 'Test Org'"
check "201 on the token path" test "$(post "$tmp/r.json" application/tlsrpt+json /tlsrpt/$TOKEN)" = 201
sed 's/"example.com"/"other.example"/; s/http-test-1/http-test-other/' "$tmp/r.json" >"$tmp/other.json"
check "403 on the token path for another domain's report" \
	test "$(post "$tmp/other.json" application/tlsrpt+json /tlsrpt/$TOKEN)" = 403
check "403 names the policy-domain and the token's domain" \
	grep -q "^report refused: policy-domain other.example is not this token's domain example.com" "$tmp/body"
check "the refused report is not stored" \
	test "$(sql "SELECT count(*) FROM reports WHERE report_id='http-test-other'")" = 0
check "the bare path takes it (no token, no domain to hold it to)" \
	test "$(post "$tmp/other.json" application/tlsrpt+json)" = 201
sed 's/"example.com"/"Sub.Example.COM"/; s/http-test-1/http-test-sub/' "$tmp/r.json" >"$tmp/sub.json"
check "201 on the token path for a name under its domain, in any case" \
	test "$(post "$tmp/sub.json" application/tlsrpt+json /tlsrpt/$TOKEN)" = 201
sed 's/"example.com"/"badexample.com"/; s/http-test-1/http-test-bad/' "$tmp/r.json" >"$tmp/bad-suffix.json"
check "403 for a name that only ends like it" \
	test "$(post "$tmp/bad-suffix.json" application/tlsrpt+json /tlsrpt/$TOKEN)" = 403
check "404 on a wrong token" test "$(post "$tmp/r.json" application/tlsrpt+json /tlsrpt/wrongtoken0000000000)" = 404
check "404 elsewhere" test "$(post "$tmp/r.json" application/tlsrpt+json /other)" = 404

# Refusals
code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' "$(url /tlsrpt)")
check "405 for GET on the report path" test "$code" = 405
check "405 says Allow: POST" grep -qi '^Allow: POST' "$tmp/hdr"
check "405 for PUT" test "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$tmp/r.json" "$(url /tlsrpt)")" = 405
check "415 for text/plain" test "$(post "$tmp/r.json" text/plain)" = 415
check "415 without a Content-Type" test "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type:' --data-binary @"$tmp/r.json" "$(url /tlsrpt)")" = 415
check "415 for Content-Encoding br" \
	test "$(post "$tmp/r.json" application/tlsrpt+json /tlsrpt -H 'Content-Encoding: br')" = 415
printf '{"report-id": 1' >"$tmp/bad.json"
check "400 for broken JSON" test "$(post "$tmp/bad.json" application/tlsrpt+json)" = 400
check "400 gives a reason" grep -q '^invalid report: ..*' "$tmp/body"
printf '{"report-id":"x"}' >"$tmp/bad2.json"
check "400 for a report missing fields" test "$(post "$tmp/bad2.json" application/tlsrpt+json)" = 400
check "400 for gzip that is not" \
	test "$(post "$tmp/r.json" application/tlsrpt+json /tlsrpt -H 'Content-Encoding: gzip')" = 400

# Size limits: a declared 100 MB body is refused before it is read; a
# gzip bomb stops at MaxReportSize.
head -c 104857600 /dev/zero >"$tmp/big"
start=$(date +%s)
check "413 for a 100 MB body" test "$(post "$tmp/big" application/tlsrpt+json)" = 413
check "... answered within 5 s" test $(( $(date +%s) - start )) -le 5
rm -f "$tmp/big"
python3 -c "import gzip,sys; sys.stdout.buffer.write(gzip.compress(b' ' * (64 << 20), 9))" >"$tmp/bomb.gz"
check "gzip bomb under MaxBodySize" test "$(wc -c <"$tmp/bomb.gz")" -lt 1048576
check "413 for a gzip bomb (+gzip)" test "$(post "$tmp/bomb.gz" application/tlsrpt+gzip)" = 413
check "413 for a gzip bomb (Content-Encoding)" \
	test "$(post "$tmp/bomb.gz" application/tlsrpt+json /tlsrpt -H 'Content-Encoding: gzip')" = 413
check "log says why" grep -q 'too large\|limit' "$tmp/log"
check "daemon still answers" test "$(post "$tmp/r.json" application/tlsrpt+json)" = 201

# Every real sample, both media types: the same reports import finds.
samples=${TLSRPT_SAMPLES:-$top_srcdir/../shared/samples/tlsrpt}
[ -d "$samples" ] || samples=/work/shared/samples/tlsrpt
if [ -d "$samples" ] && [ "$(extract_samples "$samples")" -gt 0 ]; then
	: >"$tmp/codes"
	for f in "$tmp"/samples/*; do
		case $f in
		*.gz)
			a=$(post "$f" application/tlsrpt+gzip)
			gunzip -c "$f" >"$tmp/plain" 2>/dev/null
			b=$(post "$tmp/plain" application/tlsrpt+json) ;;
		*)
			a=$(post "$f" application/tlsrpt+json)
			gzip -c "$f" >"$tmp/gz"
			b=$(post "$tmp/gz" application/tlsrpt+gzip) ;;
		esac
		echo "$a $b $(basename "$f")" >>"$tmp/codes"
	done
	check "samples: only 201 and 400" sh -c "! grep -qv '^\(201 201\|400 400\) ' '$tmp/codes'"
	"$REPORT_BIN" -d "$tmp/import.db" import "$tmp"/samples/* >/dev/null 2>&1
	sqlite3 "$tmp/import.db" "SELECT report_id FROM reports ORDER BY 1" >"$tmp/want"
	sql "SELECT report_id FROM reports WHERE report_id NOT LIKE 'http-test-%' ORDER BY 1" >"$tmp/got"
	check "samples: the same reports as tlsrpt-report import ($(wc -l <"$tmp/want"))" cmp -s "$tmp/want" "$tmp/got"
	check "samples: each stored once" test "$(sql 'SELECT count(*) FROM (SELECT report_id, start_time FROM reports GROUP BY 1, 2 HAVING count(*) > 1)')" = 0
	check "samples: 400 only for files import finds no valid report in" \
		test "$(grep -c '^400 ' "$tmp/codes")" -le "$(ls "$tmp"/samples | wc -l)"
else
	ok "# SKIP real samples not present"
fi

# Rate limit and 503: a second daemon, each on its own settings.
stop_httpd
write_conf <<EOF2
RateLimit 3
EOF2
check "daemon with RateLimit 3 starts" start_httpd
for i in 1 2 3 4; do last=$(post "$tmp/r.json" application/tlsrpt+json); done
check "429 past the rate limit" test "$last" = 429
stop_httpd
printf 'Listen 127.0.0.1:0\nDatabase %s/nodir/db\n' "$tmp" >"$tmp/conf"
check "daemon without SpoolDir starts" start_httpd
check "503 when neither stored nor spooled" test "$(post "$tmp/r.json" application/tlsrpt+json)" = 503
check "503 log line" grep -q 'answered 503' "$tmp/log"
check "daemon stops cleanly" stop_httpd
# The same without a database but with a spool: 201, and import reads it.
mkdir "$tmp/spool2"
printf 'Listen 127.0.0.1:0\nDatabase %s/nodir/db\nSpoolDir %s/spool2\n' "$tmp" "$tmp" >"$tmp/conf"
check "daemon with only a spool starts" start_httpd
check "201 when the report can only be spooled" test "$(post "$tmp/r.json" application/tlsrpt+json)" = 201
check "answer says it is to be stored" grep -q 'to be stored shortly' "$tmp/body"
check "daemon stops" stop_httpd
check "one spool file" test "$(ls "$tmp/spool2" | grep -c '\.https-127\.0\.0\.1\.report$')" = 1
"$REPORT_BIN" -d "$tmp/fromspool.db" import "$tmp/spool2" >/dev/null 2>&1
check "tlsrpt-report import reads the spool" \
	test "$(sqlite3 "$tmp/fromspool.db" "SELECT report_id FROM reports")" = http-test-1
"$HTTPD_BIN" -f -c /dev/null -l 0.0.0.0:0 2>"$tmp/err"
check "a public Listen without AllowPublic: exit 78" test $? = 78
check "... saying how to allow it" grep -q 'not a loopback address.*AllowPublic yes' "$tmp/err"
finish
