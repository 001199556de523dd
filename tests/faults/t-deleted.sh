#!/bin/sh
# Fault: the database (file, -wal and -shm) is unlinked under a running
# milter, as a careless "rm" or a logrotate-like job would.  A connection
# that already had it open still holds the deleted inode: every report
# written there would vanish at close, while the mail said "stored" (and
# with OnStored discard would itself be gone).  The milter checks before
# each message that its path still names the file it opened, and reopens
# (creating a fresh database) when it does not, logging why.  Reports
# stored before the unlink went with the file: the mails that carried them
# were delivered (or can be imported again from the mailbox).
. "${top_srcdir:?}/tests/faults/common.sh"
need_miltertest
need_python
need_store
setup
db=$tmp/db
gen_mails 9 del

write_conf </dev/null
check "milter starts" start_milter
check "mails 1-3 stored, unlink after 2, same connection" \
	send 1 3 stored 2 "rm -f '$db' '$db-wal' '$db-shm'"
check "a new database exists at the path" test -f "$db"
check "mail 3 (after the unlink) is in it" \
	test "$(sql_at "$db" "SELECT count(*) FROM reports WHERE report_id = 'del-00003'")" = 1
check "log says the database was replaced" grep -q 'database .* was deleted or replaced: reopening' "$tmp/log"
check "mails 4-5 stored, new connection" send 4 5 stored

# unlinked between connections: the next one creates a new database
rm -f "$db" "$db-wal" "$db-shm"
check "mails 6-7 stored after an unlink between connections" send 6 7 stored
check "mails 6-7 are in the new database" test "$(sql_at "$db" 'SELECT count(*) FROM reports')" = 2

# replaced under an open connection: moved away, and a copy put in its
# place (a restore from backup); what follows must go into the copy
replace="cd '$tmp' && mv db old.db && mv db-wal old.db-wal && mv db-shm old.db-shm &&
	sqlite3 old.db '.backup new.db' && mv new.db db"
check "mails 8-9 stored, database replaced after 8, same connection" send 8 9 stored 8 "$replace"
check "mails 6-9 are in the replacing database" test "$(sql_at "$db" 'SELECT count(*) FROM reports')" = 4
check "the old file got nothing after the replace" \
	test "$(sql_at "$tmp/old.db" "SELECT count(*) FROM reports WHERE report_id = 'del-00009'")" = 0
check "milter stops cleanly" stop_milter

# what the unlink took is still in the delivered mail: import it again
check "re-import of the mails stores the rest once" import_twice "$db" "$tmp/mails"
check "every report stored exactly once" every_report_once "$db"
check "no half-stored report" no_half_report "$db"
check "integrity_check ok" integrity_ok "$db"
[ $tap_failed -eq 0 ] || show_log
finish
