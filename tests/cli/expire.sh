#!/bin/sh
# tlsrpt-report expire: removes by end date, with policies and failure
# details, nothing orphaned, counts that match python's, --dry-run
# changes nothing.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)
TLSRPT_NOW=2024-01-20T00:00:00Z
export TLSRPT_NOW
"$TR" -d "$DB" import "$FIX/mail-gzip.eml" "$FIX/mail-two-policies.eml" "$FIX/raw.json" \
	"$FIX/raw.json.gz" "$FIX/three.mbox" "$FIX/maildir" "$FIX/stdin.eml" \
	"$FIX/shared-id-h.eml" "$FIX/shared-id-i.eml" >/dev/null 2>&1

# db SQL: one query over the database (tap.sh's sql).
db() { sql "$DB" "$1"; }
counts() { db "SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM policies), (SELECT COUNT(*) FROM failure_details)"; }

# Reports ending before 2024-01-05 (15 days before the 20th): python's count.
WANT=$(python3 - "$FIX/reports" <<'PY'
import glob, json, os, sys
r = p = f = n = nf = 0
for path in glob.glob(os.path.join(sys.argv[1], "*.json")):
    rep = json.load(open(path))
    if rep["date-range"]["end-datetime"] < "2024-01-05":
        r += 1; p += len(rep["policies"]); f += sum(len(q["failure-details"]) for q in rep["policies"])
        # an sts policy beside a tlsa one for its domain is the same sessions
        dane = {q["policy"]["policy-domain"].lower() for q in rep["policies"] if q["policy"]["policy-type"] == "tlsa"}
        for q in rep["policies"]:
            if q["policy"]["policy-type"] == "sts" and q["policy"]["policy-domain"].lower() in dane:
                continue
            n += q["summary"]["total-successful-session-count"] + q["summary"]["total-failure-session-count"]
            nf += q["summary"]["total-failure-session-count"]
print("%d report%s (%s session%s, %d failed), %d policies, %d failure details"
      % (r, "" if r == 1 else "s", format(n, ","), "" if n == 1 else "s", nf, p, f))
PY
)
BEFORE=$(counts)
run -d "$DB" expire --older-than 15d --dry-run
is "--dry-run: says what would go" "$rc:$(cat "$TMP/out")" \
	"0:would remove $WANT (ended before 2024-01-05 00:00 UTC); nothing was changed"
is "--dry-run: nothing changed" "$(counts)" "$BEFORE"
run -d "$DB" expire --older-than 15d
is "expire: says what went" "$rc:$(cat "$TMP/out")" "0:removed $WANT (ended before 2024-01-05 00:00 UTC)"
is "expire: what is left ended on or after the cutoff" \
	"$(db "SELECT COUNT(*) FROM reports WHERE end_time < 1704412800")" 0
is "expire: the counts dropped by what it said" "$(python3 -c '
import sys
b = sys.argv[1].split("|"); a = sys.argv[2].split("|")
print([int(x) - int(y) for x, y in zip(b, a)])' "$BEFORE" "$(counts)")" \
	"$(echo "$WANT" | sed 's/ ([^)]*)//; s/[^0-9,]//g; s/,/, /g; s/^/[/; s/$/]/')"
if db_is_uri "$DB"; then
	skip "no orphans (foreign_key_check): SQLite's"
else
	is "expire: no orphans (foreign_key_check)" "$(db 'PRAGMA foreign_key_check')" ""
fi
is "expire: no orphan policies or details" \
	"$(db 'SELECT (SELECT COUNT(*) FROM policies WHERE report NOT IN (SELECT id FROM reports)), (SELECT COUNT(*) FROM failure_details WHERE policy NOT IN (SELECT id FROM policies))')" \
	"0|0"
run -d "$DB" expire --older-than 15d --vacuum
is "expire again: nothing left to remove" "$rc:$(cut -d' ' -f2 "$TMP/out")" "0:0"
run -d "$DB" summary --format json
is "expire: summaries see only what is left" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["reports"])' "$TMP/out")" \
	"$(db 'SELECT COUNT(*) FROM reports' | tr -dc 0-9)"
run -d "$DB" expire
is "expire without --older-than: usage error" "$rc" 2
run -d "$TMP/none.db" expire --older-than 1d
is "expire: no database is an error, and none is created" "$rc:$(test -e "$TMP/none.db" && echo yes || echo no)" "2:no"

done_testing
