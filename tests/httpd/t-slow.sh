#!/bin/sh
# Slow and stuck clients: 10 connections each trickling headers a byte a
# second, trickling a body a byte a second, declaring a body and never
# sending it, or sending nothing.  Meanwhile a fast client's 20 posts are
# answered at once, and every slow connection is closed by the server:
# the idle ones after Timeout, the tricklers after RequestTimeout.
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
need_python
write_conf <<EOF2
MaxConnectionsPerIP 100
RateLimit 0
Timeout 3
RequestTimeout 6
Threads 2
EOF2
check "daemon starts" start_httpd
cat >"$tmp/r.json" <<'EOF2'
{"organization-name":"Fast","date-range":{"start-datetime":"2026-03-03T00:00:00Z","end-datetime":"2026-03-03T23:59:59Z"},"contact-info":"tls@fast.example","report-id":"fast-1","policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"example.com"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}
EOF2
python3 "$HTTPD_DIR/slowclients.py" 127.0.0.1 "$port" "$tmp/r.json" --each 10 --wait 20 >"$tmp/result"
sed 's/^/# /' "$tmp/result"
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$tmp/result" "$1"; }
check "the fast client's 20 posts all answered 201" test "$(field 'd["fast_codes"]')" = "{'201': 20}"
check "... each within 2 s" test "$(field 'd["fast_worst_s"] < 2')" = True
check "silent connections closed after Timeout" test "$(field '(d["closed_after_s"]["silent"] or 99) <= 6')" = True
check "never-sent bodies closed after Timeout" test "$(field '(d["closed_after_s"]["body-never"] or 99) <= 6')" = True
check "headers at a byte a second cut after RequestTimeout" \
	test "$(field '(d["closed_after_s"]["header-trickle"] or 99) <= 9')" = True
check "a body at a byte a second cut after RequestTimeout" \
	test "$(field '(d["closed_after_s"]["body-trickle"] or 99) <= 9')" = True
check "log says so" grep -q 'request not complete within 6 s' "$tmp/log"
check "daemon stops cleanly" stop_httpd
finish
