#!/bin/sh
# docs/postgresql.md's least-privilege roles, as the page sets them up: its
# SQL ("Roles: least privilege") run verbatim by the superuser of a private
# cluster (roles are the cluster's, and the page creates the database
# "tlsrpt").  Then each role does what the page says it does (the owner
# creates, migrates and expires, the writer stores, the reader runs every
# view and the Grafana queries), is refused what it may not do with a
# message that says why, and no message shows a password.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
need_pg
require_store
DOC=$top_srcdir/docs/postgresql.md
CLUSTER=$top_srcdir/tests/pg/cluster.sh
MILTER=$top_builddir/milter/tlsrpt-milter
# the server runs as nobody when the tests run as root (cluster.sh)
chmod 755 "$TMP"
trap '"$CLUSTER" stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
rc=0
"$CLUSTER" start "$TMP/pg" >"$TMP/pg.uri" 2>"$TMP/pg.err" || rc=$?
[ $rc -ne 77 ] || skip_all "PostgreSQL's server is not installed"
[ $rc -eq 0 ] || { diag "$(cat "$TMP/pg.err")"; echo "Bail out! the private cluster did not start"; exit 1; }
TLSRPT_NOW=2024-01-20T00:00:00Z
export TLSRPT_NOW

# doc_sql SECTION N: the Nth ```sql block under the heading "## SECTION"
doc_sql() {
	awk -v head="## $1" -v want="$2" '
		/^## / { in_section = ($0 == head); next }
		in_section && /^```sql$/ { n++; inside = (n == want); next }
		/^```/ { inside = 0; next }
		inside' "$DOC"
}

# The superuser reaches the maintenance database "postgres"; each role
# names a password (ignored: the cluster trusts its socket) in one of the
# two forms the page warns about, so that every message shows its redaction.
super=$(sed 's|:///tlsrpt?|:///postgres?|' "$TMP/pg.uri")
server="host=$TMP/pg&port=$(sed 's/.*[?&]port=\([0-9]*\).*/\1/' "$TMP/pg.uri")"
PW=pw-$$-never-shown
owner="postgresql://tlsrpt_owner:$PW@/tlsrpt?$server"
writer="postgresql://tlsrpt_writer@/tlsrpt?$server&password=$PW"
reader="postgresql://tlsrpt_reader:$PW@/tlsrpt?$server"
FIXTURES="$FIX/mail-gzip.eml $FIX/mail-two-policies.eml $FIX/raw.json $FIX/raw.json.gz
	$FIX/three.mbox $FIX/maildir $FIX/shared-id-h.eml $FIX/shared-id-i.eml"

# as URI ARGS...: tap.sh's run with -d URI; every message kept for the
# password check at the end
as() {
	_uri=$1
	shift
	run -d "$_uri" "$@"
	cat "$TMP/err" >>"$TMP/all.err"
}

# psql_as URI SQL: psql's output and messages in $TMP/psql, its status
psql_as() {
	psql "$1" -qAtX -v ON_ERROR_STOP=1 -c "$2" >"$TMP/psql" 2>&1
}

# psql_refused DESCRIPTION URI SQL PATTERN: psql fails and says PATTERN
psql_refused() {
	if ! psql_as "$2" "$3" && grep -Eq "$4" "$TMP/psql"; then
		ok "$1"
	else
		not_ok "$1"
		diag "want a failure and /$4/:" "$(cat "$TMP/psql")"
	fi
}

# refused DESCRIPTION PATTERN: the last command failed (exit 2) and said
# PATTERN (grep -E) on stderr
refused() {
	if [ "$rc" = 2 ] && grep -Eq "$2" "$TMP/err"; then
		ok "$1"
	else
		not_ok "$1"
		diag "exit $rc, want 2 and /$2/:" "$(cat "$TMP/err")"
	fi
}

# milter_exit URI: how the milter's start on URI ends (78: configuration,
# which includes a database it may not set up); its messages in $TMP/err
milter_exit() {
	printf 'Socket unix:%s/sock\nDatabase %s\nAllowRoot yes\n' "$TMP" "$1" >"$TMP/milter.conf"
	_rc=0
	timeout 30 "$MILTER" -f -c "$TMP/milter.conf" >"$TMP/err" 2>&1 || _rc=$?
	cat "$TMP/err" >>"$TMP/all.err"
	echo "$_rc"
}

doc_sql "Roles: least privilege" 1 >"$TMP/roles.sql"
[ -s "$TMP/roles.sql" ] || { echo "Bail out! no SQL under \"## Roles: least privilege\" in $DOC"; exit 1; }
psql "$super" -qAtX -c "DROP DATABASE tlsrpt" >/dev/null 2>"$TMP/psql" &&
	psql "$super" -qAtX -v ON_ERROR_STOP=1 -f "$TMP/roles.sql" >>"$TMP/psql" 2>&1
rc=$?
is "the page's roles and grants run as the superuser" "$rc" 0
[ $rc -eq 0 ] || { diag "$(cat "$TMP/psql")"; echo "Bail out! the page's SQL failed"; exit 1; }

# Before the owner has created the schema, the writer may not.
as "$writer" import "$FIX/mail-gzip.eml"
refused "writer first: import refused, it may not create the schema" \
	'creating the schema: permission denied for schema tlsrpt'
is "writer first: the milter stops with exit 78" "$(milter_exit "$writer")" 78
check "and says why" grep -q 'cannot start: database .*permission denied for schema tlsrpt' "$TMP/err"

# The owner creates it, with the page's command.
as "$owner" import /dev/null
is "owner: import /dev/null creates the schema" "$rc" 0
psql_as "$owner" "SELECT count(*) FROM pg_tables WHERE schemaname = 'tlsrpt' AND tableowner = 'tlsrpt_owner'"
check "in the schema tlsrpt, its tables the owner's" test "$(cat "$TMP/psql")" -gt 5
psql_as "$owner" "SELECT count(*) FROM pg_tables WHERE schemaname <> 'tlsrpt' AND schemaname NOT IN ('pg_catalog', 'information_schema')"
is "and nowhere else" "$(cat "$TMP/psql")" 0

# The writer stores (the milter's store path is the same), once.
# shellcheck disable=SC2086
as "$writer" import $FIXTURES
stored=$(grep -c '^stored ' "$TMP/out")
check "writer: import stores every report" test "$rc:$(grep -vc '^stored ' "$TMP/out")" = 0:0 -a "$stored" -gt 0
# shellcheck disable=SC2086
as "$writer" import $FIXTURES
is "writer: importing again finds only duplicates" "$rc:$(tail -1 "$TMP/err")" \
	"0:0 stored, $stored duplicate, 0 invalid"
as "$writer" summary
check "writer: reads what it stored" test "$rc" = 0 -a "$(grep -c '^reporter-' "$TMP/out")" -gt 0

# The writer never deletes and never changes the schema.
as "$writer" expire --older-than 15d
refused "writer: expire refused" 'expiring: permission denied for table'
psql_refused "writer: DELETE refused" "$writer" "DELETE FROM reports" 'permission denied for table reports'
psql_refused "writer: DDL refused" "$writer" "CREATE TABLE tr_mine (k BIGINT)" \
	'permission denied for schema tlsrpt'

# The reader runs every view, and sees what the owner sees (but for the
# digest's random Message-ID and MIME boundary).
unrandom() { sed -E 's/\.[0-9a-f]{16}@/.R@/; s/_tlsrpt_[0-9a-f]{16}/_tlsrpt_R/g'; }
for view in "summary" "summary --by submitter --all" "summary --by policy-domain" \
	"summary --by result-type" "summary --by receiving-mx" "summary --by sending-ip" \
	"summary --by day" "summary --by policy-type" "summary --format json" "summary --format csv" \
	"list" "list --format json" "show 1" "show --raw 2" "show --format json 3" \
	"failures" "failures --format csv" "digest --to postmaster@example.com --since 30d" \
	"metrics --since 30d" "check-failures --since 30d -w 50 -c 90"; do
	# shellcheck disable=SC2086
	as "$owner" $view
	unrandom <"$TMP/out" >"$TMP/owner.out"
	# shellcheck disable=SC2086
	as "$reader" $view
	unrandom <"$TMP/out" >"$TMP/reader.out"
	if [ "$rc" = 0 ] && [ -s "$TMP/out" ] && cmp -s "$TMP/reader.out" "$TMP/owner.out"; then
		ok "reader: $view"
	else
		not_ok "reader: $view"
		diag "exit $rc" "$(cat "$TMP/err")" "$(diff "$TMP/owner.out" "$TMP/reader.out" | head -5)"
	fi
done

# The page's Grafana queries, for the reader, the macro filtering nothing.
for n in 1 2; do
	# shellcheck disable=SC2016 # Grafana's macro, not the shell's
	doc_sql Grafana $n | sed 's/\$__unixEpochFilter(\([a-z_]*\))/\1 >= 0/' >"$TMP/grafana.sql"
	rc=0
	psql "$reader" -qAtX -v ON_ERROR_STOP=1 -f "$TMP/grafana.sql" >"$TMP/psql" 2>&1 || rc=$?
	if [ $rc = 0 ] && [ -s "$TMP/psql" ]; then
		ok "reader: the page's Grafana query $n"
	else
		not_ok "reader: the page's Grafana query $n"
		diag "exit $rc" "$(cat "$TMP/psql")"
	fi
done

# The reader writes nothing.
as "$reader" import "$FIX/mail-gzip.eml"
refused "reader: import refused" 'permission denied for table reports'
as "$reader" expire --older-than 15d
refused "reader: expire refused" 'expiring: permission denied for table'

# What a migration adds later is the writer's and the reader's too (the
# default privileges), its identity's sequence included.
psql_as "$owner" "CREATE TABLE tr_later (id BIGINT GENERATED BY DEFAULT AS IDENTITY, v BIGINT)"
check "writer: a table the owner creates later takes inserts" \
	psql_as "$writer" "INSERT INTO tr_later (v) VALUES (1); SELECT nextval('tr_later_id_seq')"
check "reader: and reads" psql_as "$reader" "SELECT count(*) FROM tr_later"
psql_as "$owner" "DROP TABLE tr_later"

# A schema created before the page granted the sequences: the writer
# fails as the page says, and the page's GRANTs for that case mend it.
psql_as "$owner" "REVOKE USAGE ON ALL SEQUENCES IN SCHEMA tlsrpt FROM tlsrpt_writer"
as "$writer" import "$FIX/stdin.eml"
refused "writer without the sequences: refused as the page says" \
	'permission denied for sequence reports_id_seq'
doc_sql "Roles: least privilege" 2 >"$TMP/regrant.sql"
psql "$owner" -qAtX -v ON_ERROR_STOP=1 -f "$TMP/regrant.sql" >"$TMP/psql" 2>&1
is "the page's GRANTs on what is there, as the owner" "$?" 0
as "$writer" import "$FIX/stdin.eml"
is "writer: stores again" "$rc:$(cut -d' ' -f1 "$TMP/out")" "0:stored"

# Only the owner expires.
as "$owner" expire --older-than 15d
is "owner: expire removes" "$rc:$(cut -d' ' -f1 "$TMP/out")" "0:removed"

# An older schema: the writer and the milter on it stop with the reason,
# the reader refuses it; the owner's next open would upgrade it.
psql_as "$owner" "UPDATE schema_version SET version = version - 1"
old=$(psql "$owner" -qAtX -c "SELECT version FROM schema_version")
as "$writer" import "$FIX/stdin.eml"
refused "writer on an older schema: refused, it may not upgrade it" \
	"upgrading schema version $old to $((old + 1)), migration $((old + 1)): permission denied"
is "writer on an older schema: the milter stops with exit 78" "$(milter_exit "$writer")" 78
check "and says why" grep -q "cannot start: database .*upgrading schema version $old.*permission denied" "$TMP/err"
as "$reader" summary
refused "reader on an older schema: refused, and says which" \
	"schema version $old is older than this build's \\($((old + 1))\\)"
psql_as "$owner" "UPDATE schema_version SET version = version + 1"
as "$writer" import "$FIX/stdin.eml"
is "the writer again once the owner has it current" "$rc:$(cut -d' ' -f1 "$TMP/out")" "0:duplicate"

check "some message named a database" grep -q 'postgresql://' "$TMP/all.err"
check "no message shows a password" test "$(grep -c "$PW" "$TMP/all.err")" = 0
check "each shows *** instead" test "$(grep 'postgresql://' "$TMP/all.err" | grep -vc '\*\*\*')" = 0
done_testing
