#!/bin/sh
# Fault: the database becomes read-only under a running daemon (its folder
# a bind mount remounted read-only: EROFS, what a read-only /var gives;
# as root, file modes would not stop SQLite).  The kernel refuses the
# remount while a file there is open for writing, so the load comes in
# three bursts of 25 clients: while writable, while read-only (every
# report is spooled and acknowledged 201), and writable again; then the
# spool is replayed and each valid report is stored exactly once.
# (t-load.sh makes the database fail in the middle of a burst, with a lock.)
. "${top_srcdir:?}/tests/httpd/common.sh"
setup
need_python
[ "$(id -u)" = 0 ] || skip_all "bind mounts need root"
mkdir "$tmp/dbdir"
mount --bind "$tmp/dbdir" "$tmp/dbdir" 2>/dev/null || skip_all "cannot bind-mount here"
trap 'stop_httpd >/dev/null 2>&1; umount "$tmp/dbdir" 2>/dev/null; rm -rf "$tmp"' EXIT
N=${HTTPD_READONLY_REPORTS:-1500}
write_conf <<EOF2
MaxConnectionsPerIP 100
RateLimit 0
LogLevel notice
EOF2
echo "Database $tmp/dbdir/db" >>"$tmp/conf"
check "daemon starts" start_httpd
burst() { # burst TAG: N reports from 25 clients, the result in $tmp/TAG
	python3 "$HTTPD_DIR/loadgen.py" "$(url /tlsrpt)" --clients 25 --reports "$N" --tag "$1" \
		>"$tmp/$1" 2>"$tmp/$1.err"
	sed 's/^/# /' "$tmp/$1"
}
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$tmp/$1" "$2"; }
codes_ok() { test "$(field "$1" 'sorted(d["codes"])')" = "['201', '400']"; }
burst rw1
check "burst 1 (writable): only 201 and 400" codes_ok rw1
# the daemon closes its idle database within 10 s; then the remount works
remount_ro() {
	wait_for mount -o remount,bind,ro "$tmp/dbdir" 2>/dev/null
}
check "remount the database read-only" remount_ro
burst ro
check "burst 2 (read-only): only 201 and 400, no 5xx" codes_ok ro
check "... every acknowledged report was spooled" test "$(ls "$tmp/spool" | wc -l)" = "$(field ro 'd["codes"]["201"]')"
check "log says the database is read-only" grep -q 'spooled to .*readonly\|spooled to .*read-only' "$tmp/log"
check "remount read-write" mount -o remount,bind,rw "$tmp/dbdir"
burst rw2
check "burst 3 (writable again): only 201 and 400" codes_ok rw2
check "the spool is replayed" wait_long sh -c "[ -z \"\$(ls '$tmp/spool')\" ]"
for b in rw1 ro rw2; do
	want=$(field $b 'd["valid_unique"]')
	check "burst $b: each valid report stored exactly once ($want)" \
		test "$(sqlite3 -cmd '.timeout 5000' "$tmp/dbdir/db" "SELECT count(*) FROM reports WHERE report_id LIKE '$b-%'")" = "$want"
done
check "daemon stops cleanly" stop_httpd
finish
