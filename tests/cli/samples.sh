#!/bin/sh
# Import every real-world sample in the shared corpus (read in place, never
# copied): each yields stored reports and none is invalid, except the one
# mail that holds no report.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
SAMPLES=""
for d in "$top_srcdir/../shared/samples/tlsrpt" /work/shared/samples/tlsrpt; do
	if [ -d "$d" ]; then SAMPLES=$d; break; fi
done
[ -n "$SAMPLES" ] || skip_all "no shared samples"
require_store
DB=$(new_db t.db)

for f in "$SAMPLES"/*.eml "$SAMPLES"/*.json "$SAMPLES"/*.json.gz; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	run -d "$DB" import "$f"
	case $name in
	not-a-report*)
		is "$name: no report, exit 0" "$rc:$(grep -c . "$TMP/out")" "0:0"
		continue ;;
	esac
	stored=$(grep -c '^stored\|^duplicate' "$TMP/out")
	invalid=$(grep -c '^invalid' "$TMP/out")
	if [ "$rc" -eq 0 ] && [ "$stored" -ge 1 ] && [ "$invalid" -eq 0 ]; then
		ok "$name: stored"
	else
		not_ok "$name: stored"
		diag "exit $rc" "$(cat "$TMP/out" "$TMP/err")"
	fi
done
run -d "$DB" summary
is "summary over the corpus: exit 0" "$rc" 0

done_testing
