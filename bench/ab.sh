#!/usr/bin/env bash
# A/B of two tlsrpt-report builds on the same machine in the same run:
# summary under each key on a database each build can read (a copy of
# the old one migrated by the new build, when the schema changed) and an
# import of the same mbox into fresh databases, the two builds alternating
# run by run so that a shared machine's load falls on both alike.
# Prints one line a run: what side rep wall_s user_s sys_s maxrss_kb
#
# Usage: OLD=old/tlsrpt-report NEW=build/aggregator/tlsrpt-report \
#        OLD_DB=a.db NEW_DB=b.db MBOX=in.mbox [REPS=3] [KEYS="..."] bench/ab.sh
# Medians: compare CPU (user + system), which a busy machine disturbs
# less than wall time.
set -u
REPS=${REPS:-3}
KEYS=${KEYS:-"submitter result-type policy-domain receiving-mx sending-ip"}
: "${OLD:?} ${NEW:?} ${OLD_DB:?} ${NEW_DB:?}"
MBOX=${MBOX:-}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-ab.XXXXXX") || exit 2
trap 'rm -rf "$TMPD"' EXIT

t() {
	/usr/bin/time -f '%e %U %S %M' -o "$TMPD/time" "$@" >/dev/null 2>"$TMPD/err" ||
		echo "ab.sh: failed: $*: $(cat "$TMPD/err")" >&2
	cat "$TMPD/time"
}

# both databases in the page cache before the first timed run
for k in $KEYS; do
	"$OLD" -d "$OLD_DB" summary --by "$k" >/dev/null
	"$NEW" -d "$NEW_DB" summary --by "$k" >/dev/null
done
for rep in $(seq 1 "$REPS"); do
	for k in $KEYS; do
		# the order swapped every other run
		if [ $((rep % 2)) -eq 1 ]; then sides="old new"; else sides="new old"; fi
		for side in $sides; do
			if [ "$side" = old ]; then bin=$OLD db=$OLD_DB; else bin=$NEW db=$NEW_DB; fi
			echo "summary-$k $side $rep $(t "$bin" -d "$db" summary --by "$k")"
		done
	done
	if [ -n "$MBOX" ]; then
		for side in old new; do
			if [ "$side" = old ]; then bin=$OLD; else bin=$NEW; fi
			rm -f "$TMPD/import.db"*
			echo "import $side $rep $(t "$bin" -d "$TMPD/import.db" import "$MBOX")"
		done
	fi
done
