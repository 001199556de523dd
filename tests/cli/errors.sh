#!/bin/sh
# tlsrpt-report's errors: usage (exit 2, message on stderr), a missing or
# corrupt database (clear message, exit 2).  Unreadable and oversized
# input: see import.sh.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
DB="$TMP/t.db"

run
is "no command: exit 2" "$rc" 2
check "no command: usage on stderr" grep -q "^Usage: tlsrpt-report" "$TMP/err"
for args in "frob" "--frob" "summary --frob" "summary extra" "summary --by nothing" \
	"summary --format xml" "summary --since yesterday" "summary --until 2024-02-30" \
	"summary --since" "import" "parse" "import --max-message 0 x" "-d" "help frob"; do
	# shellcheck disable=SC2086
	run $args
	is "usage error '$args': exit 2" "$rc" 2
	check "usage error '$args': prefixed message" grep -q "^tlsrpt-report: " "$TMP/err"
done

run --help
is "--help: exit 0, usage on stdout" "$rc:$(head -n 1 "$TMP/out")" "0:Usage: tlsrpt-report [-d PATH] COMMAND [options]"
run --version
check "--version" grep -q "^tlsrpt-report (tlsrpt-milter) [0-9]" "$TMP/out"
for cmd in import summary parse; do
	run help $cmd
	is "help $cmd" "$rc:$(head -n 1 "$TMP/out" | cut -d' ' -f1)" "0:Usage:"
	run $cmd --help
	is "$cmd --help: exit 0, its own usage" "$rc:$(head -n 1 "$TMP/out" | grep -c "^Usage: tlsrpt-report .*$cmd")" "0:1"
done

run -d "$TMP/missing.db" summary
is "missing database: exit 2" "$rc" 2
is "missing database: says so" "$(cat "$TMP/err")" \
	"tlsrpt-report: no database at $TMP/missing.db: import reports first or name one with -d"
check "missing database: not created by a query" test ! -e "$TMP/missing.db"
TLSRPT_DB="$TMP/env.db" "$TR" summary >"$TMP/out" 2>"$TMP/err" && rc=0 || rc=$?
is "missing database named by \$TLSRPT_DB: exit 2" "$rc" 2
check "missing database named by \$TLSRPT_DB: path in the message" grep -q "$TMP/env.db" "$TMP/err"

head -c 4096 /dev/urandom >"$TMP/corrupt.db"
printf 'this is not an SQLite database at all' | dd of="$TMP/corrupt.db" conv=notrunc 2>/dev/null
run -d "$TMP/corrupt.db" summary
is "corrupt database, summary: exit 2" "$rc" 2
check "corrupt database, summary: clear message" grep -q "^tlsrpt-report: $TMP/corrupt.db: " "$TMP/err"
run -d "$TMP/corrupt.db" import "$FIX/mail-gzip.eml"
is "corrupt database, import: exit 2" "$rc" 2
check "corrupt database, import: clear message" grep -q "^tlsrpt-report: $TMP/corrupt.db: " "$TMP/err"
cp "$TMP/err" "$TMP/corrupt.err"

run -d "$TMP/no/such/dir/t.db" import "$FIX/mail-gzip.eml"
is "database in a missing directory: exit 2" "$rc" 2

# one message, the path once, our words rather than SQLite's
check "corrupt database: says it is not a database" grep -q ": not a database" "$TMP/corrupt.err"
mkdir "$TMP/adir"
for cmd in summary import; do
	if [ $cmd = import ]; then run -d "$TMP/adir" import "$FIX/mail-gzip.eml"; else run -d "$TMP/adir" summary; fi
	is "directory as database, $cmd: exit 2" "$rc" 2
	check "directory as database, $cmd: one clear line" \
		test "$(cat "$TMP/err")" = "tlsrpt-report: $TMP/adir: is a directory, not a database file"
done

# A URI's password never reaches a message, whichever command fails.
for cmd in summary list "expire --older-than 1d" "import $FIX/raw.json"; do
	# shellcheck disable=SC2086
	run -d "postgresql://tlsrpt:s3cret@127.0.0.1:1/none?password=0ther&connect_timeout=5" $cmd
	is "-d URI, ${cmd%% *}: exit 2, no password in the message" \
		"$rc:$(grep -c 's3cret\|0ther' "$TMP/err")" "2:0"
done

done_testing
