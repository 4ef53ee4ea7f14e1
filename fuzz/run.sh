#!/usr/bin/env bash
# Runs every harness: first replays fuzz/regressions/<harness>/ and the seeds,
# then fuzzes for <seconds> each (default 60). Exits non-zero on any finding
# (crash, sanitizer report, leak, timeout, over-limit allocation), leaving the
# input in deps/build/fuzz/artifacts/; copy it into fuzz/regressions/<harness>/.
#   fuzz/run.sh 60          # CI
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
status=0
for h in fuzz_chunk fuzz_frame fuzz_slice; do
  kind="${h#fuzz_}"
  bin="$work/bin/$h"
  regress=("$repo/fuzz/regressions/$h"/*)
  inputs=("$work/seeds/$kind"/*)
  if [ -e "${regress[0]}" ]; then inputs+=("${regress[@]}"); fi
  echo "== $h: replaying ${#inputs[@]} seeds and regressions"
  if ! "$bin" "${limits[@]}" -runs=1 "${inputs[@]}" > "$work/$h.replay.log" 2>&1; then
    tail -40 "$work/$h.replay.log"
    echo "FAIL: $h crashed on a seed or regression input" >&2
    status=1
    continue
  fi
  corpus="$work/corpus/$h"
  mkdir -p "$corpus"
  echo "== $h: fuzzing for ${seconds}s"
  if "$bin" "${limits[@]}" "${seed_arg[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$h-" "$corpus" "$work/seeds/$kind" > "$work/$h.log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$h.log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$work/$h.log" | tail -1 || true)
    echo "ok: $h ran $execs inputs in ${seconds}s ($cov, corpus $(ls "$corpus" | wc -l) files)"
  else
    tail -60 "$work/$h.log"
    echo "FAIL: $h found a problem; see $work/$h.log and $work/artifacts/" >&2
    status=1
  fi
done
exit $status
