#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ with ASan + UBSan, against a copy of
# C-Blosc2 and its codecs that is itself built with ASan + UBSan (otherwise a
# bad read inside C-Blosc2 would go unseen).
#
# Needs clang with the libFuzzer runtime (Debian bookworm:
#   apt-get install -y clang-14 libclang-rt-14-dev llvm-14).
# Outputs (all under the ignored deps/build/):
#   deps/build/asan            sanitized static C-Blosc2, zlib, lz4, zstd
#   deps/build/fuzz/bin/       fuzz_chunk, fuzz_frame, seedgen
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
CLANG="${CLANG:-$(command -v clang-14 || command -v clang)}"
CLANGXX="${CLANGXX:-$(command -v clang++-14 || command -v clang++)}"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
prefix="$repo/deps/build/asan"
work="$repo/deps/build/fuzz"
mkdir -p "$work/bin" "$work/deps"

# deps/build.js keeps its sources, cmake trees and config.json next to itself;
# run a copy of it so the sanitized build never touches the addon's
# deps/build/config.json, src/ or cmake/ (which a normal build shares).
cp "$repo/deps/build.js" "$repo/deps/sources.js" "$repo/deps/manifest.json" "$work/deps/"
ln -sfn "$repo/deps/downloads" "$work/deps/downloads"
# The dependencies are built with recoverable UBSan checks, so that the few
# known-benign reports inside them (fuzz/ubsan.supp) can be suppressed at run
# time; run.sh makes every other report fatal (halt_on_error=1).
# fuzzer-no-link adds libFuzzer's coverage instrumentation, so the fuzzer is
# guided by the code paths it reaches inside C-Blosc2 and the codecs.
BLOSC2_DEPS_PREFIX="$prefix" CC="$CLANG" \
  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fsanitize=fuzzer-no-link" \
  node "$work/deps/build.js"

CXXFLAGS=(-std=c++17 -O1 -g $SAN -I"$repo/native" -I"$prefix/include")
LIBS=("$prefix/lib/libblosc2.a" "$prefix/lib/libzstd.a" "$prefix/lib/liblz4.a" "$prefix/lib/libz.a" -lpthread -lm)

# The N-API-free core: native/*.cc (the bindings live in subfolders).
core=()
for src in "$repo"/native/*.cc; do
  obj="$work/$(basename "$src" .cc).o"
  "$CLANGXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  core+=("$obj")
done
for h in fuzz_chunk fuzz_frame; do
  "$CLANGXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer "$repo/fuzz/$h.cc" "${core[@]}" "${LIBS[@]}" -o "$work/bin/$h"
done
"$CLANGXX" "${CXXFLAGS[@]}" "$repo/fuzz/seedgen.cc" "${core[@]}" "${LIBS[@]}" -o "$work/bin/seedgen"
echo "fuzz/build.sh: harnesses in $work/bin"
