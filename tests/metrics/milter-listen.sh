#!/bin/sh
# The milter's metrics listener without an MTA: GET /metrics answers the
# exposition format (linted by promtool), HEAD too, other paths 404,
# other methods 405; a non-loopback MetricsListen is refused before
# start-up unless MetricsAllowRemote yes; without MetricsListen nothing
# listens.
. "${top_srcdir:?}/tests/milter/common.sh"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
setup
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
URL=http://127.0.0.1:$port/metrics

write_conf <<EOF2
MetricsListen 127.0.0.1:$port
SpoolDirectory $tmp
EOF2
check "milter starts with MetricsListen 127.0.0.1:$port" start_milter
i=0
until curl -s -o /dev/null "$URL" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
check "GET /metrics: 200 and the exposition format" sh -c \
	"curl -s -D '$tmp/h' -o '$tmp/m' '$URL' && grep -qi '^content-type: text/plain; version=0.0.4' '$tmp/h'"
check "every metric of docs/metrics.md is there" sh -c "
	for m in messages_total messages_skipped_total reports_total reports_invalid_total \
		auth_verdicts_total store_duration_seconds spool_messages build_info start_time_seconds; do
		grep -q \"^# TYPE tlsrpt_milter_\$m \" '$tmp/m' || exit 1
	done"
: >"$tmp/1.2.x.eml"
check "the spool depth counts the spooled messages" sh -c \
	"curl -s '$URL' | grep -q '^tlsrpt_milter_spool_messages 1\$'"
if command -v promtool >/dev/null 2>&1; then
	check "promtool check metrics finds nothing to say" sh -c "promtool check metrics <'$tmp/m'"
else
	ok "# SKIP promtool not installed"
fi
check "HEAD /metrics: 200" test "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL")" = 200
check "GET /other: 404" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")" = 404
check "POST /metrics: 405" test "$(curl -s -o /dev/null -w '%{http_code}' -d x "$URL")" = 405
check "milter stops cleanly" stop_milter
check "the listener is gone" sh -c "! curl -s -o /dev/null --max-time 2 '$URL'"

write_conf <<EOF2
MetricsListen 0.0.0.0:$port
EOF2
rc=0
"$MILTER_BIN" -f -c "$tmp/conf" 2>"$tmp/refused" || rc=$?
check "a non-loopback address is refused: exit 78 (EX_CONFIG)" test "$rc" = 78
check "the log names the key and the way out" \
	grep -q "MetricsListen 0.0.0.0:$port: .*MetricsAllowRemote yes allows it" "$tmp/refused"

write_conf <<EOF2
MetricsListen 0.0.0.0:$port
MetricsAllowRemote yes
EOF2
check "MetricsAllowRemote yes: the milter starts" start_milter
i=0
until curl -s -o /dev/null "$URL" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
check "MetricsAllowRemote yes: it serves" test "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" = 200
check "milter stops cleanly" stop_milter

write_conf </dev/null
check "without MetricsListen: the milter starts" start_milter
check "without MetricsListen: nothing listens" sh -c "! curl -s -o /dev/null --max-time 2 '$URL'"
check "milter stops cleanly" stop_milter
[ $tap_failed -eq 0 ] || show_log
finish
