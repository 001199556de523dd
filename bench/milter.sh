#!/usr/bin/env bash
# The milter's own cost: a private Postfix on loopback
# (scripts/postfix-sandbox) receives generated report mails from K
# concurrent SMTP clients (bench/smtp-blast.py) and delivers them to a
# Maildir, in three set-ups, interleaved so that the machine's load falls
# on all of them alike:
#   none     no milter
#   null     bench/null-milter: libmilter with tlsrpt-milter's protocol
#            shape doing nothing but add a header (the floor of any such filter)
#   nullnh   the same adding no header
#   milter   tlsrpt-milter on every mail (Recipients matches): stores each
#            report into SQLite and adds TLS-Report-Status
#   skip     the milter, but the mail is for another recipient: accepted
#            at DATA, headers and body never sent to it
# and the milter's peak memory (VmHWM) against message count and report
# size.  See bench/README.md; needs root (a private Postfix) and a build.
#
# Usage: bench/milter.sh [throughput|memory|all]...   (default: all)
# Environment:
#   BUILD=DIR     build directory with milter/tlsrpt-milter (build)
#   MILTER=PATH   the milter binary instead (A/B comparisons of builds)
#   SETUPS=""     which set-ups, in order ("none null milter skip")
#   OUT=DIR       inputs and results (bench/out)
#   REPS=N        repetitions; medians are reported (3)
#   COUNT=N       timed messages per throughput run (2000)
#   WARMUP=N      untimed messages first, to start smtpd processes (100)
#   CLIENTS=K     concurrent SMTP clients (8)
#   PER_CONN=M    messages per SMTP connection (1: one report per connection)
#   MEM_COUNTS="" message counts for peak memory ("500 5000")
#   MEM_SIZES=""  failure details per report for peak memory ("0 1000 20000")
#   MEM_MAILS=N   messages per report-size run (40)
#   TIMEOUT=S     bound on one run (170)
#   SEED=N        generator seed (1)
#   START_DB=PATH the milter set-ups start from a copy of this database
#                 instead of an empty one (its cost against a large store;
#                 use a SEED and OUT of their own so no mail is a duplicate)
# The milter logs at LogLevel debug in the "milter" set-up (its per-message
# "eom: ... ms" line gives the latency percentiles) and at info otherwise.
# Results: $OUT/milter-<date>.txt
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
OUT=${OUT:-$here/out}
REPS=${REPS:-3}
COUNT=${COUNT:-2000}
WARMUP=${WARMUP:-100}
CLIENTS=${CLIENTS:-8}
PER_CONN=${PER_CONN:-1}
MEM_COUNTS=${MEM_COUNTS:-"500 5000"}
MEM_SIZES=${MEM_SIZES:-"0 1000 20000"}
MEM_MAILS=${MEM_MAILS:-40}
TIMEOUT=${TIMEOUT:-170}
SEED=${SEED:-1}
PY=${PYTHON:-python3}

MILTER=${MILTER:-$BUILD/milter/tlsrpt-milter}
NULL_MILTER=${NULL_MILTER:-$BUILD/bench/null-milter}
SETUPS=${SETUPS:-none null milter skip}
SANDBOX=$top/scripts/postfix-sandbox
BLAST="$PY $here/smtp-blast.py"
GEN="$PY $here/gen-reports.py --seed $SEED"

mkdir -p "$OUT/in" "$OUT/tmp"
RESULTS=$OUT/milter-$(date +%Y%m%d-%H%M%S).txt
TSV=$OUT/tmp/milter-rows.tsv
: > "$TSV"
run_dir=
milter_pid=

log() { printf '%s\n' "$*" | tee -a "$RESULTS" >&2; }

die() { log "milter.sh: $*"; exit 2; }

[ -x "$MILTER" ] || die "no $MILTER: build first"
[ "$(id -u)" -eq 0 ] || die "needs root for the private Postfix"
PATH=$PATH:/usr/sbin:/sbin
command -v postfix >/dev/null || die "postfix is not installed"

# The sandbox lives under /tmp: Postfix's processes (postfix, nobody)
# must reach the milter socket and the Maildir.
new_run_dir() {
	run_dir=$(mktemp -d /tmp/tlsrpt-milterbench.XXXXXX) || die "mktemp failed"
	chmod 755 "$run_dir"
}

stop_all() {
	[ -n "$run_dir" ] && "$SANDBOX" stop "$run_dir"
	if [ -n "$milter_pid" ]; then
		kill -TERM "$milter_pid" 2>/dev/null
		wait "$milter_pid" 2>/dev/null
	fi
	milter_pid=
	[ -n "$run_dir" ] && [ -z "${KEEP:-}" ] && rm -rf "$run_dir"
	run_dir=
}
trap 'stop_all' EXIT
trap 'exit 1' INT TERM

wait_socket() {
	local i=0
	while [ ! -S "$run_dir/milter.sock" ] && [ $i -lt 100 ]; do
		kill -0 "$milter_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$run_dir/milter.sock" ] || die "milter did not start: $(tail -3 "$run_dir/milter.log")"
}

# start_null_milter [-n]
start_null_milter() {
	[ -x "$NULL_MILTER" ] || die "no $NULL_MILTER: build first"
	"$NULL_MILTER" "$@" "unix:$run_dir/milter.sock" 2>"$run_dir/milter.log" &
	milter_pid=$!
	wait_socket
	chmod 666 "$run_dir/milter.sock"
}

# start_milter LEVEL: the milter in the foreground on $run_dir/milter.sock
start_milter() {
	cat > "$run_dir/milter.conf" <<-EOF
	Socket unix:$run_dir/milter.sock
	SocketMode 0666
	Database $run_dir/tlsrpt.db
	LogLevel $1
	Recipients tlsrpt@example.com
	EOF
	# builds since AllowRoot refuse root without it; older ones know no such key
	if "$MILTER" -h 2>&1 | grep -q allow-root; then
		echo "AllowRoot yes" >>"$run_dir/milter.conf"
	fi
	"$MILTER" -f -c "$run_dir/milter.conf" 2>"$run_dir/milter.log" &
	milter_pid=$!
	wait_socket
}

# CPU seconds used so far by pid's process (all threads), and with
# kids=1 also by its children that have exited and been waited for.
cpu_s() {
	local f
	f=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	awk -v kids="${2:-0}" -v hz="$(getconf CLK_TCK)" '{
		t = $12 + $13; if (kids) t += $14 + $15; printf "%.2f", t / hz }' <<<"$f"
}

# CPU seconds of the whole Postfix instance: the master, the CPU of its
# exited daemons (smtpd exits after max_use connections; master waits
# for it), and the daemons still running.
postfix_cpu_s() {
	local master total pid
	master=$(tr -d ' ' < "$run_dir/queue/pid/master.pid" 2>/dev/null)
	[ -n "$master" ] || { echo 0; return; }
	total=$(cpu_s "$master" 1)
	for pid in $(pgrep -P "$master"); do
		total=$(awk -v a="$total" -v b="$(cpu_s "$pid")" 'BEGIN {printf "%.2f", a + b}')
	done
	echo "$total"
}

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

inputs() {
	local n=$1 f=${2:-} dir
	if [ -n "$f" ]; then dir=$OUT/in/eml-$n-f$f; else dir=$OUT/in/eml-$n; fi
	if [ ! -d "$dir" ]; then
		if [ -n "$f" ]; then
			$GEN --count "$n" --failures "$f" --format eml --out "$dir" 2>/dev/null
		else
			$GEN --count "$n" --format eml --out "$dir" 2>/dev/null
		fi
	fi
	echo "$dir"
}

# run_once SETUP DIR N RCPT: one Postfix (and milter) from scratch; appends
# "setup msgs/s hwm_kB" to the TSV and the milter's eom times to
# $OUT/tmp/eom-SETUP.txt.
run_once() {
	local setup=$1 dir=$2 n=$3 rcpt=$4 milter="" port line hwm=0 level=info had=0
	new_run_dir
	if [ "$setup" = null ] || [ "$setup" = nullnh ]; then
		if [ "$setup" = null ]; then start_null_milter; else start_null_milter -n; fi
		milter=unix:$run_dir/milter.sock
	elif [ "$setup" != none ]; then
		[ "$setup" = milter ] && level=debug
		if [ -n "${START_DB:-}" ]; then
			cp "$START_DB" "$run_dir/tlsrpt.db" || die "cannot copy $START_DB"
			had=$(sqlite3 "$run_dir/tlsrpt.db" 'SELECT count(*) FROM reports')
		fi
		start_milter "$level"
		milter=unix:$run_dir/milter.sock
	fi
	port=$(SMTPD_PROCESSES=${SMTPD_PROCESSES:-} "$SANDBOX" up "$run_dir" "$milter") ||
		die "postfix-sandbox start failed"
	line=$($BLAST --port "$port" --rcpt "$rcpt" --clients "$CLIENTS" \
			--per-connection "$PER_CONN" --warmup "$WARMUP" --timeout "$TIMEOUT" \
			--maildir "$run_dir/mail/maildir" --count "$n" "$dir" 2>"$OUT/tmp/blast.err")
	local rc=$?
	local pf_cpu m_cpu=0
	pf_cpu=$(postfix_cpu_s)
	if [ -n "$milter_pid" ]; then
		hwm=$(hwm_kb "$milter_pid")
		m_cpu=$(cpu_s "$milter_pid")
	fi
	if [ "$setup" = milter ]; then
		# only the timed messages: the warm-up's are the first WARMUP lines
		sed -n 's/.*: eom: [0-9]* reports in \([0-9.]*\) ms.*/\1/p' "$run_dir/milter.log" |
			tail -n +$((WARMUP + 1)) >> "$OUT/tmp/eom-$setup.txt"
		local stored
		stored=$(sqlite3 "$run_dir/tlsrpt.db" 'SELECT count(*) FROM reports' 2>/dev/null)
		stored=$(( ${stored:-0} - had ))
		[ "$stored" -eq "$n" ] || log "# $setup: $stored of $n reports stored"
	fi
	stop_all
	[ "$rc" -eq 0 ] || log "# $setup: smtp-blast failed: $line $(head -3 "$OUT/tmp/blast.err")"
	# CPU per message covers the warm-up too: the counters run from start
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$setup" \
		"$(sed -n 's/.*msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$line")" "$hwm" "$rep" \
		"$(awk -v c="$pf_cpu" -v n="$n" 'BEGIN {printf "%.1f", c * 1e6 / n}')" \
		"$(awk -v c="$m_cpu" -v n="$n" 'BEGIN {printf "%.1f", c * 1e6 / n}')" >> "$TSV"
	log "$(printf '%-8s %s  cpu postfix %s s milter %s s  VmHWM %s kB' "$setup" "$line" \
		"$pf_cpu" "$m_cpu" "$hwm")"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

# percentile P: the P-th percentile (nearest rank) of the numbers on stdin
percentile() {
	sort -n | awk -v p="$1" '{a[NR]=$1} END {
		if (!NR) { print "-"; exit }
		k = int(NR * p / 100 + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR; print a[k] }'
}

machine() {
	log "# tlsrpt-milter loopback Postfix benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	log "# commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	log "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
	log "# kernel: $(uname -sr); postfix $(postconf -dh mail_version 2>/dev/null); $("$PY" --version 2>&1)"
	log "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	log "# REPS=$REPS COUNT=$COUNT WARMUP=$WARMUP CLIENTS=$CLIENTS PER_CONN=$PER_CONN SEED=$SEED"
}

bench_throughput() {
	local total=$((COUNT + WARMUP)) dir r s
	dir=$(inputs "$total")
	rm -f "$OUT/tmp/eom-milter.txt"
	log ""
	log "## Throughput: $COUNT report mails (after $WARMUP untimed), $CLIENTS clients"
	for ((rep = 0; rep < REPS; rep++)); do
		for s in $SETUPS; do
			case $s in
			skip) run_once skip "$dir" "$total" someone@example.com ;;
			none | null | nullnh | milter) run_once "$s" "$dir" "$total" tlsrpt@example.com ;;
			*) die "unknown set-up: $s (none|null|nullnh|milter|skip)" ;;
			esac
		done
	done
	log ""
	log "## Medians of $REPS runs (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
	log "# ratio: median over repetitions of (set-up msgs/s / none msgs/s in the same repetition)"
	log "# cpu/msg: Postfix's and the milter's CPU per message (warm-up included)"
	local m ratio pcpu mcpu
	for s in $SETUPS; do
		m=$(awk -F'\t' -v s="$s" '$1 == s {print $2}' "$TSV" | median)
		ratio=$(awk -F'\t' -v s="$s" '$1 == "none" {b[$4] = $2} $1 == s {m[$4] = $2}
			END {for (r in m) if (b[r] > 0) print m[r] / b[r]}' "$TSV" | median)
		pcpu=$(awk -F'\t' -v s="$s" '$1 == s {print $5}' "$TSV" | median)
		mcpu=$(awk -F'\t' -v s="$s" '$1 == s {print $6}' "$TSV" | median)
		log "$(awk -v s="$s" -v m="$m" -v r="$ratio" -v p="$pcpu" -v c="$mcpu" 'BEGIN {
			printf "%-8s %8.1f msgs/s  ratio %5.3f (cost %5.1f %%)  cpu/msg postfix %6.0f us  milter %5.0f us",
				s, m, r, 100 - 100 * r, p, c }')"
	done
	local base_cpu
	base_cpu=$(awk -F'\t' '$1 == "none" {print $5}' "$TSV" | median)
	for s in $SETUPS; do
		[ "$s" = none ] && continue
		log "$(awk -F'\t' -v s="$s" -v b="$base_cpu" '$1 == s {print ($5 + $6) / b}' "$TSV" | median |
			awk -v s="$s" '{printf "cpu per message, %s / none (Postfix + milter): %.3f", s, $1}')"
	done
	local f=$OUT/tmp/eom-milter.txt
	if [ -s "$f" ]; then
		log "milter eom latency over $(wc -l < "$f") messages: p50 $(percentile 50 < "$f") ms" \
			" p90 $(percentile 90 < "$f") ms  p99 $(percentile 99 < "$f") ms  max $(percentile 100 < "$f") ms"
	fi
}

# mem_run LABEL DIR N: the milter's VmHWM after N messages of DIR
mem_run() {
	local label=$1 dir=$2 n=$3 port line hwm
	new_run_dir
	start_milter info
	port=$("$SANDBOX" up "$run_dir" "unix:$run_dir/milter.sock") || die "postfix-sandbox start failed"
	line=$($BLAST --port "$port" --clients "$CLIENTS" --per-connection "$PER_CONN" \
			--timeout "$TIMEOUT" --maildir "$run_dir/mail/maildir" --count "$n" "$dir" \
			2>"$OUT/tmp/blast.err")
	[ $? -eq 0 ] || log "# $label: smtp-blast failed: $line $(head -3 "$OUT/tmp/blast.err")"
	hwm=$(hwm_kb "$milter_pid")
	stop_all
	log "$(printf '%-28s VmHWM %7.1f MB  (%s)' "$label" "$(awk -v k="$hwm" 'BEGIN {print k / 1024}')" "$line")"
}

bench_memory() {
	local n f dir biggest
	log ""
	log "## Milter peak memory (VmHWM) against message count ($CLIENTS clients)"
	biggest=$(printf '%s\n' $MEM_COUNTS | sort -n | tail -n 1)
	dir=$(inputs "$biggest")
	for n in $MEM_COUNTS; do
		mem_run "messages=$n" "$dir" "$n"
	done
	log ""
	log "## Milter peak memory against report size ($MEM_MAILS mails, F failure details each)"
	for f in $MEM_SIZES; do
		dir=$(inputs "$MEM_MAILS" "$f")
		log "# F=$f: largest mail $(find "$dir" -name '*.eml' -printf '%s\n' | sort -n | tail -n 1) bytes"
		mem_run "F=$f" "$dir" "$MEM_MAILS"
	done
}

main() {
	machine
	[ $# -eq 0 ] && set -- all
	local what
	for what in "$@"; do
		case $what in
		throughput) bench_throughput ;;
		memory) bench_memory ;;
		all) bench_throughput; bench_memory ;;
		*) die "unknown benchmark: $what (throughput|memory|all)" ;;
		esac
	done
	log ""
	log "# results: $RESULTS"
}

main "$@"
exit
