#!/bin/sh
# Fault: the database becomes read-only under a running milter.  As root
# file modes do not stop SQLite, so the database's directory is a bind
# mount remounted read-only (EROFS, what a read-only /var gives); the
# second case is the everyday one, a milter running as an unprivileged
# user (-u nobody) in front of a database root owns.  Mails are spooled
# and accepted, or tempfailed under OnError tempfail; once the fault is
# cleared, the tempfailed mails come back (the sending MTA retries) and
# importing the spool stores every report exactly once.
. "${top_srcdir:?}/tests/faults/common.sh"
need_miltertest
need_python
need_root "bind mounts and -u"
getent passwd nobody >/dev/null || skip_all "no nobody user"
need_store
setup
mkdir "$tmp/dbdir" "$tmp/spool" "$tmp/spool2"
mount --bind "$tmp/dbdir" "$tmp/dbdir" 2>/dev/null || skip_all "cannot bind-mount here"
trap 'stop_milter >/dev/null 2>&1; umount "$tmp/dbdir" 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/dbdir/db
gen_mails 16 ro

# conf SPOOLDIR|- [OnError tempfail]
conf() {
	{
		echo "SocketMode 0666"
		[ "$1" = - ] || echo "SpoolDirectory $1"
		[ -z "${2:-}" ] || echo "OnError $2"
	} | write_conf
	echo "Database $db" >>"$tmp/conf"
}

conf "$tmp/spool"
check "milter starts" start_milter
check "mails 1-3 stored while writable" send 1 3 stored
# remount: the kernel refuses while a file there is open for writing, and
# the milter closes its connection's database only after miltertest left
remount_ro() {
	wait_for mount -o remount,bind,ro "$tmp/dbdir" 2>/dev/null
}
check "remount the database read-only" remount_ro
check "mails 4-8 accepted without a status header" send 4 8 unstored
check "five messages spooled" test "$(spooled)" = 5
check "log says the database is read-only" grep -q 'cannot store report: .*read-only' "$tmp/log"
check "log names each spool file" \
	test "$(grep -c 'message spooled to .* for a later import' "$tmp/log")" = 5

conf - tempfail
check "reload with OnError tempfail and no spool" reload_milter
check "mails 9-10 tempfailed" send 9 10 tempfail
check "log says the MTA will retry" grep -q 'asking the MTA to retry later' "$tmp/log"

check "remount read-write" mount -o remount,bind,rw "$tmp/dbdir"
check "nothing written while read-only" test "$(sql_at "$db" 'SELECT count(*) FROM reports')" = 3
check "retried mails 9-10 stored once writable" send 9 10 stored
check "milter stops cleanly" stop_milter
check "spool imported, then only duplicates" import_twice "$db" "$tmp/spool"
check "import stored the five spooled reports" grep -q '^5 stored, 0 duplicate' "$tmp/import1.err"

# everyday case: root owns the database, the milter runs as nobody.  It
# would refuse to start so (start-up checks, t-startup.sh): root takes the
# database back once it runs, as a careless restore from backup would.
chmod 755 "$tmp"
chown nobody "$tmp/spool2" "$tmp/dbdir" "$db"
conf "$tmp/spool2"
check "milter starts as nobody" start_milter -u nobody
chown root "$tmp/dbdir" "$db"
check "mails 11-13 accepted without a status header" send 11 13 unstored
check "three messages spooled by nobody" test "$(ls "$tmp/spool2" | grep -c '\.eml$')" = 3
conf - tempfail
check "reload with OnError tempfail and no spool" reload_milter
check "mails 14-16 tempfailed" send 14 16 tempfail
chown nobody "$tmp/dbdir" "$db"  # WAL needs the directory too
check "retried mails 14-16 stored once nobody owns the database" send 14 16 stored
check "milter stops cleanly" stop_milter
check "second spool imported, then only duplicates" import_twice "$db" "$tmp/spool2"

check "every report stored exactly once" every_report_once "$db"
check "no half-stored report" no_half_report "$db"
check "integrity_check ok" integrity_ok "$db"
[ $tap_failed -eq 0 ] || show_log
finish
