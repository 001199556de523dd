# Fault and load tests: the milter against a read-only, locked, deleted or
# full database, kill -9 under load through Postfix, and a load test that
# watches the daemon's memory.  Each script skips without its peers
# (miltertest, Postfix, root); see docs/FAULTS.md for what each proves.
FAULT_SHELL_TESTS = tests/faults/t-readonly.sh tests/faults/t-locked.sh \
	tests/faults/t-deleted.sh tests/faults/t-diskfull.sh tests/faults/t-load.sh \
	tests/faults/t-kill.sh
# The same on PostgreSQL (tests/faults/pg.sh): two milters behind two
# Postfix instances on one database, and each fault with a real server;
# they skip when run-tests found no PostgreSQL (TLSRPT_TEST_PG unset).
FAULT_SHELL_TESTS += tests/faults/t-pg-once.sh tests/faults/t-pg-down.sh \
	tests/faults/t-pg-killed.sh tests/faults/t-pg-timeout.sh tests/faults/t-pg-standby.sh \
	tests/faults/t-pg-restart.sh
TESTS += $(FAULT_SHELL_TESTS)
EXTRA_DIST += $(FAULT_SHELL_TESTS) tests/faults/common.sh tests/faults/send.lua \
	tests/faults/gen-reports.py tests/faults/hold-lock.py tests/faults/smtp-load.py \
	tests/milter/postfix.sh tests/faults/pg.sh
