// Huge pages for large fresh buffers.
//
// A fresh large buffer is page-faulted in as it is written. On VMs such as
// this project's machines a 4 KiB fault costs about as much as decoding the
// page (~2.5 GB/s first touch), while 2 MiB pages are ~5x cheaper. The advice
// is only a hint: harmless where the kernel refuses it or the pages exist,
// and nothing at all off Linux (WebAssembly included).
#pragma once

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace blosc2_node {

inline bool HugePagesWanted() {
  static const bool wanted = [] {
    const char* v = std::getenv("BLOSC2_HUGEPAGES");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return wanted;
}

inline void AdviseHugePages(uint8_t* data, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (length < 4 * kHuge || !HugePagesWanted()) return;
  uintptr_t start = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + length) & ~(kHuge - 1);
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
  (void)data;
  (void)length;
#endif
}

}  // namespace blosc2_node
