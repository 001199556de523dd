#!/bin/sh
# tests/pg/lib.sh: each fresh database is empty and apart from the others,
# and the cluster run-tests started serves the Unix socket and TCP.
. "${top_srcdir:?}/tests/pg/lib.sh"
need_pg
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

a=$(pg_fresh_db) || { echo "Bail out! pg_fresh_db failed"; exit 1; }
b=$(pg_fresh_db) || { echo "Bail out! pg_fresh_db failed"; exit 1; }
check "two fresh databases are two" test "$a" != "$b"
psql "$a" -qAt -v ON_ERROR_STOP=1 -c "CREATE TABLE t (k BIGINT)" -c "INSERT INTO t VALUES (1)" >/dev/null
check "a table in one" test "$(psql "$a" -qAt -c "SELECT count(*) FROM t")" = 1
check "is not in the other" test "$(psql "$b" -qAt -c "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")" = 0
# the fault tests reach the server over TCP too
port=$(psql "$TLSRPT_TEST_PG" -qAt -c "SHOW port")
check "TCP on 127.0.0.1" test "$(psql "postgresql://127.0.0.1:$port/tlsrpt?user=$(psql "$TLSRPT_TEST_PG" -qAt -c "SELECT current_user")" -qAt -c "SELECT 1")" = 1
check "fsync is off" test "$(psql "$TLSRPT_TEST_PG" -qAt -c "SHOW fsync")" = off
echo "1..$n"
