#!/bin/sh
# tlsrpt-milter under miltertest: negotiation, early accepts, oversize.
. "${top_srcdir:?}/tests/milter/common.sh"
need_miltertest
setup

write_conf <<EOF2
Recipients tlsrpt@example.com, reports@example.com
EOF2
check "milter starts" start_milter
check "negotiation and early accepts" lua negotiate
check "milter stops cleanly on SIGTERM" stop_milter
check "skips are logged" grep -q "not for a report address" "$tmp/log"

write_conf <<EOF2
MaxMessageSize 1K
EOF2
check "milter starts with MaxMessageSize 1K" start_milter
check "oversized message accepted at its end" lua oversize
check "milter stops cleanly" stop_milter
check "both oversizes are logged" test "$(grep -c "larger than MaxMessageSize" "$tmp/log")" -eq 2
[ $tap_failed -eq 0 ] || show_log
finish
