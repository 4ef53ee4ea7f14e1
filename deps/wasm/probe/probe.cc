// A probe, not the core: proves that the wasm32-wasi static libraries of
// deps/build-wasm.js link with C++17 code (libc++, no exceptions) into a
// reactor module, and gives deps/wasm/probe/run.js something to call.
// Built by deps/wasm/probe/build.js.
#include <blosc2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

using CCtx = std::unique_ptr<blosc2_context, void (*)(blosc2_context*)>;

std::string g_last_error;

// Runs fn with a context made from params, remembering why it failed.
int32_t WithContext(blosc2_context* raw, const std::function<int32_t(blosc2_context*)>& fn, const char* what) {
  CCtx ctx(raw, blosc2_free_ctx);
  if (!ctx) {
    g_last_error = std::string(what) + ": cannot create a context";
    return BLOSC2_ERROR_FAILURE;
  }
  int32_t rc = fn(ctx.get());
  if (rc < 0) g_last_error = std::string(what) + ": " + print_error(rc);
  return rc;
}

struct Init {
  Init() { blosc2_init(); }
} g_init;  // runs in _initialize (reactor), before any export is called

}  // namespace

extern "C" {

// compress(src, nbytes, dest, destsize, clevel, codec, typesize, nthreads)
// -> cbytes (> 0) or a negative BLOSC2_ERROR_*; shuffle as the only filter.
__attribute__((export_name("probe_compress"))) int32_t probe_compress(const void* src, int32_t nbytes, void* dest, int32_t destsize,
                                                                      int32_t clevel, int32_t codec, int32_t typesize, int32_t nthreads) {
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.clevel = static_cast<uint8_t>(clevel);
  cp.compcode = static_cast<uint8_t>(codec);
  cp.typesize = typesize;
  cp.nthreads = static_cast<int16_t>(nthreads);
  return WithContext(
      blosc2_create_cctx(cp), [&](blosc2_context* c) { return blosc2_compress_ctx(c, src, nbytes, dest, destsize); }, "compress");
}

// decompress(src, srcsize, dest, destsize, nthreads) -> nbytes or a negative error.
__attribute__((export_name("probe_decompress"))) int32_t probe_decompress(const void* src, int32_t srcsize, void* dest, int32_t destsize,
                                                                          int32_t nthreads) {
  blosc2_dparams dp = BLOSC2_DPARAMS_DEFAULTS;
  dp.nthreads = static_cast<int16_t>(nthreads);
  return WithContext(
      blosc2_create_dctx(dp), [&](blosc2_context* c) { return blosc2_decompress_ctx(c, src, srcsize, dest, destsize); }, "decompress");
}

// Registers a user codec with this id but no functions, as C-Blosc2 does for
// its dynamically loaded plugins: decompressing a chunk that names it goes
// through C-Blosc2's plugin loader (dlopen, then popen of python), which the
// wasm shims make fail cleanly.
__attribute__((export_name("probe_register_plugin_codec"))) int32_t probe_register_plugin_codec(int32_t id) {
  static blosc2_codec codec{};
  static char name[] = "probe_missing_plugin";
  codec.compcode = static_cast<uint8_t>(id);
  codec.version = 1;
  codec.complib = static_cast<uint8_t>(id);
  codec.compname = name;
  return blosc2_register_codec(&codec);
}

// The compressors built in, comma-separated ("blosclz,lz4,lz4hc,zlib,zstd").
__attribute__((export_name("probe_compressors"))) const char* probe_compressors() { return blosc2_list_compressors(); }

// Why the last failing call failed (a NUL-terminated string in memory).
__attribute__((export_name("probe_last_error"))) const char* probe_last_error() {
  static std::vector<char> buf;
  buf.assign(g_last_error.begin(), g_last_error.end());
  buf.push_back('\0');
  return buf.data();
}

}  // extern "C"
