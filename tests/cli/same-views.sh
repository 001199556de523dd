#!/bin/sh
# The same reports imported into SQLite and into PostgreSQL give
# byte-identical output from every view: summary (every --by, every
# format, with and without each filter), failures, list, show, digest,
# expire --dry-run and metrics.  The reports: the CLI fixtures and, when
# present, the shared real-world samples (read in place, never copied).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
need_pg
require_store
SQLITE="$TMP/same.db"
PG=$(pg_fresh_db) || { echo "1..0 # SKIP no schema in the test cluster"; exit 0; }
TLSRPT_NOW=2026-03-10T00:00:00Z
export TLSRPT_NOW
SAMPLES=""
for d in "$top_srcdir/../shared/samples/tlsrpt" /work/shared/samples/tlsrpt; do
	if [ -d "$d" ]; then SAMPLES=$d; break; fi
done

# Duplicates and invalid reports among them, in one order for both.
set -- "$FIX"/*.eml "$FIX"/*.json "$FIX"/*.json.gz "$FIX"/*.mbox "$FIX/maildir" "$FIX/reports" \
	"$top_srcdir"/tests/fixtures/mail/*.eml
if [ -n "$SAMPLES" ]; then
	set -- "$@" "$SAMPLES"/*.eml "$SAMPLES"/*.json "$SAMPLES"/*.json.gz "$FIX/raw.json" "$FIX/three.mbox"
fi

# same NAME ARGS...: tlsrpt-report ARGS on each database; ok when stdout,
# stderr (the database's name aside) and the exit status are the same.
same() {
	name=$1
	shift
	rc=0
	"$TR" -d "$SQLITE" "$@" >"$TMP/s.out" 2>"$TMP/s.err" || rc=$?
	src=$rc
	rc=0
	"$TR" -d "$PG" "$@" >"$TMP/p.out" 2>"$TMP/p.err" || rc=$?
	if [ "$1" = digest ]; then
		# the Message-ID and MIME boundary are random on each run
		sed -i 's/[0-9a-f]\{16\}/RANDOM/g' "$TMP/s.out" "$TMP/p.out"
	fi
	sed "s|$SQLITE|DB|g" "$TMP/s.err" >"$TMP/s.err2"
	sed "s|$PG|DB|g" "$TMP/p.err" >"$TMP/p.err2"
	if [ "$src" = "$rc" ] && cmp -s "$TMP/s.out" "$TMP/p.out" && cmp -s "$TMP/s.err2" "$TMP/p.err2"; then
		ok "$name"
	else
		not_ok "$name"
		diag "exit $src (SQLite), $rc (PostgreSQL)"
		diag "$(diff "$TMP/s.out" "$TMP/p.out" | head -20)" "$(diff "$TMP/s.err2" "$TMP/p.err2" | head -10)"
	fi
}

same "import: the same lines, ids and exit status" import "$@"
same "import again: every report a duplicate" import "$@"

# The last three about the 30-day buckets of the folded rollups (schema
# 13; edges on 2023-12-19 and 2024-01-18): whole buckets, and edges read
# from the rollups they fold.
FILTERS="- --submitter=reporter-e.example --policy-domain=example.com --since=2024-01-03 --until=2024-01-05
--authenticated-only --since=2020-01-01 --since=2023-12-20 --until=2024-01-17 --until=2026-03-05"
for by in submitter policy-domain result-type receiving-mx sending-ip day policy-type; do
	for format in text json csv; do
		for f in $FILTERS; do
			[ "$f" = - ] && set -- || set -- "$f"
			same "summary --by $by --format $format $*" summary --by "$by" --format "$format" --color never "$@"
		done
	done
done
same "summary --all" summary --all --color always

for view in failures list; do
	for format in text json csv; do
		for f in $FILTERS; do
			[ "$f" = - ] && set -- || set -- "$f"
			same "$view --format $format --no-limit $*" "$view" --format "$format" --no-limit --color never "$@"
		done
	done
	same "$view --limit 3" "$view" --limit 3
done

n=$("$TR" -d "$SQLITE" list --no-limit --format csv | tail -n +2 | wc -l)
id=1
while [ "$id" -le "$n" ]; do
	for format in text json csv; do
		same "show $id --format $format" show --format "$format" --color never "$id"
	done
	same "show $id --raw" show --raw "$id"
	id=$((id + 1))
done
same "show by report-id and submitter" show --submitter reporter-c.example c-42

for f in $FILTERS; do
	[ "$f" = - ] && set -- || set -- "$f"
	same "digest --since 3000d $*" digest --to postmaster@example.com --from tlsrpt@example.com --since 3000d "$@"
	same "metrics --since 3000d $*" metrics --since 3000d "$@"
done
same "digest of the last day" digest --to postmaster@example.com --from tlsrpt@example.com
same "expire --dry-run" expire --older-than 2024-01-05 --dry-run
same "expire --dry-run, everything" expire --older-than 1d --dry-run
same "expire" expire --older-than 2024-01-05
same "summary after expire" summary --format json
same "list after expire" list --no-limit --format csv

done_testing
