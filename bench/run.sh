#!/usr/bin/env bash
# Benchmarks of tlsrpt-report against the floor (bench/floor: gunzip + cJSON
# only) and the baseline (bench/baseline.py: Python standard library), on
# the same generated inputs in one run.  See bench/README.md.
#
# Usage: bench/run.sh [import|grow|summary|metrics|memory|hostile|profile|all]...   (default: all)
# Environment:
#   BUILD=DIR    build directory with aggregator/tlsrpt-report and bench/floor (build)
#   OUT=DIR      inputs, databases and results (bench/out)
#   REPS=N       repetitions per measurement; the median is reported (5)
#   TIMEOUT=S    bound on any single command (300)
#   SIZES="..."  report counts for import throughput ("1000 100000")
#   DB_SIZES="." report counts for summary timing ("10000 100000 1000000")
#   SEED=N       generator seed (1)
#   PLAIN_MAX=N  largest import size for the "as users write it" baseline (10000)
#   GROW_CHUNKS=N  grow: chunks of 100,000 reports imported one after another (10)
#   DETAIL_SCALE=X summary: databases with X times the failure details (1; 2 gives
#                about 10,000,000 details at 1,000,000 reports)
#   BASELINE_RUNS=0  import: leave the Python baseline out
#   PG=0|1       import and summary into PostgreSQL too, a private durable
#                cluster started for the run and removed after (bench/pg.sh;
#                default 1 when PostgreSQL's server is installed)
# Times are medians of wall-clock and of CPU (user + system) time (for
# PostgreSQL: the client's plus the server's processes'); memory
# is the maximum resident set size (GNU time's %M).  hyperfine, when installed, times the import runs too
# (its JSON goes next to the results).  Results: $OUT/results-<date>.txt
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
OUT=${OUT:-$here/out}
REPS=${REPS:-5}
TIMEOUT=${TIMEOUT:-300}
SIZES=${SIZES:-"1000 100000"}
DB_SIZES=${DB_SIZES:-"10000 100000 1000000"}
SEED=${SEED:-1}
PLAIN_MAX=${PLAIN_MAX:-10000}
PY=${PYTHON:-python3}
GROW_CHUNKS=${GROW_CHUNKS:-10}
DETAIL_SCALE=${DETAIL_SCALE:-1}
PG=${PG:-1}
BASELINE_RUNS=${BASELINE_RUNS:-1}

CLI=$BUILD/aggregator/tlsrpt-report
FLOOR=$BUILD/bench/floor
PARSE=$BUILD/bench/parse
GEN="$PY $here/gen-reports.py --seed $SEED"
BASELINE="$PY $here/baseline.py"

mkdir -p "$OUT/in" "$OUT/db" "$OUT/tmp"
RESULTS=$OUT/results-$(date +%Y%m%d-%H%M%S).txt
TSV=$OUT/tmp/rows.tsv
: > "$TSV"

log() { printf '%s\n' "$*" | tee -a "$RESULTS" >&2; }

die() { log "run.sh: $*"; exit 2; }

[ -x "$FLOOR" ] && [ -x "$PARSE" ] ||
	die "no $FLOOR or $PARSE: build first (make -C $BUILD bench/floor bench/parse)"
[ -x /usr/bin/time ] || die "GNU time missing: apt-get install time"

cli_works() {
	local db=$OUT/tmp/probe.db
	rm -f "$db"*
	[ -x "$CLI" ] || return 1
	$GEN --count 3 --mbox "$OUT/tmp/probe.mbox" 2>/dev/null
	timeout 30 "$CLI" -d "$db" import "$OUT/tmp/probe.mbox" >/dev/null 2>&1 && [ -s "$db" ]
}

# measure NAME REPORTS BYTES PREPARE CMD...: run CMD $REPS times after
# PREPARE (untimed), record the median wall time, the median CPU time
# (user + system: less disturbed than wall time when the machine is shared)
# and the largest max RSS.
measure() {
	local name=$1 reports=$2 bytes=$3 prepare=$4
	shift 4
	local times=() cpus=() rss=0 i t0 t1 rc status=ok m u s c0 c1
	for ((i = 0; i < REPS; i++)); do
		eval "$prepare"
		c0=$(server_cpu)
		t0=$(date +%s%N)
		/usr/bin/time -f '%M %U %S' -o "$OUT/tmp/time" timeout "$TIMEOUT" "$@" \
			>/dev/null 2>"$OUT/tmp/stderr"
		rc=$?
		t1=$(date +%s%N)
		c1=$(server_cpu)
		if [ "$rc" -eq 124 ]; then status=timeout; break; fi
		# import exits 1 when some report was invalid: still timed, but said.
		if [ "$rc" -ne 0 ]; then status="exit$rc"; fi
		times+=($(( (t1 - t0) / 1000 )))
		read -r m u s < <(tail -n 1 "$OUT/tmp/time")
		# the server's CPU (clock ticks) counts with the client's
		cpus+=($(awk -v u="$u" -v s="$s" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
			'BEGIN {printf "%d", (u + s + c / hz) * 1e6}'))
		[ "${m:-0}" -gt "$rss" ] 2>/dev/null && rss=$m
	done
	if [ "${#times[@]}" -eq 0 ]; then
		log "$(printf '%-28s %9s  %s' "$name" "$reports" "$status")"
		printf '%s\t%s\t-\t-\t-\t-\t%s\t-\n' "$name" "$reports" "$status" >> "$TSV"
		return
	fi
	local med cpu
	med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	local line
	line=$(awk -v n="$name" -v r="$reports" -v b="$bytes" -v us="$med" -v cpu="$cpu" -v rss="$rss" \
		-v st="$status" -v runs="${#times[@]}" 'BEGIN {
		s = us / 1e6
		printf "%-24s %7d  wall %8.3f s  cpu %8.3f s  %8.0f reports/s  %6.1f MB/s  maxrss %6.1f MB  (%d runs, %s)",
			n, r, s, cpu / 1e6, r / s, b / 1e6 / s, rss / 1024, runs, st }')
	log "$line"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$reports" "$med" "$bytes" "$rss" \
		"${#times[@]}" "$status" "$cpu" >> "$TSV"
}

# ratio A B N: how many times slower A is than B for N reports, by median
# wall time and by median CPU time.
ratio() {
	awk -F'\t' -v a="$1" -v b="$2" -v n="$3" '
		$1 == a && $2 == n && $3 != "-" { ta = $3; ca = $8 }
		$1 == b && $2 == n && $3 != "-" { tb = $3; cb = $8 }
		END { if (ta && tb) {
			# GNU time counts CPU in 10 ms steps: too coarse below a second.
			c = cb >= 1e6 ? sprintf("cpu %6.2fx", ca / cb) : "cpu (too short)"
			printf "%-22s / %-16s %7d reports: wall %6.2fx  %s\n", a, b, n, ta / tb, c }
		      else printf "%-22s / %-16s %7d reports: not measured\n", a, b, n }' "$TSV" |
		tee -a "$RESULTS" >&2
}

# ---- PostgreSQL: a private cluster for the run (bench/pg.sh) ----

PG_DIR=$OUT/pg
PG_URI=
SERVER_CPU_OF=

# The server's CPU so far (clock ticks) while SERVER_CPU_OF names a
# cluster, else 0: measure() adds it to the client's.
server_cpu() {
	if [ -n "$SERVER_CPU_OF" ]; then "$here/pg.sh" cpu "$SERVER_CPU_OF"; else echo 0; fi
}

# Start the cluster once, when PG=1 and PostgreSQL's server is installed.
pg_up() {
	[ "$PG" = 1 ] || return 1
	[ -n "$PG_URI" ] && return 0
	rm -rf "$PG_DIR"
	PG_URI=$("$here/pg.sh" start "$PG_DIR" 2>"$OUT/tmp/pg.err") || {
		log "PostgreSQL: not measured ($(tail -1 "$OUT/tmp/pg.err"))"
		PG=0; PG_URI=; return 1
	}
	trap '"$here/pg.sh" stop "$PG_DIR"' EXIT
	log "# PostgreSQL $(psql "$PG_URI" -Atc 'SHOW server_version'): private cluster in $PG_DIR," \
		"$(psql "$PG_URI" -Atc "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
			WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_level')")"
	return 0
}

# The URI of database NAME in the cluster (created when missing).
pg_db_uri() {
	psql "$PG_URI" -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 ||
		psql "$PG_URI" -qc "CREATE DATABASE $1" >/dev/null
	printf '%s\n' "$PG_URI" | sed "s|^postgresql:///[^?]*|postgresql:///$1|"
}

# Empty database NAME's schema (before each import run; untimed).
pg_empty() {
	psql "$(pg_db_uri "$1")" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1
}

# A PostgreSQL copy of SQLite database $1 (make_db's, the same reports) as
# database $2, for the summaries: the schema made by tlsrpt-report, every
# table copied as CSV but the reports' raw JSON (no summary reads it;
# NULL there), identities set after the ids copied.  Prints its URI.
pg_copy_db() {
	local src=$1 name=$2 uri t cols
	uri=$(pg_db_uri "$name")
	if [ "$(psql "$uri" -Atc "SELECT count(*) FROM reports" 2>/dev/null)" = \
	     "$(sqlite3 "$src" "SELECT count(*) FROM reports")" ]; then
		echo "$uri"; return
	fi
	pg_empty "$name"
	: > "$OUT/tmp/empty.mbox"
	"$CLI" -d "$uri" import "$OUT/tmp/empty.mbox" >/dev/null 2>&1 || return 1
	for t in reports policies failure_details $(psql "$uri" -Atc "SELECT tablename FROM pg_tables
			WHERE schemaname = 'public' AND (tablename LIKE 'rollup%' OR tablename LIKE 'fold%') ORDER BY 1"); do
		cols=$(psql "$uri" -Atc "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
			FROM information_schema.columns WHERE table_name = '$t' AND table_schema = 'public'")
		sqlite3 -csv "$src" "SELECT ${cols/raw_json,/NULL,} FROM $t" |
			psql "$uri" -qc "\\copy $t ($cols) FROM STDIN CSV" >/dev/null || return 1
	done
	for t in reports policies failure_details; do
		psql "$uri" -qAtc "SELECT setval(pg_get_serial_sequence('$t', 'id'), COALESCE(max(id), 0) + 1, false) FROM $t" >/dev/null
	done
	psql "$uri" -qc "VACUUM ANALYZE" >/dev/null
	echo "$uri"
}

inputs() {
	local n=$1
	[ -s "$OUT/in/mbox-$n.mbox" ] || $GEN --count "$n" --mbox "$OUT/in/mbox-$n.mbox"
	[ -d "$OUT/in/json-$n" ] || $GEN --count "$n" --format json.gz --out "$OUT/in/json-$n"
}

machine() {
	log "# tlsrpt-milter benchmarks $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	log "# commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	log "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
	log "# memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	log "# kernel: $(uname -sr); $("$PY" --version 2>&1); sqlite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
	log "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews wall times; Ir counts do not move)"
	log "# REPS=$REPS TIMEOUT=$TIMEOUT SEED=$SEED"
}

bench_import() {
	log ""
	log "## Import throughput (same reports: mbox for importers, json.gz for the floor)"
	local have_cli=0 n bytes jbytes db=$OUT/tmp/import.db
	cli_works && have_cli=1
	[ "$have_cli" = 1 ] || log "tlsrpt-report import: not available in $BUILD (not yet measured)"
	for n in $SIZES; do
		inputs "$n"
		bytes=$(stat -c %s "$OUT/in/mbox-$n.mbox")
		jbytes=$(du -sb "$OUT/in/json-$n" | cut -f1)
		local reps_saved=$REPS
		measure floor "$n" "$jbytes" ":" "$FLOOR" "$OUT/in/json-$n"
		measure floor-mime "$n" "$bytes" ":" "$FLOOR" -m "$OUT/in/mbox-$n.mbox"
		measure parse-no-store "$n" "$bytes" ":" "$PARSE" "$OUT/in/mbox-$n.mbox"
		if [ "$have_cli" = 1 ]; then
			measure tlsrpt-report-import "$n" "$bytes" "rm -f $db $db-wal $db-shm" \
				"$CLI" -d "$db" import "$OUT/in/mbox-$n.mbox"
			# the same in one thread: parsing and storing no longer overlap
			measure import-one-thread "$n" "$bytes" "rm -f $db $db-wal $db-shm" \
				env TLSRPT_IMPORT_THREADS=1 "$CLI" -d "$db" import "$OUT/in/mbox-$n.mbox"
			if pg_up; then
				SERVER_CPU_OF=$PG_DIR
				measure import-postgres "$n" "$bytes" "pg_empty import" \
					"$CLI" -d "$(pg_db_uri import)" import "$OUT/in/mbox-$n.mbox"
				SERVER_CPU_OF=
			fi
		fi
		# The baseline is slow: three runs are enough for its median at scale.
		[ "$n" -ge 100000 ] && [ "$REPS" -gt 3 ] && REPS=3
		[ "$BASELINE_RUNS" = 1 ] &&
		measure baseline-python "$n" "$bytes" "rm -f $db $db-wal $db-shm" \
			$BASELINE -d "$db" --no-summary "$OUT/in/mbox-$n.mbox"
		REPS=$reps_saved
		# As users write it (SQLite's defaults: rollback journal,
		# synchronous=FULL, a commit per report): fsync-bound, about 6 ms
		# a report here, so only up to PLAIN_MAX reports within TIMEOUT.
		if [ "$n" -le "$PLAIN_MAX" ] && [ "$BASELINE_RUNS" = 1 ]; then
			measure baseline-python-as-users "$n" "$bytes" "rm -f $db $db-wal $db-shm $db-journal" \
				$BASELINE -d "$db" --no-summary --as-users-write-it "$OUT/in/mbox-$n.mbox"
		fi
		if [ "$have_cli" = 1 ] && command -v hyperfine >/dev/null; then
			hyperfine -N --runs "$REPS" --prepare "rm -f $db $db-wal $db-shm" \
				--export-json "$OUT/hyperfine-import-$n.json" \
				"$FLOOR $OUT/in/json-$n" "$CLI -d $db import $OUT/in/mbox-$n.mbox" \
				2>&1 | tee -a "$RESULTS" >&2
		fi
	done
	log ""
	log "## Ratios (medians; how many times slower the first named is)"
	for n in $SIZES; do
		ratio tlsrpt-report-import floor "$n"
		[ "$PG" = 1 ] && ratio import-postgres tlsrpt-report-import "$n"
		ratio tlsrpt-report-import floor-mime "$n"
		ratio tlsrpt-report-import parse-no-store "$n"
		ratio import-one-thread floor-mime "$n"
		ratio parse-no-store floor-mime "$n"
		ratio baseline-python tlsrpt-report-import "$n"
		ratio baseline-python import-one-thread "$n"
		ratio baseline-python floor "$n"
		[ "$n" -le "$PLAIN_MAX" ] && ratio baseline-python-as-users tlsrpt-report-import "$n"
	done
}

# Import speed against the size of the database imported into: chunks of
# 100,000 generated reports (days never overlapping) imported one after
# another into one database, each timed once.  "written" is what the
# importer wrote (getrusage's blocks out: WAL, checkpoints, database).
bench_grow() {
	log ""
	log "## Import into a growing database (chunks of 100,000 reports, one run each)"
	if ! cli_works; then
		log "tlsrpt-report: not available in $BUILD (grow not yet measured)"
		return
	fi
	local db=$OUT/tmp/grow.db m=$OUT/tmp/grow.mbox k have e u s rss blocks
	rm -f "$db"*
	for ((k = 0; k < GROW_CHUNKS; k++)); do
		$GEN --count 100000 --first-day $(( k * 1000 )) --mbox "$m" 2>/dev/null
		have=$(( k * 100000 ))
		/usr/bin/time -f '%e %U %S %M %O' -o "$OUT/tmp/time" timeout "$TIMEOUT" \
			"$CLI" -d "$db" import "$m" >/dev/null 2>"$OUT/tmp/stderr"
		read -r e u s rss blocks < <(tail -n 1 "$OUT/tmp/time")
		log "$(awk -v h="$have" -v e="$e" -v u="$u" -v s="$s" -v rss="$rss" -v b="$blocks" 'BEGIN {
			printf "into %8d reports: wall %7.2f s  cpu %7.2f s  %7.0f reports/s  written %6.0f MB  maxrss %6.1f MB",
				h, e, u + s, 100000 / e, b * 512 / 1e6, rss / 1024 }')"
	done
	rm -f "$m" "$db"*
}

# A database of n reports, built by importing chunks of at most 100,000
# generated reports whose days never overlap (so none is a duplicate).
make_db() {
	local n=$1 db=$OUT/db/reports-$n.db left chunk k=0
	[ "$DETAIL_SCALE" = 1 ] || db=$OUT/db/reports-$n-x$DETAIL_SCALE.db
	if [ -s "$db" ]; then
		# a database kept from an older build: opening it read-write once
		# migrates it (summary alone opens it read-only)
		: > "$OUT/tmp/empty.mbox"
		timeout "$TIMEOUT" "$CLI" -d "$db" import "$OUT/tmp/empty.mbox" >/dev/null 2>&1
		echo "$db"; return
	fi
	rm -f "$db"*
	left=$n
	while [ "$left" -gt 0 ]; do
		chunk=$(( left > 100000 ? 100000 : left ))
		$GEN --count "$chunk" --first-day $(( k * 1000 )) --failure-scale "$DETAIL_SCALE" \
			--mbox "$OUT/tmp/chunk.mbox" 2>/dev/null
		timeout "$TIMEOUT" "$CLI" -d "$db.tmp" import "$OUT/tmp/chunk.mbox" >/dev/null 2>&1
		local rc=$?
		if [ "$rc" -gt 1 ]; then
			log "make_db $n: import failed (exit $rc)"; rm -f "$db.tmp"*; return 1
		fi
		left=$(( left - chunk ))
		k=$(( k + 1 ))
	done
	rm -f "$OUT/tmp/chunk.mbox"
	# Checkpoint the WAL so the timed summaries start from one file.
	sqlite3 "$db.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1
	mv "$db.tmp" "$db"
	rm -f "$db.tmp-wal" "$db.tmp-shm"
	echo "$db"
}

bench_summary() {
	log ""
	log "## summary time by database size"
	if ! cli_works; then
		log "tlsrpt-report: not available in $BUILD (summary not yet measured)"
		return
	fi
	local n db
	for n in $DB_SIZES; do
		db=$(make_db "$n") || continue
		log "# $db: $(sqlite3 "$db" "SELECT (SELECT COUNT(*) FROM reports) || ' reports, ' || (SELECT COUNT(*) FROM failure_details) || ' failure details'" 2>/dev/null || echo 'counts unknown (schema)')"
		measure summary "$n" "$(stat -c %s "$db")" ":" "$CLI" -d "$db" summary
		measure summary-by-result-type "$n" "$(stat -c %s "$db")" ":" \
			"$CLI" -d "$db" summary --by result-type
		measure summary-by-policy-domain "$n" "$(stat -c %s "$db")" ":" \
			"$CLI" -d "$db" summary --by policy-domain
		measure summary-by-receiving-mx "$n" "$(stat -c %s "$db")" ":" \
			"$CLI" -d "$db" summary --by receiving-mx
		# every policy, the superseded ones too (schema 11: rollups of its own)
		measure summary-by-policy-type "$n" "$(stat -c %s "$db")" ":" \
			"$CLI" -d "$db" summary --by policy-type
		# no rollup: one pass over every failure detail (lib/tally.c)
		measure summary-by-sending-ip "$n" "$(stat -c %s "$db")" ":" \
			"$CLI" -d "$db" summary --by sending-ip
		pg_up || continue
		local uri by
		uri=$(pg_copy_db "$db" "reports_$n") || { log "PostgreSQL copy of $db failed"; continue; }
		SERVER_CPU_OF=$PG_DIR
		measure summary-postgres "$n" 0 ":" "$CLI" -d "$uri" summary
		for by in result-type policy-domain receiving-mx sending-ip; do
			measure "summary-pg-by-$by" "$n" 0 ":" "$CLI" -d "$uri" summary --by "$by"
		done
		SERVER_CPU_OF=
	done
}

# tlsrpt-report metrics (a Prometheus scrape of the database through the
# textfile collector) on the same databases, with the clock set to the day
# after the newest report so that its windows (24 hours, and 31 days for
# the reporters' dates) hold what a live database's would.
bench_metrics() {
	log ""
	log "## metrics time by database size"
	if ! cli_works; then
		log "tlsrpt-report: not available in $BUILD (metrics not yet measured)"
		return
	fi
	local n db newest
	for n in $DB_SIZES; do
		db=$(make_db "$n") || continue
		newest=$(sqlite3 "$db" "SELECT MAX(start_time) FROM reports" 2>/dev/null)
		[ -n "$newest" ] || { log "metrics $n: cannot read $db"; continue; }
		log "# $db: clock at $(date -u -d @$((newest + 86400)) +%FT%TZ), $(sqlite3 "$db" "SELECT COUNT(*) FROM reports WHERE start_time >= $newest - 86400") reports in the last day"
		measure metrics "$n" "$(stat -c %s "$db")" ":" \
			env TLSRPT_NOW=$((newest + 86400)) "$CLI" -d "$db" metrics
		measure metrics-7d "$n" "$(stat -c %s "$db")" ":" \
			env TLSRPT_NOW=$((newest + 86400)) "$CLI" -d "$db" metrics --since 7d
	done
}

# Peak memory against report size: one mbox of 20 reports, each with F
# failure details, for the importer and the floor.
bench_memory() {
	log ""
	log "## Peak memory (max RSS) against report size (20 reports, F failure details each)"
	log "# the floor holds one report at a time (json.gz files); the importer reads the mbox"
	local have_cli=0 f m db=$OUT/tmp/mem.db
	cli_works && have_cli=1
	[ "$have_cli" = 1 ] || log "tlsrpt-report import: not available (memory not yet measured)"
	local reps_saved=$REPS
	REPS=1
	for f in 0 10 100 1000 5000 20000; do
		m=$OUT/in/size-$f.mbox
		[ -s "$m" ] || $GEN --count 20 --failures "$f" --mbox "$m" 2>/dev/null
		[ -d "$OUT/in/size-$f" ] ||
			$GEN --count 20 --failures "$f" --format json.gz --out "$OUT/in/size-$f" 2>/dev/null
		local jbytes
		jbytes=$($FLOOR "$OUT/in/size-$f" | sed -n 's/.* \([0-9]*\) bytes JSON.*/\1/p')
		log "# F=$f: $(( jbytes / 20 )) bytes of JSON per report on average"
		measure "floor F=$f" 20 "$(du -sb "$OUT/in/size-$f" | cut -f1)" ":" "$FLOOR" "$OUT/in/size-$f"
		if [ "$have_cli" = 1 ]; then
			measure "import F=$f" 20 "$(stat -c %s "$m")" "rm -f $db $db-wal $db-shm" \
				"$CLI" -d "$db" import "$m"
		fi
	done
	REPS=$reps_saved
}

# The per-message peak for hostile mail (docs/LIMITS.md, "Memory"): one
# import per mail of bench/hostile-mails.py; tests/test_pipeline.c asserts
# the same cases' bounds, this records the figures.
bench_hostile() {
	log ""
	log "## Peak memory of one hostile mail (tlsrpt-report import, whole process)"
	cli_works || { log "tlsrpt-report import: not available"; return; }
	local f db=$OUT/tmp/hostile.db reps_saved=$REPS
	$PY "$here/hostile-mails.py" "$OUT/in/hostile"
	REPS=1
	for f in "$OUT"/in/hostile/*.eml; do
		measure "hostile $(basename "$f" .eml)" 1 "$(stat -c %s "$f")" \
			"rm -f $db $db-wal $db-shm" "$CLI" -d "$db" import "$f"
	done
	REPS=$reps_saved
}

# Instruction counts are repeatable where wall time is not: callgrind's
# total Ir for the floor and the importer over the same 1,000 reports.
bench_profile() {
	log ""
	log "## callgrind instruction counts (1,000 reports)"
	command -v valgrind >/dev/null || { log "valgrind missing: apt-get install valgrind"; return; }
	inputs 1000
	local db=$OUT/tmp/profile.db ir
	valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.floor" \
		"$FLOOR" "$OUT/in/json-1000" >/dev/null 2>"$OUT/tmp/vg"
	ir=$(sed -n 's/.*Collected : \([0-9]*\)/\1/p' "$OUT/tmp/vg")
	log "floor (json.gz)        Ir $ir"
	printf 'Ir-floor\t1000\t%s\n' "$ir" >> "$TSV"
	valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.floor-mime" \
		"$FLOOR" -m "$OUT/in/mbox-1000.mbox" >/dev/null 2>"$OUT/tmp/vg"
	log "floor -m (mbox)        Ir $(sed -n 's/.*Collected : \([0-9]*\)/\1/p' "$OUT/tmp/vg")"
	valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.parse" \
		"$PARSE" "$OUT/in/mbox-1000.mbox" >/dev/null 2>"$OUT/tmp/vg"
	local irp
	irp=$(sed -n 's/.*Collected : \([0-9]*\)/\1/p' "$OUT/tmp/vg")
	log "parse (no store)       Ir $irp  ($(awk -v a="$irp" -v b="$ir" 'BEGIN {printf "%.2fx floor", a / b}'))"
	if cli_works; then
		rm -f "$db"*
		valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.import" \
			"$CLI" -d "$db" import "$OUT/in/mbox-1000.mbox" >/dev/null 2>"$OUT/tmp/vg"
		local iri
		iri=$(sed -n 's/.*Collected : \([0-9]*\)/\1/p' "$OUT/tmp/vg")
		log "tlsrpt-report import   Ir $iri  ($(awk -v a="$iri" -v b="$ir" 'BEGIN {printf "%.2fx floor", a / b}'))"
		log "hot spots: callgrind_annotate $OUT/callgrind.import | head -40"
	else
		log "tlsrpt-report import   not yet measured"
	fi
}

# Everything runs from one function, parsed whole before it starts, so
# that editing this file during a long run cannot derail that run.
main() {
	machine
	[ $# -eq 0 ] && set -- all
	local what
	for what in "$@"; do
		case $what in
		import) bench_import ;;
		grow) bench_grow ;;
		summary) bench_summary ;;
		metrics) bench_metrics ;;
		memory) bench_memory ;;
		hostile) bench_hostile ;;
		profile) bench_profile ;;
		all) bench_import; bench_grow; bench_summary; bench_metrics; bench_memory; bench_hostile; bench_profile ;;
		*) die "unknown benchmark: $what (import|grow|summary|metrics|memory|hostile|profile|all)" ;;
		esac
	done
	log ""
	log "# results: $RESULTS"
}

main "$@"
exit
