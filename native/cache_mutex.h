// The lock of the core's process-wide caches (chunk.cc's block sizes): a
// std::mutex, or nothing in the WebAssembly build, which runs one thread and
// whose libc++ (wasm32-wasi, no threads) has no std::mutex.
#pragma once

#include <mutex>

namespace blosc2_node {

#if defined(__wasi__)
struct CacheMutex {
  void lock() {}
  void unlock() {}
};
#else
using CacheMutex = std::mutex;
#endif

}  // namespace blosc2_node
