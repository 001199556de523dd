# The fault tests' side of PostgreSQL: private clusters that a test
# starts, stops, kills and fails over itself (tests/pg/cluster.sh, in
# $tmp), and the "exactly once" checks of common.sh asked of a server
# instead of an SQLite file.  Sourcing it sources common.sh and
# tests/milter/postfix.sh too; a test then begins with pg_fault_setup.
. "${top_srcdir:?}/tests/faults/common.sh"
. "$top_srcdir/tests/milter/postfix.sh"
. "$top_srcdir/tests/pg/lib.sh"
CLUSTER=$top_srcdir/tests/pg/cluster.sh
pg_dirs=

# need_pg_tests: skip unless run-tests turned the PostgreSQL tests on
# (TLSRPT_TEST_PG: a server is installed) and psql is there
need_pg_tests() {
	[ -n "${TLSRPT_TEST_PG:-}" ] || skip_all "TLSRPT_TEST_PG is not set (PostgreSQL tests are off)"
	command -v psql >/dev/null 2>&1 || skip_all "psql is not installed (Debian: postgresql-client)"
}

# pg_cleanup: stop every cluster this test started, then common.sh's cleanup
pg_cleanup() {
	for f in "$tmp"/pid.*; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	for d in $pg_dirs; do
		"$CLUSTER" stop "$d" >/dev/null 2>&1
	done
	pg_dirs=
	cleanup
}

# pg_setup: setup, with $tmp reachable by the server's user (nobody)
pg_setup() {
	setup
	chmod 755 "$tmp"
	trap pg_cleanup EXIT
}

# pg_fault_setup PEER N TAG [CLUSTER]: what every PostgreSQL fault test
# does first.  Skips unless PEER (miltertest, or a private postfix: needs
# root) and the PostgreSQL tests are there; then pg_setup, an empty
# $tmp/spool, N report mails tagged TAG (gen_mails), and the private
# cluster CLUSTER started (pg_start; none without it: the test uses the
# cluster of run-tests).  A cluster that does not start ends the test.
pg_fault_setup() {
	case $1 in
	miltertest) need_miltertest; need_python ;;
	postfix) need_postfix ;;
	*) echo "Bail out! pg_fault_setup: unknown peer $1"; exit 1 ;;
	esac
	need_store
	need_pg_tests
	pg_setup
	mkdir "$tmp/spool"
	gen_mails "$2" "$3"
	[ -n "${4:-}" ] || return 0
	if pg_start "$4"; then
		ok "a private PostgreSQL starts ($4)"
	else
		not_ok "a private PostgreSQL starts ($4)"
		finish
	fi
}

# pg_start NAME: a private cluster in $tmp/NAME; its URI in $tmp/NAME.uri
pg_start() {
	pg_dirs="$pg_dirs $tmp/$1"
	"$CLUSTER" start "$tmp/$1" >"$tmp/$1.uri" 2>"$tmp/$1.err"
	rc=$?
	[ $rc -ne 77 ] || skip_all "PostgreSQL's server is not installed"
	[ $rc -eq 0 ] || { sed 's/^/# /' "$tmp/$1.err"; return $rc; }
	# cluster.sh turns synchronous_commit off for speed, and then a crash
	# (cluster.sh kill) loses commits already acknowledged: not the fault
	# under test
	pg_sql "$(pg_uri "$1")" "ALTER SYSTEM SET synchronous_commit = on" >/dev/null &&
		pg_sql "$(pg_uri "$1")" "SELECT pg_reload_conf()" >/dev/null
}

# pg_uri NAME: the URI of cluster NAME
pg_uri() { cat "$tmp/$1.uri"; }

# pg_sql URI QUERY: one value
pg_sql() { psql "$1" -qAtX -v ON_ERROR_STOP=1 -c "$2"; }

# pg_no_half_report URI: common.sh's no_half_report on a server
pg_no_half_report() {
	n=$(pg_sql "$1" "WITH r AS (SELECT id, CAST(right(report_id, 5) AS INTEGER) AS i FROM reports)
		SELECT (SELECT count(*) FROM r WHERE
			(SELECT count(*) FROM policies p WHERE p.report = r.id) != 1 + r.i % 3)
		+ (SELECT count(*) FROM policies p JOIN r ON p.report = r.id WHERE
			(SELECT count(*) FROM failure_details f WHERE f.policy = p.id)
			!= CASE (r.i + p.idx) % 2 WHEN 1 THEN p.idx + 1 ELSE 0 END)")
	[ "$n" = 0 ] && return 0
	echo "# $n reports or policies incomplete"
	return 1
}

# rollups_like_fresh_import URI: every summary (each --by) of the server
# equals that of the same mails imported once into a fresh SQLite file:
# no report counted twice, none missing from a rollup
rollups_like_fresh_import() {
	if [ ! -f "$tmp/fresh.db" ]; then
		"$REPORT_BIN" -d "$tmp/fresh.db" import "$tmp/mails" >/dev/null 2>"$tmp/fresh.err" || {
			sed 's/^/# /' "$tmp/fresh.err"
			return 1
		}
	fi
	_same=0
	for by in submitter policy-domain result-type receiving-mx sending-ip day policy-type; do
		"$REPORT_BIN" -d "$1" summary --by "$by" --all --format csv >"$tmp/pg.$by" 2>&1
		"$REPORT_BIN" -d "$tmp/fresh.db" summary --by "$by" --all --format csv >"$tmp/sq.$by" 2>&1
		if ! cmp -s "$tmp/pg.$by" "$tmp/sq.$by"; then
			echo "# summary --by $by differs:"
			diff "$tmp/sq.$by" "$tmp/pg.$by" | head -6 | sed 's/^/# /'
			_same=1
		fi
	done
	return $_same
}

# pg_write_conf N URI [LINE...]: $tmp/conf.N for milter N on socket
# $tmp/sock.N, writing to URI
pg_write_conf() {
	_n=$1 _uri=$2
	shift 2
	{
		echo "Socket unix:$tmp/sock.$_n"
		echo "Database $_uri"
		echo "LogLevel debug"
		echo "AllowRoot yes"
		echo "SocketMode 0666"
		for line in "$@"; do
			echo "$line"
		done
	} >"$tmp/conf.$_n"
}

# pg_start_milter N: milter N in the foreground, log $tmp/log.N; its pid in
# $tmp/pid.N; waits for the socket
pg_start_milter() {
	rm -f "$tmp/sock.$1"
	"$MILTER_BIN" -f -c "$tmp/conf.$1" 2>>"$tmp/log.$1" &
	echo $! >"$tmp/pid.$1"
	for _ in $(seq 100); do
		[ -S "$tmp/sock.$1" ] && return 0
		kill -0 "$(cat "$tmp/pid.$1")" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# pg_stop_milter N...: SIGTERM to each at once (libmilter takes seconds
# to stop), and every exit status must be 0
pg_stop_milter() {
	_pids=
	for _n in "$@"; do
		[ -f "$tmp/pid.$_n" ] || continue
		_pids="$_pids $(cat "$tmp/pid.$_n")"
		rm -f "$tmp/pid.$_n"
	done
	[ -n "$_pids" ] || return 0
	kill -TERM $_pids 2>/dev/null
	_rc=0
	for _p in $_pids; do
		wait "$_p" || _rc=1
	done
	return $_rc
}

# pg_send N FIRST LAST [WANT [HOOK_AFTER HOOK]]: common.sh's send to milter N
pg_send() {
	_n=$1
	shift
	ln -sf "sock.$_n" "$tmp/sock"
	send "$@"
}

# pg_show_logs: the milters' logs, for a failed test
pg_show_logs() {
	for f in "$tmp"/log.*; do
		[ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" | tail -25
	done
}

# pg_replayed_once URI: the spool imported into URI (twice: the second
# finds only duplicates), then every report there exactly once, none half
# stored, and every summary as a fresh import's
pg_replayed_once() {
	check "spool imported, then only duplicates" import_twice "$1" "$tmp/spool"
	check "every report stored exactly once" every_report_once "$1"
	check "no half-stored report" pg_no_half_report "$1"
	check "every summary equals a fresh SQLite import" rollups_like_fresh_import "$1"
}

# pg_hold_lock URI SQL: another session runs BEGIN; SQL and keeps its
# transaction open until pg_release_lock (fd 3 feeds it)
pg_hold_lock() {
	rm -f "$tmp/holder.in"
	mkfifo "$tmp/holder.in" || return 1
	psql "$1" -qAtX -v ON_ERROR_STOP=1 <"$tmp/holder.in" >"$tmp/holder.out" 2>&1 &
	pg_holder=$!
	exec 3>"$tmp/holder.in"
	echo "BEGIN; $2; SELECT 'locked';" >&3
	for _ in $(seq 100); do
		grep -q '^locked$' "$tmp/holder.out" && return 0
		sleep 0.1
	done
	sed 's/^/# /' "$tmp/holder.out"
	return 1
}

pg_release_lock() {
	echo "ROLLBACK;" >&3
	exec 3>&-
	wait "$pg_holder"
}

# pg_waiting_writer URI: the pid of the milter's backend (libpq's
# application_name tlsrpt) once it waits for a lock; fails after 10 s
pg_waiting_writer() {
	for _ in $(seq 100); do
		_p=$(pg_sql "$1" "SELECT pid FROM pg_stat_activity WHERE application_name = 'tlsrpt'
			AND wait_event_type = 'Lock' LIMIT 1")
		[ -n "$_p" ] && { echo "$_p"; return 0; }
		sleep 0.1
	done
	return 1
}

# pg_start_standby PRIMARY NAME: a streaming standby of cluster PRIMARY in
# $tmp/NAME (pg_basebackup -R), on a port and socket of its own; its URI
# in $tmp/NAME.uri
pg_start_standby() {
	_d=$tmp/$2
	_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	pg_dirs="$pg_dirs $_d"
	mkdir "$_d" && chmod 755 "$_d" || return 1
	[ "$(id -u)" -ne 0 ] || chown nobody "$_d"
	cp "$tmp/$1/user" "$_d/user"
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$_d/port"
	( cd "$_d" && pg_as_owner "$_bin/pg_basebackup" -h "$tmp/$1" -p "$(cat "$tmp/$1/port")" \
		-U "$(cat "$_d/user")" -D "$_d/data" -R -X stream -c fast ) >"$_d/basebackup.log" 2>&1 || {
		sed 's/^/# /' "$_d/basebackup.log"
		return 1
	}
	printf "port = %s\nunix_socket_directories = '%s'\n" "$(cat "$_d/port")" "$_d" \
		>>"$_d/data/postgresql.conf"
	( cd "$_d" && pg_as_owner "$_bin/pg_ctl" -D "$_d/data" -l "$_d/server.log" -w start ) >/dev/null || {
		sed 's/^/# /' "$_d/server.log" | tail -10
		return 1
	}
	"$CLUSTER" uri "$_d" >"$tmp/$2.uri"
}

# pg_as_owner CMD...: as the user the clusters run as (cluster.sh)
pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

# pg_promote NAME: the standby NAME becomes a primary
pg_promote() {
	_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	( cd "$tmp/$1" && pg_as_owner "$_bin/pg_ctl" -D "$tmp/$1/data" -w promote ) >/dev/null
}

# pg_wait_value URI QUERY WANT: until QUERY gives WANT (bounded: 10 s)
pg_wait_value() {
	for _ in $(seq 100); do
		[ "$(pg_sql "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
