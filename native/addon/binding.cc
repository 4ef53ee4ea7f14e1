// The Node-API binding of the core: buffers in, buffers out, errors as codes.
// Each export takes one named request object (src/backend/types.ts); choices
// of policy (defaults, limits, dtypes, argument validation) live in src/, the
// mechanics in native/*.cc. Calls borrow C-Blosc2 contexts from one cache per
// process (native/context_pool.h), each context lent to one call at a time, so
// calls from the main thread, the libuv pool and worker threads never share
// one at once; their thread counts come from one budget (native/threads.h).
#include <napi.h>

#include <cstring>
#include <string>
#include <utility>

#include "../chunk.h"
#include "../context_pool.h"
#include "../frame_reader.h"
#include "../frame_writer.h"
#include "../huge_pages.h"
#include "js_errors.h"
#include "requests.h"

namespace {

using namespace blosc2_node;
using namespace blosc2_node::js;

// compress({ src, out, cparams }) -> the chunk's length in out. The JS layer
// owns out (it reuses one worst-case buffer across calls).
Napi::Value Compress(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  int32_t cbytes = 0;
  Failure f = CompressChunk(AttrAsCParams(req, "cparams"), AttrAsThreads(AttrAsObject(req, "cparams")), AttrAsView(req, "src"),
                            AttrAsView(req, "out"), &cbytes);
  if (f.code) Throw(info.Env(), f);
  return Napi::Number::New(info.Env(), cbytes);
}

// decompress({ src, out, nthreads, threadsBySize }); out was sized by the JS
// layer from chunkInfo() and the caller's limit.
Napi::Value Decompress(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  Failure f = DecompressChunk(AttrAsView(req, "src"), AttrAsView(req, "out"), AttrAsThreads(req));
  if (f.code) Throw(info.Env(), f);
  return info.Env().Undefined();
}

// chunkInfo({ src, check: 0 header | 1 within | 2 exact }) -> what the header says.
Napi::Value ChunkInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  View src = AttrAsView(req, "src");
  ChunkHeader h;
  Failure f = ReadChunkHeader(src, &h, static_cast<HeaderCheck>(AttrAsInt32(req, "check")));
  if (f.code) Throw(env, f);
  Napi::Object r = Napi::Object::New(env);
  r.Set("nbytes", h.nbytes);
  r.Set("cbytes", h.cbytes);
  r.Set("blocksize", h.blocksize);
  r.Set("typesize", static_cast<uint32_t>(src.data[BLOSC2_CHUNK_TYPESIZE]));
  r.Set("flags", static_cast<uint32_t>(src.data[BLOSC2_CHUNK_FLAGS]));
  r.Set("special", h.special);
  bool extended = (src.data[BLOSC2_CHUNK_FLAGS] & 0x5) == 0x5 && src.length >= BLOSC_EXTENDED_HEADER_LENGTH;
  Napi::Array filters = Napi::Array::New(env), meta = Napi::Array::New(env);
  if (extended) {
    for (uint32_t i = 0; i < BLOSC2_MAX_FILTERS; i++) {
      filters.Set(i, static_cast<uint32_t>(src.data[BLOSC2_CHUNK_FILTER_CODES + i]));
      meta.Set(i, static_cast<uint32_t>(src.data[BLOSC2_CHUNK_FILTER_META + i]));
    }
  }
  r.Set("filters", filters);
  r.Set("filtersMeta", meta);
  const char* lib = blosc2_cbuffer_complib(src.data);
  r.Set("complib", lib ? Napi::Value(Napi::String::New(env, lib)) : env.Null());
  return r;
}

// copy(src) -> a new Buffer holding src's bytes. Huge pages go on first: the
// copy is the first touch of fresh memory, which on 4 KiB pages costs about as
// much again as the copy itself.
Napi::Value Copy(const Napi::CallbackInfo& info) {
  View src = AsView(info.Env(), info[0], "src");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(info.Env(), src.length);
  AdviseHugePages(out.Data(), src.length);
  if (src.length > 0) std::memcpy(out.Data(), src.data, src.length);
  return out;
}

// frameEncode({ ...FrameSpec, allocate(length) } | { ...FrameSpec, place(capacity) })
// -> the frame's length. With allocate, the frame is built apart and copied
// into the view allocate returns; with place, its chunks are compressed
// straight into the view place returns (at least the worst case).
Napi::Value FrameEncode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  FrameSpec spec = ReadFrameSpec(req);
  AssembledFrame frame;
  Napi::Value place = req.Get("place");
  if (place.IsFunction()) {
    uint8_t* placed = nullptr;
    Failure f = AssembleFrame(spec, &frame, [&](size_t capacity) {
      placed = CallbackView(place.As<Napi::Function>(), capacity, capacity, "place(capacity)").data;
      return placed;
    });
    if (f.code) Throw(env, f);
    frame.WriteTo(placed);
    return Napi::Number::New(env, static_cast<double>(frame.Length()));
  }
  Napi::Value allocate = req.Get("allocate");
  if (!allocate.IsFunction()) ThrowBadRequest(env, "frameEncode needs allocate or place");
  Failure f = AssembleFrame(spec, &frame);
  if (f.code) Throw(env, f);
  size_t length = static_cast<size_t>(frame.Length());
  frame.WriteTo(CallbackView(allocate.As<Napi::Function>(), length, length, "allocate(length)").data);
  return Napi::Number::New(env, static_cast<double>(length));
}

// frameCapacity(FrameSpec) -> the worst-case frame length: the room
// frameEncodeAsync needs to write the frame in place.
Napi::Value FrameCapacityJs(const Napi::CallbackInfo& info) {
  size_t capacity = 0;
  Failure f = FrameCapacity(ReadFrameSpec(info[0].As<Napi::Object>()), &capacity);
  if (f.code) Throw(info.Env(), f);
  return Napi::Number::New(info.Env(), static_cast<double>(capacity));
}

// frameOpen({ frame }) -> what the header and metalayers say, and a handle
// that frameDecode takes with the same bytes (the frame is parsed once).
Napi::Value FrameOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  auto meta = std::make_unique<FrameMeta>();
  Failure f = OpenFrame(AttrAsView(req, "frame"), meta.get());
  if (f.code) Throw(env, f);
  const Geometry& g = meta->g;
  Napi::Object r = Napi::Object::New(env);
  Napi::Array shape = Napi::Array::New(env), chunks = Napi::Array::New(env), blocks = Napi::Array::New(env);
  for (int i = 0; i < g.ndim; i++) {
    shape.Set(i, static_cast<double>(g.shape[i]));
    chunks.Set(i, g.chunkshape[i]);
    blocks.Set(i, g.blockshape[i]);
  }
  r.Set("shape", shape);
  r.Set("chunkshape", chunks);
  r.Set("blockshape", blocks);
  r.Set("typesize", g.typesize);
  r.Set("dtype", meta->dtype);
  r.Set("jsKind", meta->jsKind);
  r.Set("b2nd", meta->isB2nd);
  r.Set("nchunks", static_cast<double>(meta->nchunks));
  r.Set("chunksize", meta->chunksize);
  r.Set("nbytes", static_cast<double>(meta->nbytes));
  r.Set("contiguous", meta->contiguous);
  r.Set("rawOffset", static_cast<double>(meta->rawOffset));
  Napi::Array metalayers = Napi::Array::New(env, meta->metalayers.size());
  for (size_t i = 0; i < meta->metalayers.size(); i++) metalayers.Set(static_cast<uint32_t>(i), meta->metalayers[i]);
  r.Set("metalayers", metalayers);
  Napi::Array vlmetalayers = Napi::Array::New(env, meta->vlmetalayers.size());
  for (size_t i = 0; i < meta->vlmetalayers.size(); i++) vlmetalayers.Set(static_cast<uint32_t>(i), meta->vlmetalayers[i]);
  r.Set("vlmetalayers", vlmetalayers);
  r.Set("b2o", Napi::Buffer<char>::Copy(env, meta->b2o.data(), meta->b2o.size()));
  r.Set("handle", Napi::External<FrameMeta>::New(env, meta.release(), [](Napi::Env, FrameMeta* m) { delete m; }));
  return r;
}

const FrameMeta& AttrAsFrameMeta(const Napi::Object& req) {
  Napi::Value handle = req.Get("handle");
  if (!handle.IsExternal()) ThrowBadRequest(req.Env(), "handle must come from frameOpen");
  return *handle.As<Napi::External<FrameMeta>>().Data();
}

// frameDecode({ frame, handle, out, nthreads, threadsBySize }): out is exactly the array's size.
Napi::Value FrameDecode(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  Failure f = DecodeFrame(AttrAsView(req, "frame"), AttrAsFrameMeta(req), AttrAsView(req, "out"), AttrAsThreads(req));
  if (f.code) Throw(info.Env(), f);
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------
// Async: the same work on the libuv pool. A job holds the request object
// through a reference, so nothing it points at can be collected while it runs,
// and reads and writes the views in place. The JS layer refuses resizable
// buffers for async calls and marks the others untransferable.

class Job : public Napi::AsyncWorker {
 public:
  Job(Napi::Env env, const Napi::Object& request)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), request_(Napi::Persistent(request)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Fail(const Failure& f) {
    failure_ = f;
    SetError(f.message);
  }
  void OnError(const Napi::Error&) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(MakeError(Env(), failure_).Value());
  }
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference request_;
  Failure failure_ = Ok();
  // Counted by the thread budget (threads.h) from here until Execute starts it.
  QueuedCall queued_;
};

// Runs fn on the pool; resolves with its number (or undefined for a negative one).
template <typename Fn>
Napi::Value Queue(const Napi::CallbackInfo& info, Fn fn) {
  class FnJob : public Job {
   public:
    FnJob(Napi::Env env, const Napi::Object& request, Fn fn) : Job(env, request), fn_(std::move(fn)) {}
    void Execute() override {
      queued_.Start();
      Failure f = fn_(&result_);
      if (f.code) Fail(f);
    }
    void OnOK() override { deferred_.Resolve(result_ < 0 ? Env().Undefined() : Napi::Number::New(Env(), result_)); }

   private:
    Fn fn_;
    double result_ = -1;
  };
  auto* job = new FnJob(info.Env(), info[0].As<Napi::Object>(), std::move(fn));
  job->Queue();
  return job->Promise();
}

// compressAsync({ src, out, cparams }) -> Promise<length>
Napi::Value CompressAsync(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  blosc2_cparams cp = AttrAsCParams(req, "cparams");
  ThreadRequest threads = AttrAsThreads(AttrAsObject(req, "cparams"));
  View src = AttrAsView(req, "src"), out = AttrAsView(req, "out");
  return Queue(info, [=](double* result) {
    int32_t cbytes = 0;
    Failure f = CompressChunk(cp, threads, src, out, &cbytes);
    *result = cbytes;
    return f;
  });
}

// decompressAsync({ src, out, nthreads, threadsBySize }) -> Promise<void>
Napi::Value DecompressAsync(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  View src = AttrAsView(req, "src"), out = AttrAsView(req, "out");
  ThreadRequest threads = AttrAsThreads(req);
  return Queue(info, [=](double*) { return DecompressChunk(src, out, threads); });
}

// frameDecodeAsync({ frame, handle, out, nthreads, threadsBySize }) ->
// Promise<void>; the request keeps the handle (and so the FrameMeta) alive.
Napi::Value FrameDecodeAsync(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  const FrameMeta* meta = &AttrAsFrameMeta(req);
  View frame = AttrAsView(req, "frame"), out = AttrAsView(req, "out");
  ThreadRequest threads = AttrAsThreads(req);
  return Queue(info, [=](double*) { return DecodeFrame(frame, *meta, out, threads); });
}

// frameEncodeAsync({ ...FrameSpec, into } | { ...FrameSpec, allocate(length) })
// -> Promise<length>. With into (at least frameCapacity bytes), the frame is
// written on the pool straight into it. With allocate, it is built on the
// pool in memory of the core's own (which V8 does not count, so a large
// worst-case region never triggers a garbage collection), then copied on the
// main thread into the view allocate(length) returns: one copy of the
// compressed bytes.
class FrameEncodeJob : public Job {
 public:
  FrameEncodeJob(Napi::Env env, const Napi::Object& request, FrameSpec spec, View into)
      : Job(env, request), spec_(std::move(spec)), into_(into) {}
  void Execute() override {
    queued_.Start();
    bool fits = true;
    PlaceFrame place = nullptr;
    if (into_.data != nullptr) {
      place = [&](size_t capacity) -> uint8_t* {
        fits = capacity <= into_.length;
        return fits ? into_.data : nullptr;
      };
    }
    Failure f = AssembleFrame(spec_, &frame_, place);
    if (!f.code && !fits) f = Failure{"ERR_OUTPUT_TOO_SMALL", "into is shorter than frameCapacity"};
    if (!f.code && into_.data != nullptr) frame_.WriteTo(into_.data);
    if (f.code) Fail(f);
  }
  void OnOK() override {
    Napi::Env env = Env();
    size_t length = static_cast<size_t>(frame_.Length());
    if (into_.data == nullptr) {
      try {
        Napi::Value allocate = request_.Value().Get("allocate");
        frame_.WriteTo(CallbackView(allocate.As<Napi::Function>(), length, length, "allocate(length)").data);
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
        return;
      }
    }
    deferred_.Resolve(Napi::Number::New(env, static_cast<double>(length)));
  }

 private:
  FrameSpec spec_;
  View into_;
  AssembledFrame frame_;
};

Napi::Value FrameEncodeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  FrameSpec spec = ReadFrameSpec(req);
  View into;
  if (!req.Get("into").IsUndefined()) {
    into = AttrAsView(req, "into");
    AdviseHugePages(into.data, into.length);
  } else if (!req.Get("allocate").IsFunction()) {
    ThrowBadRequest(env, "frameEncodeAsync needs into or allocate");
  }
  auto* job = new FrameEncodeJob(env, req, std::move(spec), into);
  job->Queue();
  return job->Promise();
}

// ---------------------------------------------------------------------------

// contextPoolStats() -> what the context cache has done (tests, benchmarks).
Napi::Value ContextPoolStatsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ContextPoolStats s = GetContextPoolStats();
  Napi::Object r = Napi::Object::New(env);
  r.Set("enabled", s.enabled);
  r.Set("created", static_cast<double>(s.created));
  r.Set("reused", static_cast<double>(s.reused));
  r.Set("discarded", static_cast<double>(s.discarded));
  r.Set("evicted", static_cast<double>(s.evicted));
  r.Set("idle", s.idle);
  r.Set("idleThreads", s.idleThreads);
  r.Set("cpuBudget", CpuBudget());
  return r;
}

// Environments (the main thread, each worker) that loaded the addon. When one
// ends, the idle contexts are freed (their threads joined); when the last
// ends, the thread that frees idle contexts stops too.
std::mutex g_envMutex;
int g_envs = 0;

void EnvEnded(void*) {
  bool last = false;
  {
    std::lock_guard<std::mutex> lock(g_envMutex);
    last = --g_envs == 0;
  }
  DrainContextPool(last);
}

Napi::Value IsDetached(const Napi::CallbackInfo& info) {
  bool detached = false;
  if (info[0].IsArrayBuffer()) napi_is_detached_arraybuffer(info.Env(), info[0], &detached);
  return Napi::Boolean::New(info.Env(), detached);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitInstance(env, exports);
  {
    std::lock_guard<std::mutex> lock(g_envMutex);
    g_envs++;
  }
  napi_add_env_cleanup_hook(env, EnvEnded, nullptr);
  exports.Set("isDetached", Napi::Function::New(env, IsDetached));
  exports.Set("compress", Napi::Function::New(env, Compress));
  exports.Set("compressAsync", Napi::Function::New(env, CompressAsync));
  exports.Set("decompress", Napi::Function::New(env, Decompress));
  exports.Set("decompressAsync", Napi::Function::New(env, DecompressAsync));
  exports.Set("chunkInfo", Napi::Function::New(env, ChunkInfo));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("frameCapacity", Napi::Function::New(env, FrameCapacityJs));
  exports.Set("frameEncode", Napi::Function::New(env, FrameEncode));
  exports.Set("frameEncodeAsync", Napi::Function::New(env, FrameEncodeAsync));
  exports.Set("frameOpen", Napi::Function::New(env, FrameOpen));
  exports.Set("frameDecode", Napi::Function::New(env, FrameDecode));
  exports.Set("frameDecodeAsync", Napi::Function::New(env, FrameDecodeAsync));
  exports.Set("contextPoolStats", Napi::Function::New(env, ContextPoolStatsJs));
  exports.Set("version", Napi::String::New(env, BLOSC2_VERSION_STRING));
  exports.Set("compressors", Napi::String::New(env, blosc2_list_compressors()));
  exports.Set("maxBufferSize", Napi::Number::New(env, BLOSC2_MAX_BUFFERSIZE));
  exports.Set("maxOverhead", Napi::Number::New(env, BLOSC2_MAX_OVERHEAD));
  return exports;
}

}  // namespace

NODE_API_MODULE(blosc2, Init)
