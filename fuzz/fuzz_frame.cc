// libFuzzer harness: b2nd / super-chunk frames as the addon reads them.
// OpenFrame, ContiguousPlan and FrameRawOffset (b2ndInfo), then DecodeFrame into a destination sized the way
// ext.ts sizes it from that geometry (typesize * prod(shape), or the
// super-chunk's nbytes), refused above the output bound like maxOutputBytes.
#include <cmath>
#include <cstdio>

#include "fuzz_common.h"

using namespace blosc2_node;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  fuzz::InputCopy input(data, size);
  View src = input.view();

  double nbytes = -1;
  int64_t chunksize = 0;
  {
    FrameIn in;
    Geometry g;
    std::string dtype, jsKind;
    bool isB2nd = false;
    if (!OpenFrame(src, &in, &g, &dtype, &jsKind, &isB2nd).code) {
      // b2ndInfo also reports ContiguousPlan for the geometry.
      ChunkPlan plan;
      bool contiguous = isB2nd && ContiguousPlan(g, &plan);
      (void)FrameRawOffset(src, in, contiguous);
      // ext.ts computes the size in doubles and rejects non-safe or negative results.
      if (isB2nd) {
        nbytes = g.typesize;
        for (int i = 0; i < g.ndim; i++) nbytes *= static_cast<double>(g.shape[i]);
      } else {
        nbytes = static_cast<double>(in.schunk->nbytes);
      }
      chunksize = in.schunk->chunksize;
    }
  }
  if (nbytes >= 0 && nbytes <= static_cast<double>(fuzz::kMaxOutput) && chunksize <= static_cast<int64_t>(fuzz::kMaxOutput)) {
    size_t n = static_cast<size_t>(nbytes);
    fuzz::DecodeTwiceAndCompare(n, [&](uint8_t* dest) { return DecodeFrame(src, View{dest, n}, 1).code == nullptr; });
  }
  return 0;
}
