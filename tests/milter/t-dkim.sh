#!/bin/sh
# tlsrpt-milter verifies DKIM itself (the default): mails signed with real
# keys (tests/fixtures/dkim) under miltertest, keys from DKIMKeyFile; with
# RequireAuthentication only passing reports are stored; and the
# Authentication-Results fallback (DKIMVerify no) believes no forged field.
. "${top_srcdir:?}/tests/milter/common.sh"
need_miltertest
need_store
setup
KEYS=$top_srcdir/tests/fixtures/dkim/keys.txt
n_pass=$(ls "$top_srcdir/tests/fixtures/dkim" | grep -c '^pass-.*\.eml$')
n_all=$(ls "$top_srcdir/tests/fixtures/dkim" | grep -c '\.eml$')

# lua_mode MODE SCRIPT: a scenario told which configuration it runs under
lua_mode() {
	"$MILTERTEST" -s "$top_srcdir/tests/milter/$2.lua" -D "sock=unix:$tmp/sock" -D "mode=$1" \
		-D "fixtures=$FIXTURES" -D "common=$top_srcdir/tests/milter/common.lua" \
		>>"$tmp/miltertest.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/miltertest.out" | tail -20
	return $rc
}

write_conf <<EOF2
DKIMKeyFile $KEYS
EOF2
check "milter starts verifying DKIM" start_milter
check "each signed mail gets its verdict" lua dkim
check "milter stops cleanly" stop_milter
check "every report stored" test "$(sql 'SELECT count(*) FROM reports')" = "$n_all"
check "pass stored with domain and selector" test "$(sql "SELECT count(*) FROM reports \
	WHERE auth = 'pass' AND dkim_domain LIKE '%example.net' AND dkim_selector <> ''")" = "$n_pass"
check "look-alike signer recorded, not passed" test "$(sql "SELECT auth || ' ' || dkim_domain \
	FROM reports WHERE report_id = 'fail-lookalike-domain'")" = "fail examp1e.net"
check "unsigned: none, no domain" test "$(sql "SELECT auth || ' ' || coalesce(dkim_domain, '-') \
	FROM reports WHERE report_id = 'none-unsigned'")" = "none -"
check "verdict and signature logged" \
	grep -q ': stored: submitter=example.net report-id=pass-aligned .* auth=pass dkim-domain=example.net dkim-selector=sel1' "$tmp/log"
check "why a signature failed is logged" grep -q 'dkim signature d=example.net s=sel1: l= present' "$tmp/log"

rm -f "$tmp/db"*
write_conf <<EOF2
DKIMKeyFile $KEYS
RequireAuthentication yes
EOF2
check "milter starts with RequireAuthentication" start_milter
check "only passing reports stored, the rest ignored" lua_mode require dkim
check "milter stops cleanly" stop_milter
check "only the passing reports are in the database" \
	test "$(sql "SELECT count(*) FROM reports WHERE auth = 'pass'")" = "$n_pass"
check "nothing else stored" test "$(sql 'SELECT count(*) FROM reports')" = "$n_pass"
check "ignored reports logged" grep -q ': ignored: submitter=example.net report-id=fail-wrong-key .* auth=fail' "$tmp/log"

rm -f "$tmp/db"*
write_conf <<EOF2
DKIMKeyFile $tmp/keys-gone
EOF2
check "a missing DKIMKeyFile stops the start" sh -c '! timeout 10 "$0" -f -c "$1" 2>/dev/null' "$MILTER_BIN" "$tmp/conf"
cp "$KEYS" "$tmp/keys-gone"
check "milter starts with a key file that will vanish" start_milter
rm -f "$tmp/keys-gone"
check "key lookup failure: temperror, never pass" lua_mode temperror dkim_temperror
check "milter stops cleanly" stop_milter
check "temperror stored" test "$(sql "SELECT count(*) FROM reports WHERE auth = 'temperror'")" = 1

rm -f "$tmp/db"*
write_conf <<EOF2
DKIMVerify no
TrustedAuthservIDs mx.example.com
EOF2
check "milter starts trusting Authentication-Results" start_milter
check "forged fields below Received never believed" lua authres-forged
check "milter stops cleanly" stop_milter
check "one pass, from the local field" test "$(sql "SELECT count(*) FROM reports WHERE auth = 'pass'")" = 1
[ $tap_failed -eq 0 ] || show_log
finish
