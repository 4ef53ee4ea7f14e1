// Huge pages for large fresh buffers.
//
// A fresh large buffer is page-faulted in as it is written. On VMs such as
// this project's machines a 4 KiB fault costs about as much as decoding the
// page (~2.5 GB/s first touch), while 2 MiB pages are ~5x cheaper once the
// process runs: unpack of 1 GiB took 69 ms with the advice against 263 ms
// without (../shared/reference/hugepages-2026-11-30.md).
//
// The first time is the exception (805 ms against 262 ms at 1 GiB, 2.6 s
// against 1.0 s at 3 GiB, in a fresh process): a 4 KiB fault reuses a page
// that was freed recently, whose memory the VM's host has backed already,
// while the first 2 MiB pages come from memory the guest has not used in a
// long while, so every 4 KiB of each one faults on the host too (touching
// 1-3 GiB in a fresh process: 2.6x slower with the advice, on this machine).
// Later huge pages reuse the ones freed before them. So a buffer gets the
// advice only once the process has already written at least as many bytes of
// large buffers as it holds: a one-shot process that decodes one large array
// pays 4 KiB pages on warm memory, and the calls after it get huge pages made
// from what the first freed. BLOSC2_HUGEPAGES=0 turns the advice off,
// BLOSC2_HUGEPAGES=1 gives it to every large buffer. The advice is only a
// hint: harmless where the kernel refuses it or the pages exist, and nothing
// at all off Linux (WebAssembly included).
#pragma once

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace blosc2_node {

// 0 off, 1 always, 2 once as many bytes were written before (the default).
inline int HugePagesMode() {
  static const int mode = [] {
    const char* v = std::getenv("BLOSC2_HUGEPAGES");
    if (v != nullptr && std::strcmp(v, "0") == 0) return 0;
    if (v != nullptr && std::strcmp(v, "1") == 0) return 1;
    return 2;
  }();
  return mode;
}

// Bytes of large buffers this process has had advised or not (the library
// instances of all threads together).
inline std::atomic<uint64_t>& LargeBytesWritten() {
  static std::atomic<uint64_t> bytes{0};
  return bytes;
}

inline void AdviseHugePages(uint8_t* data, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (length < 4 * kHuge) return;
  int mode = HugePagesMode();
  if (mode == 0) return;
  uint64_t before = LargeBytesWritten().fetch_add(length);
  if (mode == 2 && before < length) return;
  uintptr_t start = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + length) & ~(kHuge - 1);
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
  (void)data;
  (void)length;
#endif
}

}  // namespace blosc2_node
