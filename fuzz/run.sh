#!/usr/bin/env bash
# Runs every harness: first replays fuzz/regressions/<harness>/ and the seeds,
# then fuzzes for <seconds> each (default 60). Exits non-zero on any finding
# (crash, sanitizer report, leak, timeout, over-limit allocation), leaving the
# input in deps/build/fuzz/artifacts/; copy it into fuzz/regressions/<harness>/.
#   fuzz/run.sh 60          # CI (npm test); npm run fuzz runs 1800 s per harness
#   FUZZ_JOBS=1 fuzz/run.sh 60   # one harness at a time (default: one per CPU)
#   FUZZ_NO_BUILD=1 fuzz/run.sh 600
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
work="$repo/deps/build/fuzz"
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || "$repo/fuzz/build.sh"

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$repo/fuzz/ubsan.supp:${UBSAN_OPTIONS:-}"
sym="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)"
if [ -n "$sym" ]; then export ASAN_SYMBOLIZER_PATH="$sym"; fi

# FUZZ_SEED fixes libFuzzer's mutation sequence (npm test sets it, so the CI
# run explores the same inputs every time); unset, every run explores anew.
seed_arg=()
if [ -n "${FUZZ_SEED:-}" ]; then seed_arg=(-seed="$FUZZ_SEED"); fi

rm -rf "$work/seeds"
"$work/bin/seedgen" "$work/seeds"
mkdir -p "$work/artifacts"

# The output bound of the harnesses is 64 MiB (fuzz_common.h). C-Blosc2's
# decompression scratch is 3 x blocksize per thread (blocksize <= nbytes), so
# no single allocation may exceed 4.5 x the bound, whatever the input claims.
limits=(-timeout=25 -rss_limit_mb=1536 -malloc_limit_mb=288)

# One harness: replay its seeds and regressions, then fuzz. Prints one line of
# outcome; returns non-zero on any finding.
run_harness() {
  local h="$1" kind="${1#fuzz_}"
  local bin="$work/bin/$h"
  local regress=("$repo/fuzz/regressions/$h"/*)
  local inputs=("$work/seeds/$kind"/*)
  if [ -e "${regress[0]}" ]; then inputs+=("${regress[@]}"); fi
  echo "== $h: replaying ${#inputs[@]} seeds and regressions, then fuzzing for ${seconds}s"
  if ! "$bin" "${limits[@]}" -runs=1 "${inputs[@]}" > "$work/$h.replay.log" 2>&1; then
    tail -40 "$work/$h.replay.log"
    echo "FAIL: $h crashed on a seed or regression input" >&2
    return 1
  fi
  local corpus="$work/corpus/$h"
  mkdir -p "$corpus"
  if "$bin" "${limits[@]}" "${seed_arg[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$h-" "$corpus" "$work/seeds/$kind" > "$work/$h.log" 2>&1; then
    local execs cov
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$h.log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$work/$h.log" | tail -1 || true)
    echo "ok: $h ran $execs inputs in ${seconds}s ($cov, corpus $(ls "$corpus" | wc -l) files)"
  else
    tail -60 "$work/$h.log"
    echo "FAIL: $h found a problem; see $work/$h.log and $work/artifacts/" >&2
    return 1
  fi
}

# FUZZ_JOBS harnesses at a time (default: one per CPU, as many as there are
# harnesses); each still gets its full <seconds> of wall-clock time.
harnesses=(fuzz_chunk fuzz_frame fuzz_slice)
jobs="${FUZZ_JOBS:-$(nproc)}"
status=0
running=0
for h in "${harnesses[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_harness "$h" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
