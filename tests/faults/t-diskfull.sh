#!/bin/sh
# Fault: the file system holding the database fills up (a 2 MiB tmpfs,
# filled by another file).  SQLite fails with "database or disk is full";
# each mail is spooled (the spool lives on another file system) and
# accepted.  With the spool on the full file system too and OnError
# tempfail, the mail is tempfailed.  Room is then made, the same milter
# stores again, the tempfailed mails come back, and importing the spool
# stores every report exactly once.  Some mails may still be stored while
# the disk is full (SQLite reuses the space its WAL already holds): each
# mail is either stored or spooled, never both, never neither.
. "${top_srcdir:?}/tests/faults/common.sh"
need_miltertest
need_python
need_root "mounts a tmpfs"
need_store
setup
mkdir "$tmp/small" "$tmp/spool"
mount -t tmpfs -o size=2m,mode=0755 tmpfs "$tmp/small" 2>/dev/null || skip_all "cannot mount a tmpfs here"
trap 'stop_milter >/dev/null 2>&1; umount "$tmp/small" 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/small/db
gen_mails 40 full

write_conf <<EOF2
Database $db
SpoolDirectory $tmp/spool
EOF2
check "milter starts" start_milter
check "mails 1-3 stored" send 1 3 stored
# the disk fills between two messages of one connection, database open
check "mails 4-23 answered, disk filled after 4" \
	send 4 23 "" 4 "dd if=/dev/zero of='$tmp/small/fill' bs=64k >/dev/null 2>&1; true"
check "the filler took the space" test -s "$tmp/small/fill"
n_unstored=$(outcomes unstored)
check "every mail stored or accepted unstored" test $(($(outcomes stored) + n_unstored)) -eq 23
check "the disk full hit at least one mail" test "$n_unstored" -ge 1
echo "# $n_unstored of 20 mails hit the full disk"
check "each unstored mail spooled" test "$(spooled)" -eq "$n_unstored"
check "log says the disk is full" grep -q 'cannot store report: .*database or disk is full' "$tmp/log"

# the spool on the full file system as well: nothing can keep the mail.
# Top the disk up first: closing the last connection dropped SQLite's WAL.
mkdir "$tmp/small/spool"
dd if=/dev/zero of="$tmp/small/fill2" bs=4k >/dev/null 2>&1
check "the file system is full" test "$(df -P "$tmp/small" | awk 'NR == 2 { print $4 }')" -eq 0
write_conf <<EOF2
Database $db
SpoolDirectory $tmp/small/spool
OnError tempfail
EOF2
check "reload: spool on the full disk, OnError tempfail" reload_milter
check "mails 24-28 answered" send 24 28
n_tempfail=$(outcomes tempfail)
check "every mail stored or tempfailed" test $(($(outcomes stored) + n_unstored + n_tempfail)) -eq 28
check "the disk full hit at least one mail" test "$n_tempfail" -ge 1
check "log gives the system's reason" grep -q 'cannot store report: .*(No space left on device)' "$tmp/log"
check "log says the spool failed too" grep -q "cannot spool message: .*No space left on device" "$tmp/log"
check "log says the MTA will retry" grep -q 'asking the MTA to retry later' "$tmp/log"
check "no spool file, no temporary left on the full disk" test -z "$(ls -A "$tmp/small/spool")"

rm -f "$tmp/small/fill" "$tmp/small/fill2"
grep ' tempfail$' "$tmp/outcomes" | while read -r i _; do echo "$i"; done >"$tmp/retry"
: >"$tmp/retry.ok"
while read -r i; do
	send "$i" "$i" stored && echo "$i" >>"$tmp/retry.ok"
done <"$tmp/retry"
check "tempfailed mails stored when retried, same milter" cmp -s "$tmp/retry" "$tmp/retry.ok"
check "mails 29-40 stored" send 29 40 stored
check "milter stops cleanly" stop_milter
check "spool imported, then only duplicates" import_twice "$db" "$tmp/spool"
check "import stored every spooled report" grep -q "^$n_unstored stored, 0 duplicate" "$tmp/import1.err"
check "every report stored exactly once" every_report_once "$db"
check "no half-stored report" no_half_report "$db"
check "integrity_check ok" integrity_ok "$db"
[ $tap_failed -eq 0 ] || { show_log; sed "s/^/# outcome /" "$tmp/outcomes" | tr "\n" " "; echo; }
finish
