#!/bin/sh
# tlsrpt-report copy: every report into another database exactly once,
# every view of the copy the same as of the original, again is a no-op,
# and back; SQLite to PostgreSQL and back when the tests have a server.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
require_store
A="$TMP/a.db"
TLSRPT_NOW=2024-01-20T00:00:00Z
export TLSRPT_NOW
"$TR" -d "$A" import "$FIX/mail-gzip.eml" "$FIX/mail-two-policies.eml" "$FIX/raw.json" \
	"$FIX/raw.json.gz" "$FIX/three.mbox" "$FIX/maildir" "$FIX/stdin.eml" \
	"$FIX/shared-id-h.eml" "$FIX/shared-id-i.eml" >/dev/null 2>&1
N=$("$TR" -d "$A" list --format csv | tail -n +2 | wc -l)

# views DB: what every view says of DB, ids left out (a copy renumbers)
views() {
	for by in submitter policy-domain policy-type result-type receiving-mx sending-ip day; do
		"$TR" -d "$1" summary --by "$by" --format json
	done
	"$TR" -d "$1" failures --format csv
	"$TR" -d "$1" list --format csv | cut -d, -f2-
	"$TR" -d "$1" digest --since 2000-01-01 2>&1 | grep -v '^Date:\|^Message-ID:'
	"$TR" -d "$1" expire --older-than 1d --dry-run
}

# copies FROM TO LABEL: copy, then the views of both the same
copies() {
	run copy --from "$1" --to "$2"
	is "$3: all $N reports copied" "$rc:$(cat "$TMP/out")" "0:copied $N reports, 0 already there, 0 failed"
	views "$1" >"$TMP/v1" 2>&1
	views "$2" >"$TMP/v2" 2>&1
	if cmp -s "$TMP/v1" "$TMP/v2"; then ok "$3: every view the same"; else
		not_ok "$3: every view the same"; diag "$(diff "$TMP/v1" "$TMP/v2" | head -20)"; fi
	run copy --from "$1" --to "$2"
	is "$3: again, nothing new" "$rc:$(cat "$TMP/out")" "0:copied 0 reports, $N already there, 0 failed"
}

check "the fixtures make reports to copy" test "$N" -gt 5
copies "$A" "$TMP/b.db" "sqlite to sqlite"
run copy --from "$TMP/b.db" --to "$A"
is "back: all there already" "$rc:$(cat "$TMP/out")" "0:copied 0 reports, $N already there, 0 failed"
run copy --from "$TMP/none.db" --to "$TMP/c.db"
is "a missing source is an error" "$rc:$(cat "$TMP/err")" \
	"2:tlsrpt-report: no database at $TMP/none.db: import reports first or name one with -d"
run copy --from "$A"
is "--to is required" "$rc" 2
if [ -n "${TLSRPT_TEST_PG:-}" ] && command -v psql >/dev/null 2>&1; then
	. "$top_srcdir/tests/pg/lib.sh"
	PG=$(pg_fresh_db)
	copies "$A" "$PG" "sqlite to postgresql"
	copies "$PG" "$TMP/d.db" "postgresql to sqlite"
else
	skip "sqlite to postgresql: no test server (TLSRPT_TEST_PG)"
fi
done_testing
