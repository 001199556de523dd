#!/bin/sh
# tlsrpt-milter as a program: usage and exit codes, config errors with
# file:line, reload on SIGUSR1 (only a valid file is taken), clean stop.
. "${top_srcdir:?}/tests/milter/common.sh"
setup

"$MILTER_BIN" -h >"$tmp/out" 2>&1
check "-h exits 0" test $? -eq 0
check "-h prints usage" grep -q '^usage: tlsrpt-milter' "$tmp/out"
"$MILTER_BIN" -V >"$tmp/out" 2>&1
check "-V exits 0" test $? -eq 0
"$MILTER_BIN" -Z >"$tmp/out" 2>&1
check "unknown option exits 64" test $? -eq 64
check "unknown option is named" grep -q 'unknown option -Z' "$tmp/out"
"$MILTER_BIN" -f -p >"$tmp/out" 2>&1
check "missing value exits 64" test $? -eq 64
"$MILTER_BIN" -f extra >"$tmp/out" 2>&1
check "stray argument exits 64" test $? -eq 64
"$MILTER_BIN" -f -c "$tmp/none.conf" >"$tmp/out" 2>&1
check "missing named config exits 78" test $? -eq 78
printf 'Socket unix:%s/sock\nBogusKey 1\n' "$tmp" >"$tmp/bad.conf"
"$MILTER_BIN" -f -c "$tmp/bad.conf" >"$tmp/out" 2>&1
check "unknown key exits 78" test $? -eq 78
check "unknown key error names file:line" grep -q "bad.conf:2: BogusKey: unknown key" "$tmp/out"
"$MILTER_BIN" -f -c "$tmp/bad.conf" -p unix:/nonexistent/dir/sock >"$tmp/out" 2>&1
check "config error still wins over command line" test $? -eq 78
printf 'RequireAuthentication yes\nDKIMVerify no\n' >"$tmp/auth.conf"
"$MILTER_BIN" -f -c "$tmp/auth.conf" >"$tmp/out" 2>&1
check "RequireAuthentication without trusted ids exits 78" test $? -eq 78
"$MILTER_BIN" -f -p unix:/nonexistent/dir/sock -d "$tmp/db" --allow-root >"$tmp/out" 2>&1
check "unusable socket fails" test $? -ne 0

write_conf <<EOF2
PidFile $tmp/pid
EOF2
check "starts with a pidfile" start_milter
check "pidfile holds the pid" test "$(cat "$tmp/pid" 2>/dev/null)" = "$milter_pid"
echo "LogLevel warning" >>"$tmp/conf"
kill -USR1 "$milter_pid"
check "SIGUSR1 reloads" wait_for grep -q 'configuration reloaded' "$tmp/log"
echo "NoSuchKey 1" >>"$tmp/conf"
kill -USR1 "$milter_pid"
check "invalid file keeps the running config" \
	wait_for grep -q 'reload failed, configuration unchanged: .*conf:7: NoSuchKey' "$tmp/log"
check "still running after a failed reload" kill -0 "$milter_pid"
check "SIGTERM stops cleanly" stop_milter
check "pidfile removed" test ! -e "$tmp/pid"

# the command line overrides the file; -p with no config at all just works
"$MILTER_BIN" -f -c /dev/null -p "unix:$tmp/sock2" -d "$tmp/db2" --allow-root 2>>"$tmp/log" &
milter_pid=$!
i=0; while [ ! -S "$tmp/sock2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "-p and -d work without a config file" test -S "$tmp/sock2"
kill -HUP "$milter_pid"
wait "$milter_pid"
check "SIGHUP stops cleanly (libmilter's meaning)" test $? -eq 0
milter_pid=

# SocketGroup hands the unix socket to the MTA's group
group=$(id -gn nobody 2>/dev/null || echo nogroup)
write_conf <<EOF2
SocketGroup $group
SocketMode 0660
EOF2
check "starts with SocketGroup" start_milter
check "socket belongs to the group" test "$(stat -c %G "$tmp/sock")" = "$group"
check "socket mode is SocketMode" test "$(stat -c %a "$tmp/sock")" = 660
check "stops cleanly" stop_milter
printf 'Socket unix:%s/sock3\nDatabase %s/db3\nSocketGroup no-such-group-x\nAllowRoot yes\n' "$tmp" "$tmp" >"$tmp/grp.conf"
"$MILTER_BIN" -f -c "$tmp/grp.conf" >"$tmp/out" 2>&1
check "unknown SocketGroup fails" test $? -ne 0
check "unknown SocketGroup is named" grep -q "no group 'no-such-group-x'" "$tmp/out"
[ $tap_failed -eq 0 ] || show_log
finish
