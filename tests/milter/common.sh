# Shared by the milter's shell tests: TAP output, a private temp dir, and
# a tlsrpt-milter started in the foreground on its own unix socket.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lib.sh"
MILTER_BIN=$top_builddir/milter/tlsrpt-milter
FIXTURES=$top_srcdir/tests/fixtures/milter
tap_n=0
tap_failed=0
milter_pid=
tmp=

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() { echo "1..$tap_n"; exit $tap_failed; }

need_miltertest() {
	if [ -z "${MILTERTEST:-}" ] || [ ! -x "$MILTERTEST" ]; then
		MILTERTEST=$(command -v miltertest 2>/dev/null) || skip_all "miltertest not installed"
	fi
	command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 CLI not installed"
}

cleanup() {
	stop_milter >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}

setup() {
	[ -x "$MILTER_BIN" ] || skip_all "tlsrpt-milter not built"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-milter-test.XXXXXX") || exit 99
	trap cleanup EXIT
	trap 'exit 1' INT TERM
}

# write_conf: the config file, with the lines on stdin appended
write_conf() {
	{
		echo "Socket unix:$tmp/sock"
		echo "Database $tmp/db"
		echo "LogLevel debug"
		echo "AllowRoot yes"  # CI runs as root; -u is tested on its own
		cat
	} > "$tmp/conf"
}

# start_milter [OPTION...]: run it on $tmp/conf with those extra options,
# log to $tmp/log, wait for the socket
start_milter() {
	rm -f "$tmp/sock"
	"$MILTER_BIN" -f -c "$tmp/conf" "$@" 2>>"$tmp/log" &
	milter_pid=$!
	i=0
	while [ ! -S "$tmp/sock" ] && [ $i -lt 100 ]; do
		kill -0 "$milter_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$tmp/sock" ]
}

# stop_milter: SIGTERM, and the exit status must be 0
stop_milter() {
	[ -n "$milter_pid" ] || return 0
	kill -TERM "$milter_pid" 2>/dev/null
	wait "$milter_pid"
	rc=$?
	milter_pid=
	return $rc
}

# lua SCRIPT: run one miltertest scenario against the running milter
lua() {
	"$MILTERTEST" -s "$top_srcdir/tests/milter/$1.lua" -D "sock=unix:$tmp/sock" \
		-D "fixtures=$FIXTURES" -D "common=$top_srcdir/tests/milter/common.lua" \
		>>"$tmp/miltertest.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/miltertest.out" | tail -20
	return $rc
}

# sql SQL: a query on the milter's database, waiting out its write lock
# as any reader does (without, a loaded machine fails the read at once)
sql() { sqlite3 -cmd '.timeout 5000' "$tmp/db" "$1"; }

show_log() { [ -f "$tmp/log" ] && sed 's/^/# /' "$tmp/log" | tail -40; }

# Until the store lands on this branch, the scenarios that read the
# database have nothing to check.
need_store() {
	if grep -q 'store: not implemented' "$top_builddir/lib/libtlsrpt.a" 2>/dev/null; then
		skip_all "the store is still a stub on this branch"
	fi
}
