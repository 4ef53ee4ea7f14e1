// libFuzzer harness: b2nd / super-chunk frames as the addon reads them.
// OpenFrame (frameOpen: header, metalayers, geometry, the raw-offset probe),
// then DecodeFrame into a destination sized the way src/records/frame.ts
// sizes it from that geometry (typesize * prod(shape), or the super-chunk's
// nbytes), refused above the output bound like maxOutputBytes.
#include <cmath>
#include <cstdio>

#include "fuzz_common.h"

using namespace blosc2_node;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  fuzz::InputCopy input(data, size);
  View src = input.view();

  FrameMeta meta;
  if (OpenFrame(src, &meta).code) return 0;
  // frame.ts computes the size in doubles and rejects non-safe or negative results.
  double nbytes = 0;
  if (meta.isB2nd) {
    nbytes = meta.g.typesize;
    for (int i = 0; i < meta.g.ndim; i++) nbytes *= static_cast<double>(meta.g.shape[i]);
  } else {
    nbytes = static_cast<double>(meta.nbytes);
  }
  if (nbytes >= 0 && nbytes <= static_cast<double>(fuzz::kMaxOutput) && meta.chunksize <= static_cast<int64_t>(fuzz::kMaxOutput)) {
    size_t n = static_cast<size_t>(nbytes);
    fuzz::DecodeTwiceAndCompare(n, [&](uint8_t* dest) {
      return DecodeFrame(src, meta, View{dest, n}, ThreadRequest{1, false}).code == nullptr;
    });
  }
  return 0;
}
