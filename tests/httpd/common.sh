# Shared by tlsrpt-httpd's shell tests: TAP output, a private temp dir, and
# a tlsrpt-httpd started in the foreground on an ephemeral loopback port.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lib.sh"
HTTPD_BIN=$top_builddir/httpd/tlsrpt-httpd
REPORT_BIN=$top_builddir/aggregator/tlsrpt-report
HTTPD_DIR=$top_srcdir/tests/httpd
tap_n=0
tap_failed=0
httpd_pid=
port=
tmp=

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; echo "not ok $tap_n - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() {
	[ "$tap_failed" = 0 ] || show_log
	echo "1..$tap_n"
	exit $tap_failed
}

need_curl() { command -v curl >/dev/null 2>&1 || skip_all "curl not installed"; }
need_python() { command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"; }
need_sqlite() { command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 CLI not installed"; }

cleanup() {
	stop_httpd >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}

setup() {
	[ -x "$HTTPD_BIN" ] || skip_all "tlsrpt-httpd not built"
	need_curl
	need_sqlite
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-httpd-test.XXXXXX") || exit 99
	mkdir "$tmp/spool"
	trap cleanup EXIT
	trap 'exit 1' INT TERM
}

# write_conf: a config file for this test, the lines on stdin appended
write_conf() {
	{
		echo "Listen 127.0.0.1:0"
		echo "Database $tmp/db"
		echo "SpoolDir $tmp/spool"
		echo "SpoolReplay 1"
		cat
	} >"$tmp/conf"
}

# start_httpd [ARGS...]: start in the foreground, wait for "listening",
# set $port from the log line
start_httpd() {
	: >"$tmp/log"
	"$HTTPD_BIN" -f -c "$tmp/conf" "$@" >>"$tmp/log" 2>&1 &
	httpd_pid=$!
	for _ in $(seq 1 100); do
		port=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$tmp/log" | tail -1)
		[ -n "$port" ] && return 0
		kill -0 "$httpd_pid" 2>/dev/null || { httpd_pid=; return 1; }
		sleep 0.1
	done
	return 1
}

stop_httpd() {
	[ -n "$httpd_pid" ] || return 0
	kill "$httpd_pid" 2>/dev/null
	wait "$httpd_pid" 2>/dev/null
	rc=$?
	httpd_pid=
	return $rc
}

show_log() { [ -f "$tmp/log" ] && sed 's/^/# /' "$tmp/log" | tail -30; }

url() { echo "http://127.0.0.1:$port$1"; }

# post FILE TYPE [PATH [CURL ARGS...]]: print the status code
post() {
	f=$1 t=$2 p=${3:-/tlsrpt}
	shift 2
	[ $# -gt 0 ] && shift
	curl -s -o "$tmp/body" -w '%{http_code}' -H "Content-Type: $t" --data-binary "@$f" "$@" \
		"$(url "$p")"
}

sql() { sqlite3 -cmd '.timeout 5000' "$tmp/db" "$1"; }

# The raw reports of the real samples (gzip or JSON bytes, one file each),
# mails' attachments included, into $tmp/samples; prints how many.
extract_samples() {
	python3 "$HTTPD_DIR/samples.py" "$1" "$tmp/samples"
}
