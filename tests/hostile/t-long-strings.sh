#!/bin/sh
# Long strings in every string field of a report, at lengths around the
# arena's block sizes (tests/hostile/long-strings.py), through the whole
# pipeline: `tlsrpt-report parse` and `import` of the raw JSON, `import`
# of the same gzipped in a mail, and the milter under miltertest.  Each
# report is stored whole (strings up to 64 KiB) or refused as invalid
# with the limit named (docs/LIMITS.md, max_string_len); no process
# crashes, the milter answers every mail and is still up at the end.  In
# a sanitizer build the binaries are checked as they run: any report of
# theirs fails the case.
. "${top_srcdir:?}/tests/milter/common.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
REPORT_BIN=$top_builddir/aggregator/tlsrpt-report
GEN=$top_srcdir/tests/hostile/long-strings.py
[ -x "$REPORT_BIN" ] || skip_all "tlsrpt-report not built"
setup
# a sanitizer's report must not pass for "1: some report invalid"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86
export ASAN_OPTIONS UBSAN_OPTIONS

python3 "$GEN" gen "$tmp/g" || exit 99
n_cases=$(wc -l <"$tmp/g/cases")
n_stored=$(grep -c ' stored$' "$tmp/g/cases")
n_invalid=$(grep -c ' invalid$' "$tmp/g/cases")

# sane STATUS ERRFILE WANT: the exit status is WANT and no sanitizer spoke
sane() {
	[ "$1" -eq "$3" ] && ! grep -q 'Sanitizer\|runtime error:' "$2"
}

# --- parse: one process per report, so that a crash names its case
crashed=0
while read -r n field size want; do
	f=$(printf '%05d' "$n")
	rc=0
	"$REPORT_BIN" parse "$tmp/g/json/$f.json" >"$tmp/g/parse/$f.json" 2>"$tmp/parse.err" || rc=$?
	[ "$want" = stored ] && w=0 || w=1
	if ! sane $rc "$tmp/parse.err" $w; then
		crashed=$((crashed + 1))
		echo "# parse, case $n ($field, $size bytes): exit $rc, want $w"
		sed 's/^/#   /' "$tmp/parse.err" | head -5
	fi
done <"$tmp/g/cases"
check "parse: every case exits 0 (stored) or 1 (invalid), no crash" test $crashed -eq 0
check "parse: strings up to 64 KiB whole, longer ones refused naming the field" \
	python3 "$GEN" check-parse "$tmp/g"

# --- import: the raw JSON files, then the same reports gzipped in mails
rc=0
"$REPORT_BIN" -d "$tmp/json.db" import "$tmp/g/json" >"$tmp/import.out" 2>"$tmp/import.err" || rc=$?
check "import of the JSON files: exit 1 (some invalid), no crash" sane $rc "$tmp/import.err" 1
check "import of the JSON files: $n_stored stored, $n_invalid invalid" \
	grep -q "^$n_stored stored, 0 duplicate, $n_invalid invalid" "$tmp/import.err"
check "import of the JSON files: the database holds each string whole" \
	python3 "$GEN" check-db "$tmp/g" "$tmp/json.db"
rc=0
"$REPORT_BIN" -d "$tmp/mail.db" import "$tmp/g/mail" >"$tmp/import.out" 2>"$tmp/import.err" || rc=$?
check "import of the mails: exit 1 (some invalid), no crash" sane $rc "$tmp/import.err" 1
check "import of the mails: $n_stored stored, $n_invalid invalid" \
	grep -q "^$n_stored stored, 0 duplicate, $n_invalid invalid" "$tmp/import.err"
check "import of the mails: the database holds each string whole" \
	python3 "$GEN" check-db "$tmp/g" "$tmp/mail.db"
check "import says why: the limit is named" \
	test "$(grep -c '^invalid .*longer than 65536 bytes' "$tmp/import.out")" -eq "$n_invalid"

# --- the milter: every mail answered, the milter still up
if [ -z "${MILTERTEST:-}" ] || [ ! -x "$MILTERTEST" ]; then
	MILTERTEST=$(command -v miltertest 2>/dev/null) || MILTERTEST=
fi
if [ -z "$MILTERTEST" ]; then
	ok "# SKIP miltertest not installed"
	finish
fi
write_conf <<EOF2
SocketMode 0600
EOF2
check "milter starts" start_milter
rc=0
"$MILTERTEST" -s "$top_srcdir/tests/faults/send.lua" -D "sock=unix:$tmp/sock" \
	-D "fixtures=$tmp/g/mail" -D "common=$top_srcdir/tests/milter/common.lua" \
	-D "first=1" -D "last=$n_cases" >"$tmp/outcomes" 2>"$tmp/send.err" || rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/send.err" | tail -5
check "milter: every mail answered" test $rc -eq 0 -a "$(wc -l <"$tmp/outcomes")" -eq "$n_cases"
awk '{ print $1, $NF }' "$tmp/g/cases" >"$tmp/want"
check "milter: each report stored or invalid as the limits say" cmp -s "$tmp/want" "$tmp/outcomes"
check "milter: still running after every mail" kill -0 "$milter_pid"
check "milter: no sanitizer report" sh -c "! grep -q 'Sanitizer\\|runtime error:' '$tmp/log'"
check "milter: the limit is named in the log" \
	test "$(grep -c ': invalid (.*longer than 65536 bytes)' "$tmp/log")" -eq "$n_invalid"
check "milter stops cleanly" stop_milter
check "milter: the database holds each string whole" python3 "$GEN" check-db "$tmp/g" "$tmp/db"
[ $tap_failed -eq 0 ] || show_log
finish
