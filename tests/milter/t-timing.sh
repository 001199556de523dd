#!/bin/sh
# The per-message timing line bench/milter.sh reads: at LogLevel debug,
# one "eom: N reports in X ms, M bytes" line per message that reached
# end of message, none for skipped mail and none at LogLevel info.
. "${top_srcdir:?}/tests/milter/common.sh"
need_miltertest
setup

eom_lines() { grep -E ': eom: [0-9]+ reports in [0-9]+\.[0-9]{3} ms, [0-9]+ bytes$' "$tmp/log"; }

write_conf <<EOF2
Recipients tlsrpt@example.com
EOF2
check "milter starts" start_milter
check "three messages to eom, one skipped" lua timing
check "milter stops cleanly" stop_milter
check "one timing line per message at eom" test "$(eom_lines | wc -l)" -eq 3
check "report counts 1, 2, 0 in order" \
	test "$(eom_lines | sed 's/.*: eom: \([0-9]*\) reports.*/\1/' | tr '\n' ' ')" = "1 2 0 "
size=$(wc -c <"$FIXTURES/report.eml")
bytes=$(eom_lines | head -n 1 | sed 's/.* ms, \([0-9]*\) bytes$/\1/')
# the buffered copy has CRLF line ends and "Name: value" headers
check "bytes are the buffered message's ($bytes for a $size-byte file)" \
	test "$bytes" -ge "$size" -a "$bytes" -le $((size * 2))
[ $tap_failed -eq 0 ] || show_log

: >"$tmp/log"
sed -i 's/^LogLevel debug$/LogLevel info/' "$tmp/conf"
check "milter starts at LogLevel info" start_milter
check "same messages again" lua timing
check "milter stops cleanly" stop_milter
check "no timing line at LogLevel info" test "$(eom_lines | wc -l)" -eq 0
check "but the reports are logged" grep -q ': duplicate: submitter=' "$tmp/log"
[ $tap_failed -eq 0 ] || show_log
finish
