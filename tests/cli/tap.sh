# Shared by the tlsrpt-report shell tests: TAP output, the binary, a
# scratch directory, and the fixtures.  Source it; end with done_testing.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
TR="$top_builddir/aggregator/tlsrpt-report"
FIX="$top_srcdir/tests/fixtures/cli"
unset TLSRPT_DB
. "$top_srcdir/tests/pg/lib.sh"
# sqlite, or postgres when tests/cli/on-pg.sh runs the test a second time
TEST_BACKEND=${TLSRPT_TEST_BACKEND:-sqlite}
[ "$TEST_BACKEND" != postgres ] || need_pg
tap_n=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-cli.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $1"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
done_testing() { echo "1..$tap_n"; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# is DESCRIPTION GOT WANT
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "got:  $2" "want: $3"
	fi
}

# run ARGS...: tlsrpt-report with stdout in $TMP/out, stderr in $TMP/err,
# the exit status in $rc.
run() {
	rc=0
	"$TR" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}

have_python() { command -v python3 >/dev/null 2>&1; }

# On a branch that has not merged the store and summary modules yet they
# are stubs: skip rather than fail.  Real code never says "not implemented".
require_store() {
	"$TR" -d "$TMP/probe.db" import /dev/null >/dev/null 2>"$TMP/probe.err" || true
	"$TR" -d "$TMP/probe.db" summary >/dev/null 2>>"$TMP/probe.err" || true
	if grep -q "not implemented" "$TMP/probe.err"; then
		skip_all "store or summary not implemented on this branch yet"
	fi
	rm -f "$TMP"/probe.*
}

# new_db NAME: where a new empty database of this run's backend is:
# $TMP/NAME, or a URI to a PostgreSQL schema of its own.
new_db() {
	if [ "$TEST_BACKEND" = postgres ]; then
		pg_fresh_db
	else
		echo "$TMP/$1"
	fi
}

# sql DB SQL: the rows of one query (or statements) on DB, either backend,
# a line a row, columns joined by "|", NULL as nothing.
sql() {
	if db_is_uri "$1"; then
		psql "$1" -qAtX -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$2"
	else
		python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in r))
c.commit()' "$1" "$2"
	fi
}

# db_is_uri DB: DB names a PostgreSQL database (as db_is_postgres()).
db_is_uri() {
	case $1 in
	postgresql://* | postgres://*) return 0 ;;
	*) return 1 ;;
	esac
}
