#!/bin/sh
# Run one libFuzzer target for a while, starting from its stored corpus.
#   fuzz/run-fuzz.sh <build-dir> <target> <seconds> [workdir]
# The build dir is configured with: ../configure CC=clang --enable-fuzzing
# New inputs go to <workdir>/<target>/corpus (the stored seeds are only
# read), crashes to <workdir>/<target>/artifacts/, the log to
# <workdir>/<target>/fuzz.log.  See docs/ROBUSTNESS.md.
set -eu
build=$1 target=$2 seconds=$3 work=${4:-/tmp/tlsrpt-fuzz}
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
dir=$work/$target
mkdir -p "$dir/corpus" "$dir/artifacts"
# the stored seeds and regressions that exist (git keeps no empty folder)
seeds=
for d in "$top/fuzz/corpus/$target" "$top/fuzz/regressions/$target"; do
	[ -d "$d" ] && seeds="$seeds $d"
done
# shellcheck disable=SC2086 # the paths are ours, without spaces
exec "$build/fuzz/fuzz_$target" "$dir/corpus" $seeds \
	-max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=10 -max_len="$max_len" \
	-artifact_prefix="$dir/artifacts/" -print_final_stats=1 >"$dir/fuzz.log" 2>&1
