#!/bin/sh
# Several tlsrpt-report import processes at once on one database: nothing
# lost, nothing stored twice, no "database is locked" failures.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB="$TMP/t.db"
WORKERS=6
REPORTS=40

# Each worker imports the same 40 distinct raw reports (in its own order)
# plus the fixture mails, so every report is offered six times.
mkdir "$TMP/in"
python3 - "$FIX/reports/a1.json" "$TMP/in" "$REPORTS" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
for i in range(int(sys.argv[3])):
    r = dict(base)
    r["report-id"] = "conc-%03d" % i
    r["contact-info"] = "tlsrpt@reporter-%d.example" % (i % 5)
    open("%s/r%03d.json" % (sys.argv[2], i), "w").write(json.dumps(r))
PY
i=0
while [ $i -lt $WORKERS ]; do
	# odd workers go through the files in reverse
	if [ $((i % 2)) -eq 1 ]; then
		files=$(ls "$TMP/in"/*.json | sort -r)
	else
		files=$(ls "$TMP/in"/*.json)
	fi
	# shellcheck disable=SC2086
	( "$TR" -d "$DB" import $files "$FIX/three.mbox" "$FIX/maildir" >"$TMP/out.$i" 2>"$TMP/err.$i"
	  echo $? >"$TMP/rc.$i" ) &
	i=$((i + 1))
done
wait

rcs=$(cat "$TMP"/rc.* | sort -u | tr '\n' ' ')
is "every importer exits 0" "$rcs" "0 "
[ "$rcs" = "0 " ] || diag "$(cat "$TMP"/err.*)"
is "every report stored exactly once over all importers" \
	"$(cat "$TMP"/out.* | grep -c '^stored')" $((REPORTS + 5))
is "every other offer was a duplicate" \
	"$(cat "$TMP"/out.* | grep -c '^duplicate')" $(((REPORTS + 5) * (WORKERS - 1)))
is "no store errors" "$(cat "$TMP"/err.* | grep -c 'cannot\|locked\|failed')" 0
run -d "$DB" summary --format json
is "the database holds each report once" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["reports"])' "$TMP/out" 2>/dev/null)" \
	$((REPORTS + 5))

done_testing
