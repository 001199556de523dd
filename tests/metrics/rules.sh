#!/bin/sh
# The shipped Prometheus alert rules: promtool lints them and runs their
# unit tests (docs/prometheus/tlsrpt.rules.test.yml), where every alert
# fires on a synthetic series and stays silent on its near misses.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
command -v promtool >/dev/null 2>&1 || skip_all "promtool needed (Debian package prometheus)"
RULES="$top_srcdir/docs/prometheus"

promtool check rules "$RULES/tlsrpt.rules.yml" >"$TMP/check" 2>&1
rc=$?
is "promtool check rules: the rules parse" "$rc" 0
[ "$rc" -eq 0 ] || diag "$(cat "$TMP/check")"

# promtool reads the rule file relative to the test file's folder.
promtool test rules "$RULES/tlsrpt.rules.test.yml" >"$TMP/test" 2>&1
rc=$?
is "promtool test rules: every alert fires and stays silent as tested" "$rc" 0
[ "$rc" -eq 0 ] || diag "$(cat "$TMP/test")"

# Every alert the rules define has a unit test.
for a in $(sed -n 's/^ *- alert: *//p' "$RULES/tlsrpt.rules.yml"); do
	if grep -q "alertname: $a\$" "$RULES/tlsrpt.rules.test.yml"; then
		ok "alert $a is unit-tested"
	else
		not_ok "alert $a is unit-tested"
	fi
done
done_testing
