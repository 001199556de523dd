#!/bin/sh
# A real Prometheus scrapes a running tlsrpt-milter while report mails flow
# through a private Postfix: the server (Debian's prometheus, on a free
# loopback port, config and data in the temp folder, never the system
# service) loads the shipped alert rules, sees the target up, and its HTTP
# API gives back the reports and sessions that the database holds.
# Needs root (the private Postfix) and the prometheus package.
. "${top_srcdir:?}/tests/milter/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
need_postfix
need_store
command -v prometheus >/dev/null 2>&1 || skip_all "prometheus not installed (Debian package prometheus)"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
setup
prom_pid=
stop_prometheus() {
	[ -n "$prom_pid" ] || return 0
	kill -TERM "$prom_pid" 2>/dev/null
	wait "$prom_pid" 2>/dev/null
	prom_pid=
}
trap 'stop_prometheus; postfix_stop; stop_milter >/dev/null 2>&1; rm -rf "$tmp"' EXIT
TR=$top_builddir/aggregator/tlsrpt-report

# free_port: a loopback port nobody listens on now
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# query PROMQL: the first value of an instant query through the HTTP API ("" when none)
query() {
	curl -s -G --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
# wait_value PROMQL WANT SECONDS: until the query answers WANT (bounded)
wait_value() {
	end=$(($(date +%s) + $3))
	while [ "$(query "$1")" != "$2" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.5
	done
	got=$(query "$1")
	[ "$got" = "$2" ] || { echo "# $1: got '$got', want '$2'"; return 1; }
}
# send FILE...: over SMTP to the reporting address
send() {
	python3 - "$pf_port" "$@" <<'PY'
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    for n in sys.argv[2:]:
        with open(n, "rb") as f:
            s.sendmail("sender@example.net", ["tlsrpt@example.com"], f.read())
PY
}

mport=$(free_port)
pport=$(free_port)
postfix_config accept
write_conf <<EOF2
SocketMode 0666
Recipients tlsrpt@example.com
MetricsListen 127.0.0.1:$mport
EOF2
check "milter starts with MetricsListen" start_milter
check "private postfix starts" postfix_start
[ $tap_failed -eq 0 ] || finish

mkdir -p "$tmp/prom/data"
cat >"$tmp/prom/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top_srcdir/docs/prometheus/tlsrpt.rules.yml
scrape_configs:
  - job_name: tlsrpt-milter
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF2
prometheus --config.file="$tmp/prom/prometheus.yml" --storage.tsdb.path="$tmp/prom/data" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$tmp/prom/log" 2>&1 &
prom_pid=$!
end=$(($(date +%s) + 60))
until curl -s --max-time 2 "http://127.0.0.1:$pport/-/ready" >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$end" ] && kill -0 "$prom_pid" 2>/dev/null || break
	sleep 0.5
done
check "prometheus starts on 127.0.0.1:$pport" curl -sf --max-time 2 "http://127.0.0.1:$pport/-/ready" -o /dev/null
check "the shipped alert rules load" sh -c \
	"curl -s 'http://127.0.0.1:$pport/api/v1/rules' | grep -q '\"name\":\"TLSRPTMilterDown\"'"
check "the milter target is up" wait_value 'up{job="tlsrpt-milter"}' 1 30

# Reports flow: generated report mails in three batches while scraping.
python3 "$top_srcdir/bench/gen-reports.py" --seed 15 --count 30 --out "$tmp/gen" >/dev/null 2>&1
set -- "$tmp"/gen/*.eml
check "30 report mails generated" test $# -eq 30
ok_send=0
for batch in 0 1 2; do
	files=$(ls "$tmp"/gen/*.eml | sed -n "$((batch * 10 + 1)),$((batch * 10 + 10))p")
	# shellcheck disable=SC2086
	send $files >>"$tmp/smtp.out" 2>&1 || ok_send=1
	sleep 1
done
check "30 mails accepted over SMTP" test $ok_send -eq 0
check "every mail delivered" wait_delivered 30 60
stored=$(sql 'SELECT count(*) FROM reports')
check "the database holds 30 reports" test "$stored" = 30
check "prometheus reads back the reports stored" \
	wait_value 'tlsrpt_milter_reports_total{outcome="stored"}' "$stored" 30
check "prometheus: as many messages seen" wait_value 'tlsrpt_milter_messages_total' 30 10
ok_sessions=$("$TR" -d "$tmp/db" summary --format json |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["totals"]["successful_sessions"])')
check "prometheus: the successful sessions that summary counts" \
	wait_value 'sum(tlsrpt_milter_sessions_total{result_type="success"})' "$ok_sessions" 10
check "prometheus: no errors, nothing spooled" \
	wait_value 'sum(tlsrpt_milter_reports_total{outcome=~"error|spooled"})' 0 5
check "prometheus: store latencies observed" \
	wait_value 'tlsrpt_milter_store_duration_seconds_count' "$stored" 10
check "prometheus: the build" wait_value 'count(tlsrpt_milter_build_info)' 1 5
if command -v promtool >/dev/null 2>&1; then
	check "a scrape with sessions in it passes promtool check metrics" sh -c \
		"curl -s 'http://127.0.0.1:$mport/metrics' | promtool check metrics"
fi
check "no alert fires" wait_value 'count(ALERTS{alertstate="firing"}) or vector(0)' 0 5

stop_prometheus
postfix_stop
check "milter stops cleanly" stop_milter
if [ $tap_failed -ne 0 ]; then
	show_log
	sed 's/^/# prometheus: /' "$tmp/prom/log" | tail -20
	sed 's/^/# smtp: /' "$tmp/smtp.out" 2>/dev/null | tail -10
	show_maillog
fi
finish
