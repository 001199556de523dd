#!/bin/sh
# tlsrpt-milter's start-up defaults: no root unless asked (AllowRoot), the
# user it runs as in the log, files created 0640 (umask 027), database and
# spool directory checked as that user before it says "listening", a
# pidfile naming another program's PID is stale, and pidfile and socket
# removed at the end even when the user it runs as may not remove them.
. "${top_srcdir:?}/tests/milter/common.sh"
setup
REPORT_BIN=$top_builddir/aggregator/tlsrpt-report

# run_milter OUT ARGS...: a milter expected to refuse; its status in $rc
run_milter() {
	out=$1; shift
	"$MILTER_BIN" -f -c /dev/null "$@" >"$out" 2>&1 &
	p=$!
	i=0
	while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -TERM $p 2>/dev/null
	wait $p
	rc=$?
}

# mode FILE: its permission bits in octal
mode() { stat -c %a "$1"; }

# --- the database is checked at start-up, not at the first report
mkdir "$tmp/adir"
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/adir" --allow-root
check "a directory as the database: exit 78" test $rc -eq 78
check "a directory as the database: said so" grep -q "database $tmp/adir: is a directory" "$tmp/out"
check "a directory as the database: never listening" sh -c "! grep -q listening '$tmp/out'"
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/no/such/db" --allow-root
check "a missing database folder: exit 78" test $rc -eq 78
check "a missing database folder: named" grep -q "database folder $tmp/no/such: No such file" "$tmp/out"
printf 'not a database, but long enough to have been one, some day, maybe\n' >"$tmp/text.db"
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/text.db" --allow-root
check "a file that is not a database: exit 78" test $rc -eq 78
check "a file that is not a database: said so" grep -q "text.db: not a database" "$tmp/out"
printf 'Socket unix:%s/s1\nDatabase %s/ok.db\nSpoolDirectory %s/nospool\nAllowRoot yes\n' \
	"$tmp" "$tmp" "$tmp" >"$tmp/spool.conf"
"$MILTER_BIN" -f -c "$tmp/spool.conf" >"$tmp/out" 2>&1
check "a missing SpoolDirectory: exit 78" test $? -eq 78
check "a missing SpoolDirectory: named" grep -q "SpoolDirectory $tmp/nospool: No such file" "$tmp/out"

# --- in the background the milter works from /: relative paths are refused
(cd "$tmp" && "$MILTER_BIN" -c /dev/null -p "unix:$tmp/s1" -d rel.db --allow-root) >"$tmp/out" 2>&1
check "a relative Database in the background: exit 78" test $? -eq 78
check "a relative Database in the background: said so" grep -q "Database rel.db: a relative path needs -f" "$tmp/out"
check "a relative Database in the background: nothing created" test ! -e "$tmp/rel.db" -a ! -e /rel.db

# --- files for the database only for its owner and group
write_conf </dev/null
check "starts" start_milter
check "database created at start-up" test -f "$tmp/db"
check "database created 0640" test "$(mode "$tmp/db")" = 640
check "stops cleanly" stop_milter
(umask 000; "$REPORT_BIN" -d "$tmp/cli.db" import "$top_srcdir/tests/fixtures/mail/golf-whole-body.eml" >/dev/null 2>&1)
check "tlsrpt-report import creates its database 0640 under umask 000" test "$(mode "$tmp/cli.db")" = 640
check "the unit file sets UMask=0027" grep -q '^UMask=0027$' "$top_srcdir/docs/tlsrpt-milter.service"
# -wal and -shm take the database file's mode (SQLite), whoever opens it
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import os, sqlite3, sys
os.umask(0)
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO rollup_mx VALUES (1, \"a\", 0, \"m\", 1, 1, 1)")
c.commit()
print(oct(os.stat(sys.argv[1] + "-wal").st_mode & 0o777), oct(os.stat(sys.argv[1] + "-shm").st_mode & 0o777))
' "$tmp/cli.db" >"$tmp/modes" 2>&1
	check "-wal and -shm 0640 too, even for a writer with umask 000" test "$(cat "$tmp/modes")" = "0o640 0o640"
fi

# --- a reload that names a database or spool directory anew checks it too
write_conf </dev/null
check "starts" start_milter
echo "Database $tmp/adir" >>"$tmp/conf"
kill -USR1 "$milter_pid"
check "reload to a directory as the database: refused, settings kept" \
	wait_for grep -q "reload failed, configuration unchanged: database $tmp/adir: is a directory" "$tmp/log"
check "still running" kill -0 "$milter_pid"
check "stops cleanly" stop_milter

# --- a pidfile left by a crash may name a PID someone else has now
sleep 60 &
other=$!
echo "$other" >"$tmp/pid"
write_conf <<EOF2
PidFile $tmp/pid
EOF2
check "starts over a pidfile naming another program" start_milter
check "stale pidfile said so" grep -q "pid: removing a stale pidfile" "$tmp/log"
check "pidfile holds the new pid" test "$(cat "$tmp/pid")" = "$milter_pid"
first=$milter_pid
printf 'Socket unix:%s/s2\nDatabase %s/db\nPidFile %s/pid\nAllowRoot yes\n' "$tmp" "$tmp" "$tmp" >"$tmp/second.conf"
"$MILTER_BIN" -f -c "$tmp/second.conf" >"$tmp/out" 2>&1
check "a second milter on the same pidfile: exit 69" test $? -eq 69
check "a second milter: said so" grep -q "another tlsrpt-milter is running" "$tmp/out"
check "a second milter took no socket" test ! -e "$tmp/s2"
check "the first one's socket is still there" test -S "$tmp/sock"
check "stops cleanly" stop_milter
kill "$other" 2>/dev/null; wait "$other" 2>/dev/null

# --- as root: a user, or AllowRoot
if [ "$(id -u)" -ne 0 ] || ! getent passwd nobody >/dev/null; then
	ok "# SKIP the rest needs root and a nobody user"
	finish
fi
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/root.db"
check "root without -u: exit 78" test $rc -eq 78
check "root without -u: says what to do" grep -q "refusing to run as root: .* -u USER .*AllowRoot yes" "$tmp/out"
check "root without -u: no socket" test ! -e "$tmp/s1"
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/root.db" -u root
check "-u root without AllowRoot: exit 78" test $rc -eq 78
write_conf </dev/null
check "AllowRoot yes: starts as root" start_milter
check "logs the user it runs as" grep -q "running as user root (uid 0," "$tmp/log"
check "stops cleanly" stop_milter

# the folder of the database must be writable by the user it runs as
chmod 755 "$tmp"
mkdir "$tmp/rootdb"
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/rootdb/db" -u nobody
check "a folder nobody cannot write: exit 78" test $rc -eq 78
check "a folder nobody cannot write: the real cause" \
	grep -q "database folder $tmp/rootdb: user nobody may not create files there" "$tmp/out"
check "a folder nobody cannot write: refused before listening" sh -c "! grep -q listening '$tmp/out'"
check "a refused start leaves no socket" test ! -e "$tmp/s1"
mkdir "$tmp/nobodydb"
chown nobody "$tmp/nobodydb"
touch "$tmp/nobodydb/db"
run_milter "$tmp/out" -p "unix:$tmp/s1" -d "$tmp/nobodydb/db" -u nobody
check "a database file nobody cannot write: exit 78" test $rc -eq 78
check "a database file nobody cannot write: said so" \
	grep -q "database $tmp/nobodydb/db: user nobody may not read and write it" "$tmp/out"
rm "$tmp/nobodydb/db"

# pidfile and socket in a folder only root may write: removed all the same
write_conf <<EOF2
Database $tmp/nobodydb/db
PidFile $tmp/pid
EOF2
check "starts as nobody" start_milter -u nobody
check "runs as nobody" grep -q "running as user nobody" "$tmp/log"
check "nobody's database created 0640" test "$(mode "$tmp/nobodydb/db")" = 640
check "stops cleanly as nobody" stop_milter
check "pidfile removed after a stop under -u" test ! -e "$tmp/pid"
check "socket removed after a stop under -u" test ! -e "$tmp/sock"
check "starts as nobody again" start_milter -u nobody
kill -KILL "$milter_pid"; wait "$milter_pid" 2>/dev/null; milter_pid=
check "pidfile removed after kill -9 under -u" wait_for test ! -e "$tmp/pid"
check "socket removed after kill -9 under -u" test ! -e "$tmp/sock"
[ $tap_failed -eq 0 ] || show_log
finish
