#!/bin/bash
# Run fuzz targets one after the other, each for its own time, and say for
# each whether its coverage had stopped growing (the plateau the figures in
# docs/ROBUSTNESS.md are judged by).
#   fuzz/campaign.sh <build-dir> <workdir> <target>=<seconds> ...
# Every log line is prefixed with the seconds since the target started, so
# "when did cov/ft last grow" can be read off afterwards:
#   fuzz/campaign.sh build-fuzz /tmp/tlsrpt-fuzz mime=2400 message=2400
# Inputs and artifacts go where fuzz/run-fuzz.sh puts them; the timed log is
# <workdir>/<target>/campaign.log and the summary <workdir>/campaign.txt.
set -eu
build=$1 work=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
# Memory past the documented per-message bound (docs/LIMITS.md, "Memory")
# is a finding, not noise: FUZZ_RSS_MB defaults near it, not libFuzzer's
# 2048.  Inputs long enough for strings past 128 KiB (the arena's largest
# pieces cut from a block) and past max_string_len.
rss_mb=${FUZZ_RSS_MB:-256}
max_len=${FUZZ_MAX_LEN:-262144}
# ASan's quarantine of freed blocks (256 MB by default) would count against
# that limit as if the code under test held it.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16}
export ASAN_OPTIONS

# The stored seeds and regressions of a target, those that exist (git
# keeps no empty folder; libFuzzer stops at a missing one).
seed_dirs() {
	for d in "$top/fuzz/corpus/$1" "$top/fuzz/regressions/$1"; do
		[ -d "$d" ] && printf '%s\n' "$d"
	done
}

timed_run() {
	local target=$1 seconds=$2 dir=$work/$1 start=$SECONDS
	mkdir -p "$dir/corpus" "$dir/artifacts"
	"$build/fuzz/fuzz_$target" "$dir/corpus" $(seed_dirs "$target") \
		-max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=10 \
		-max_len="$max_len" -artifact_prefix="$dir/artifacts/" \
		-print_final_stats=1 2>&1 |
	while IFS= read -r line; do
		printf '%d %s\n' $((SECONDS - start)) "$line"
	done >"$dir/campaign.log"
}

# One line: target, seconds, executions, cov/ft once the stored corpus is
# loaded and at the end, and the second at which each last grew.
summarize() {
	awk -v t="$1" '
	/ cov: / {
		for (i = 1; i <= NF; i++) {
			if ($i == "cov:") c = $(i + 1)
			if ($i == "ft:") f = $(i + 1)
		}
		# the start: the stored corpus loaded (INITED); growth counts after it
		if (/INITED/) { c0 = c; f0 = f; lc = c; lf = f; cs = $1; fs = $1 }
		if (c0 == "") next
		if (c != lc) { lc = c; cs = $1 }
		if (f != lf) { lf = f; fs = $1 }
	}
	/number_of_executed_units/ { runs = $NF }
	/average_exec_per_sec/ { rate = $NF }
	/peak_rss_mb/ { rss = $NF }
	/ERROR|SUMMARY: .*Sanitizer|crash-|timeout-|oom-/ { found = found " " $2 }
	END {
		printf "%s: %s s, %s runs (%s/s), cov %s->%s (last grew at %s s), ft %s->%s (last grew at %s s), rss %s MB, found:%s\n",
		    t, $1, runs, rate, c0, lc, cs, f0, lf, fs, rss, (found == "" ? " nothing" : found)
	}' "$work/$1/campaign.log"
}

# fuzz/campaign.sh --summary <workdir> <target>...: the summary lines again
if [ "$build" = --summary ]; then
	for target; do summarize "$target"; done
	exit 0
fi

for spec; do
	target=${spec%%=*} seconds=${spec#*=}
	timed_run "$target" "$seconds" || true
	summarize "$target" | tee -a "$work/campaign.txt"
done
