# Shared by the fault and load tests: the milter helpers of
# tests/milter/common.sh, generated report mails, a miltertest sender that
# tallies outcomes, and the "exactly once" checks against the database.
. "${top_srcdir:?}/tests/milter/common.sh"
FAULTS=$top_srcdir/tests/faults
REPORT_BIN=$top_builddir/aggregator/tlsrpt-report

need_python() {
	command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root ($*)"
}

# gen_mails N [TAG]: $tmp/mails/mail-00001.eml...; totals in $tmp/expect
gen_mails() {
	python3 "$FAULTS/gen-reports.py" "$tmp/mails" "$1" --tag "${2:-fault}" >"$tmp/expect"
}

# send FIRST LAST [WANT] [HOOK_AFTER HOOK]: one miltertest connection;
# appends "N outcome" lines to $tmp/outcomes, fails when one is not WANT
send() {
	set -- "$1" "$2" "${3:-}" "${4:-}" "${5:-}"
	"$MILTERTEST" -s "$FAULTS/send.lua" -D "sock=unix:$tmp/sock" \
		-D "fixtures=$tmp/mails" -D "common=$top_srcdir/tests/milter/common.lua" \
		-D "first=$1" -D "last=$2" ${3:+-D "want=$3"} \
		${4:+-D "hook_after=$4"} ${5:+-D "hook=$5"} \
		>"$tmp/send.out" 2>"$tmp/send.err"
	rc=$?
	cat "$tmp/send.out" >>"$tmp/outcomes"
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/send.err" "$tmp/send.out" | tail -20
	return $rc
}

# outcomes WHAT: how many mails got that outcome so far
outcomes() { grep -c " $1\$" "$tmp/outcomes" 2>/dev/null; }

# totals DB: "reports R policies P failures F", as gen_mails writes it;
# DB an SQLite file or a postgresql:// URI
totals() {
	q="SELECT 'reports ' || (SELECT count(*) FROM reports) ||
		' policies ' || (SELECT count(*) FROM policies) ||
		' failures ' || (SELECT count(*) FROM failure_details)"
	case $1 in
	postgres://*|postgresql://*) psql "$1" -qAtX -v ON_ERROR_STOP=1 -c "$q" ;;
	*) sql_at "$1" "$q" ;;
	esac
}

# every_report_once DB: each generated report stored, none twice, none half
every_report_once() {
	got=$(totals "$1")
	want=$(cat "$tmp/expect")
	[ "$got" = "$want" ] && return 0
	echo "# $1: $got, want $want"
	return 1
}

# sql_at DB QUERY: waits for locks (a closing writer checkpoints)
sql_at() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }

# integrity_ok DB
integrity_ok() { [ "$(sql_at "$1" 'PRAGMA integrity_check')" = ok ]; }

# no_half_report DB: every report has the policies gen-reports.py gave
# mail i (1 + i % 3), and every policy j its failure details (j + 1 when
# i + j is odd); a count alone could hide one report's loss in another's
half_reports() {
	sql_at "$1" "WITH r AS (SELECT id, CAST(substr(report_id, -5) AS INTEGER) AS i FROM reports)
		SELECT (SELECT count(*) FROM r WHERE
			(SELECT count(*) FROM policies p WHERE p.report = r.id) != 1 + r.i % 3)
		+ (SELECT count(*) FROM policies p JOIN r ON p.report = r.id WHERE
			(SELECT count(*) FROM failure_details f WHERE f.policy = p.id)
			!= CASE (r.i + p.idx) % 2 WHEN 1 THEN p.idx + 1 ELSE 0 END)"
}
no_half_report() {
	n=$(half_reports "$1")
	[ "$n" = 0 ] && return 0
	echo "# $1: $n reports or policies incomplete"
	return 1
}

# import_twice DB DIR: the first import stores what is new, the second
# finds only duplicates; $tmp/import1.out and import2.out keep the lines
import_twice() {
	"$REPORT_BIN" -d "$1" import "$2" >"$tmp/import1.out" 2>"$tmp/import1.err" || return 1
	"$REPORT_BIN" -d "$1" import "$2" >"$tmp/import2.out" 2>"$tmp/import2.err" || return 1
	grep -q '^0 stored, [0-9]* duplicate, 0 invalid' "$tmp/import2.err" || {
		sed 's/^/# /' "$tmp/import2.err"
		return 1
	}
}

# spooled: how many finished files the spool holds
spooled() { ls "$tmp/spool" 2>/dev/null | grep -c '\.eml$'; }

# reload_milter: SIGUSR1 after write_conf, and wait for the log to say so
# (a restart costs libmilter's five-second shutdown poll)
reload_milter() {
	n=$(grep -c 'configuration reloaded' "$tmp/log")
	kill -USR1 "$milter_pid" || return 1
	for _ in $(seq 50); do
		[ "$(grep -c 'configuration reloaded' "$tmp/log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
