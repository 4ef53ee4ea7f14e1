// Shared bits of the fuzz harnesses: the output bound the JS layer enforces
// (maxOutputBytes) and the "every byte of the output was written" check.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "chunk.h"
#include "frame_reader.h"

namespace fuzz {

// The JS layer refuses to allocate more than maxOutputBytes (1 GiB by default)
// for one message; the harnesses use a smaller cap so libFuzzer's malloc limit
// catches any allocation a hostile input could force beyond it.
constexpr size_t kMaxOutput = 64u << 20;

inline void InitOnce() {
  static bool done = [] {
    blosc2_init();
    return true;
  }();
  (void)done;
}

// The fuzzer's input copied into a heap block of exactly its size (libFuzzer's
// own buffer may be larger), so ASan catches any read past the end.
class InputCopy {
 public:
  InputCopy(const uint8_t* data, size_t size) : data_(static_cast<uint8_t*>(std::malloc(size ? size : 1))), size_(size) {
    if (!data_) std::abort();
    if (size) std::memcpy(data_, data, size);
  }
  InputCopy(const InputCopy&) = delete;
  InputCopy& operator=(const InputCopy&) = delete;
  ~InputCopy() { std::free(data_); }
  blosc2_node::View view() const { return blosc2_node::View{data_, size_}; }

 private:
  uint8_t* data_;
  size_t size_;
};

// Decodes twice into memory pre-filled with different bytes: a successful
// decode must produce identical output, otherwise some bytes were never
// written and the caller would get back whatever the memory held.
template <typename Decode>
void DecodeTwiceAndCompare(size_t n, Decode decode) {
  // malloc, not vector: ASan then sees the exact bounds of the destination.
  uint8_t* a = static_cast<uint8_t*>(std::malloc(n ? n : 1));
  uint8_t* b = static_cast<uint8_t*>(std::malloc(n ? n : 1));
  if (!a || !b) std::abort();
  std::memset(a, 0x00, n);
  std::memset(b, 0xA5, n);
  bool okA = decode(a);
  bool okB = decode(b);
  if (okA != okB) {
    std::fprintf(stderr, "fuzz: decoding the same input succeeded once and failed once\n");
    std::abort();
  }
  if (okA && std::memcmp(a, b, n) != 0) {
    std::fprintf(stderr, "fuzz: a successful decode left output bytes unwritten\n");
    std::abort();
  }
  std::free(a);
  std::free(b);
}

}  // namespace fuzz
