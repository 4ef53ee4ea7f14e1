// The native half of blosc2: buffers in, buffers out, errors as codes.
//
// Everything here is mechanics around C-Blosc2; choices (defaults, chunk
// geometry, dtype mapping, argument validation) live in src/. Each call makes
// its own compression/decompression context, so calls from the main thread,
// the libuv pool and worker threads never share Blosc state.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "blosc2_core.h"
#include "frame_writer.h"
#include "huge_pages.h"

namespace {

using namespace blosc2_node;


// ---------------------------------------------------------------------------
// Errors. The JS side registers its Blosc2Error class once per addon instance
// (main thread and each worker), so errors made here are real Blosc2Errors.

struct InstanceData {
  Napi::FunctionReference errorClass;
};

Napi::Error MakeError(Napi::Env env, const Failure& f) {
  auto* data = env.GetInstanceData<InstanceData>();
  Napi::Object err;
  if (data != nullptr && !data->errorClass.IsEmpty()) {
    err = data->errorClass.New({Napi::String::New(env, f.message), Napi::String::New(env, f.code)});
  } else {
    err = Napi::Error::New(env, f.message).Value();
    err.Set("code", f.code);
  }
  if (f.cerr != 0) err.Set("errno", Napi::Number::New(env, f.cerr));
  return Napi::Error(env, err);
}

[[noreturn]] void Throw(Napi::Env env, const char* code, const std::string& message, int cerr = 0) {
  throw MakeError(env, Failure{code, message, cerr});
}

// ---------------------------------------------------------------------------
// Views. The JS layer hands us ArrayBufferViews only (it wraps ArrayBuffer and
// SharedArrayBuffer in a Uint8Array first), so one code path reads them all in
// place, without copying.

View GetView(Napi::Env env, const Napi::Value& value, const char* name) {
  View v;
  napi_value buffer = nullptr;
  if (value.IsTypedArray()) {
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    void* data = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset), v);
    v.data = static_cast<uint8_t*>(data);
    v.length = length * Napi::TypedArray(env, value).ElementSize();
  } else if (value.IsDataView()) {
    size_t length = 0, offset = 0;
    void* data = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, value, &length, &data, &buffer, &offset), v);
    v.data = static_cast<uint8_t*>(data);
    v.length = length;
  } else {
    Throw(env, "ERR_INVALID_ARG", std::string(name) + " must be an ArrayBufferView");
  }
  bool detached = false;
  if (buffer != nullptr && napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached) {
    Throw(env, "ERR_DETACHED", std::string(name) + " is backed by a detached ArrayBuffer");
  }
  return v;
}

int32_t I32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
int64_t I64(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }

// Compression parameters arrive positionally (validated by the JS layer):
// clevel, codec, typesize, nthreads, blocksize, splitmode, filters, filtersMeta,
// where filters and filtersMeta pack six bytes each into one number.
blosc2_cparams ReadCParams(const Napi::CallbackInfo& info, size_t first) {
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.clevel = static_cast<uint8_t>(I32(info, first));
  cp.compcode = static_cast<uint8_t>(I32(info, first + 1));
  cp.typesize = I32(info, first + 2);
  cp.nthreads = static_cast<int16_t>(I32(info, first + 3));
  cp.blocksize = I32(info, first + 4);
  cp.splitmode = I32(info, first + 5);
  int64_t filters = I64(info, first + 6);
  int64_t meta = I64(info, first + 7);
  for (int i = 0; i < BLOSC2_MAX_FILTERS; i++) {
    cp.filters[i] = static_cast<uint8_t>((filters >> (8 * i)) & 0xff);
    cp.filters_meta[i] = static_cast<uint8_t>((meta >> (8 * i)) & 0xff);
  }
  return cp;
}
constexpr size_t kCParamsArgs = 8;

// compress(src, out, ...cparams) -> cbytes. The JS layer owns the output (it
// reuses one worst-case buffer across calls) and sizes it to compressBound.
View CompressTarget(Napi::Env env, const Napi::Value& value, const View& src) {
  View out = GetView(env, value, "out");
  if (out.length < CompressBound(src.length)) Throw(env, "ERR_OUTPUT_TOO_SMALL", "out is shorter than compressBound(src)");
  AdviseHugePages(out.data, out.length);
  return out;
}

Napi::Value Compress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "src");
  View out = CompressTarget(env, info[1], src);
  blosc2_cparams cp = ReadCParams(info, 2);
  int32_t cbytes = 0;
  Failure f = DoCompress(cp, src, out.data, out.length, &cbytes);
  if (f.code) throw MakeError(env, f);
  return Napi::Number::New(env, cbytes);
}

// copy(src) -> a new Buffer holding src's bytes. Huge pages go on first: the
// copy is the first touch of fresh memory, which on 4 KiB pages costs about as
// much again as the copy itself.
Napi::Value Copy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "src");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, src.length);
  AdviseHugePages(out.Data(), src.length);
  if (src.length > 0) std::memcpy(out.Data(), src.data, src.length);
  return out;
}

// decompress(src, out, nthreads) -> undefined; out was sized by the JS layer
// from chunkSizes() and the caller's limit.
Napi::Value Decompress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "src");
  View out = GetView(env, info[1], "out");
  AdviseHugePages(out.data, out.length);
  ChunkHeader h;
  Failure f = ReadChunkHeader(src, &h, HeaderCheck::kExact);
  if (!f.code) f = DoDecompress(I32(info, 2), src, h, out.data, out.length);
  if (f.code) throw MakeError(env, f);
  return env.Undefined();
}

// chunkInfo(src, check) -> [nbytes, cbytes, blocksize, typesize, flags, special,
// filters..., filtersMeta..., compformat name]. Validates the length first.
Napi::Value ChunkInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "src");
  ChunkHeader h;
  Failure f = ReadChunkHeader(src, &h, static_cast<HeaderCheck>(I32(info, 1)));
  if (f.code) throw MakeError(env, f);
  Napi::Array r = Napi::Array::New(env);
  r.Set(0u, h.nbytes);
  r.Set(1u, h.cbytes);
  r.Set(2u, h.blocksize);
  r.Set(3u, static_cast<uint32_t>(src.data[BLOSC2_CHUNK_TYPESIZE]));
  r.Set(4u, static_cast<uint32_t>(src.data[BLOSC2_CHUNK_FLAGS]));
  r.Set(5u, h.special);
  bool extended = (src.data[BLOSC2_CHUNK_FLAGS] & 0x5) == 0x5 && src.length >= BLOSC_EXTENDED_HEADER_LENGTH;
  Napi::Array filters = Napi::Array::New(env);
  Napi::Array meta = Napi::Array::New(env);
  if (extended) {
    for (uint32_t i = 0; i < BLOSC2_MAX_FILTERS; i++) {
      filters.Set(i, static_cast<uint32_t>(src.data[BLOSC2_CHUNK_FILTER_CODES + i]));
      meta.Set(i, static_cast<uint32_t>(src.data[BLOSC2_CHUNK_FILTER_META + i]));
    }
  }
  r.Set(6u, filters);
  r.Set(7u, meta);
  const char* lib = blosc2_cbuffer_complib(src.data);
  r.Set(8u, lib ? Napi::Value(Napi::String::New(env, lib)) : env.Null());
  return r;
}

Geometry ReadGeometry(const Napi::CallbackInfo& info, size_t first) {
  Napi::Env env = info.Env();
  Geometry g;
  Napi::Array shape = info[first].As<Napi::Array>();
  Napi::Array chunks = info[first + 1].As<Napi::Array>();
  Napi::Array blocks = info[first + 2].As<Napi::Array>();
  if (shape.Length() > BLOSC2_MAX_DIM || chunks.Length() != shape.Length() || blocks.Length() != shape.Length()) {
    Throw(env, "ERR_INVALID_ARG", "shape, chunkshape and blockshape must have the same length, at most 8");
  }
  g.ndim = static_cast<int8_t>(shape.Length());
  for (uint32_t i = 0; i < shape.Length(); i++) {
    g.shape[i] = shape.Get(i).As<Napi::Number>().Int64Value();
    g.chunkshape[i] = chunks.Get(i).As<Napi::Number>().Int32Value();
    g.blockshape[i] = blocks.Get(i).As<Napi::Number>().Int32Value();
  }
  return g;
}

// The arguments shared by the frame encoders: (data, typesize, dtype, jsKind,
// shape, chunkshape, blockshape, ...cparams).
struct FrameRequest {
  View src;
  Geometry g;
  std::string dtype, jsKind;
  blosc2_cparams cp;
};
constexpr size_t kFrameRequestArgs = 7 + kCParamsArgs;

FrameRequest ReadFrameRequest(const Napi::CallbackInfo& info) {
  FrameRequest r;
  r.src = GetView(info.Env(), info[0], "data");
  r.g = ReadGeometry(info, 4);
  r.g.typesize = I32(info, 1);
  r.dtype = info[2].As<Napi::String>().Utf8Value();
  r.jsKind = info[3].As<Napi::String>().Utf8Value();
  r.cp = ReadCParams(info, 7);
  return r;
}

// b2ndEncode(...FrameRequest, allocate?, place?) -> Buffer, or the view
// returned by allocate(length) after the frame is copied into it, or, with
// place, the frame's length: place(capacity) returns a view of at least
// capacity bytes that the frame is written straight into.
Napi::Value B2ndEncode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameRequest r = ReadFrameRequest(info);
  AssembledFrame frame;
  Napi::Value place = info[kFrameRequestArgs + 1];
  if (place.IsFunction()) {
    uint8_t* placed = nullptr;
    Failure f = AssembleFrame(r.cp, r.g, r.dtype, r.jsKind, r.src, &frame, [&](size_t capacity) {
      Napi::Value target = place.As<Napi::Function>().Call({Napi::Number::New(env, static_cast<double>(capacity))});
      View t = GetView(env, target, "place(capacity)");
      if (t.length < capacity) Throw(env, "ERR_OUTPUT_TOO_SMALL", "place(capacity) returned a short view");
      AdviseHugePages(t.data, capacity);
      placed = t.data;
      return placed;
    });
    if (f.code) throw MakeError(env, f);
    frame.WriteTo(placed);
    return Napi::Number::New(env, static_cast<double>(frame.Length()));
  }
  Failure f = AssembleFrame(r.cp, r.g, r.dtype, r.jsKind, r.src, &frame);
  if (f.code) throw MakeError(env, f);
  size_t length = static_cast<size_t>(frame.Length());
  Napi::Value alloc = info[kFrameRequestArgs];
  if (alloc.IsFunction()) {
    Napi::Value target = alloc.As<Napi::Function>().Call({Napi::Number::New(env, static_cast<double>(length))});
    View t = GetView(env, target, "allocate(length)");
    if (t.length < length) Throw(env, "ERR_OUTPUT_TOO_SMALL", "allocate(length) returned a short view");
    AdviseHugePages(t.data, length);
    frame.WriteTo(t.data);
    return target;
  }
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, length);
  AdviseHugePages(out.Data(), length);
  frame.WriteTo(out.Data());
  return out;
}

// The same frame built through C-Blosc2's own super-chunk API; the tests check
// that B2ndEncode's bytes are identical to these.
Napi::Value B2ndEncodeReference(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameRequest r = ReadFrameRequest(info);
  FrameOut frame;
  Failure f = EncodeFrame(r.cp, r.g, r.dtype, r.jsKind, r.src, &frame);
  if (f.code) throw MakeError(env, f);
  return Napi::Buffer<uint8_t>::Copy(env, frame.data, static_cast<size_t>(frame.length));
}

// b2ndEncodeTiledReference(...FrameRequest) -> a frame of any geometry through
// C-Blosc2's b2nd API (tests compare our decoder of python's tiled frames with it).
Napi::Value B2ndEncodeTiledReference(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameRequest r = ReadFrameRequest(info);
  FrameOut frame;
  Failure f = EncodeTiledReference(r.cp, r.g, r.dtype, r.src, &frame);
  if (f.code) throw MakeError(env, f);
  return Napi::Buffer<uint8_t>::Copy(env, frame.data, static_cast<size_t>(frame.length));
}

// b2ndInfo(frame) -> { shape, chunkshape, blockshape, typesize, dtype, jsKind,
// b2nd, nchunks, chunksize, nbytes, contiguous }
Napi::Value B2ndInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "frame");
  FrameIn in;
  Geometry g;
  std::string dtype, jsKind;
  bool isB2nd = false;
  Failure f = OpenFrame(src, &in, &g, &dtype, &jsKind, &isB2nd);
  if (f.code) throw MakeError(env, f);
  Napi::Object r = Napi::Object::New(env);
  Napi::Array shape = Napi::Array::New(env), chunks = Napi::Array::New(env), blocks = Napi::Array::New(env);
  for (int i = 0; i < g.ndim; i++) {
    shape.Set(i, static_cast<double>(g.shape[i]));
    chunks.Set(i, g.chunkshape[i]);
    blocks.Set(i, g.blockshape[i]);
  }
  ChunkPlan plan;
  r.Set("shape", shape);
  r.Set("chunkshape", chunks);
  r.Set("blockshape", blocks);
  r.Set("typesize", g.typesize);
  r.Set("dtype", dtype);
  r.Set("jsKind", jsKind);
  r.Set("b2nd", isB2nd);
  r.Set("nchunks", static_cast<double>(in.schunk->nchunks));
  r.Set("chunksize", in.schunk->chunksize);
  r.Set("nbytes", static_cast<double>(in.schunk->nbytes));
  bool contiguous = isB2nd && ContiguousPlan(g, &plan);
  r.Set("contiguous", contiguous);
  r.Set("rawOffset", FrameRawOffset(src, in, contiguous));
  return r;
}

Napi::Value B2ndDecode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "frame");
  View dest = GetView(env, info[1], "out");
  AdviseHugePages(dest.data, dest.length);
  Failure f = DecodeFrame(src, dest, I32(info, 2));
  if (f.code) throw MakeError(env, f);
  return env.Undefined();
}

// ---------------------------------------------------------------------------
// Async: the same work on the libuv pool. The worker holds its input and output
// through references, so neither can be collected while it runs, and reads and
// writes them in place. The JS layer refuses resizable buffers for async calls.

class Job : public Napi::AsyncWorker {
 public:
  explicit Job(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Keep(const Napi::Value& v) {
    Napi::Object holder = refs_.IsEmpty() ? Napi::Object::New(Env()) : refs_.Value();
    if (refs_.IsEmpty()) refs_ = Napi::Persistent(holder);
    holder.Set(static_cast<uint32_t>(nkept_++), v);
  }

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
  Napi::ObjectReference refs_;
  uint32_t nkept_ = 0;
  Failure failure_{nullptr, ""};
};

class CompressJob : public Job {
 public:
  CompressJob(Napi::Env env, View src, View out, blosc2_cparams cp) : Job(env), src_(src), out_(out), cp_(cp) {}
  void Execute() override {
    Failure f = DoCompress(cp_, src_, out_.data, out_.length, &cbytes_);
    if (f.code) Fail(f);
  }
  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), cbytes_)); }

 private:
  View src_, out_;
  blosc2_cparams cp_;
  int32_t cbytes_ = 0;
};

Napi::Value CompressAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], "src");
  View out = CompressTarget(env, info[1], src);
  auto* job = new CompressJob(env, src, out, ReadCParams(info, 2));
  job->Keep(info[0]);
  job->Keep(info[1]);
  job->Queue();
  return job->Promise();
}

class DecompressJob : public Job {
 public:
  DecompressJob(Napi::Env env, View src, View out, int nthreads) : Job(env), src_(src), out_(out), nthreads_(nthreads) {}
  void Execute() override {
    ChunkHeader h;
    Failure f = ReadChunkHeader(src_, &h, HeaderCheck::kExact);
    if (!f.code) f = DoDecompress(nthreads_, src_, h, out_.data, out_.length);
    if (f.code) Fail(f);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

 private:
  View src_, out_;
  int nthreads_;
};

class FrameDecodeJob : public Job {
 public:
  FrameDecodeJob(Napi::Env env, View src, View out, int nthreads) : Job(env), src_(src), out_(out), nthreads_(nthreads) {}
  void Execute() override {
    Failure f = DecodeFrame(src_, out_, nthreads_);
    if (f.code) Fail(f);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

 private:
  View src_, out_;
  int nthreads_;
};

template <typename J>
Napi::Value QueueDecode(const Napi::CallbackInfo& info, const char* srcName) {
  Napi::Env env = info.Env();
  View src = GetView(env, info[0], srcName);
  View out = GetView(env, info[1], "out");
  AdviseHugePages(out.data, out.length);
  auto* job = new J(env, src, out, I32(info, 2));
  job->Keep(info[0]);
  job->Keep(info[1]);
  job->Queue();
  return job->Promise();
}

Napi::Value DecompressAsync(const Napi::CallbackInfo& info) { return QueueDecode<DecompressJob>(info, "src"); }
Napi::Value B2ndDecodeAsync(const Napi::CallbackInfo& info) { return QueueDecode<FrameDecodeJob>(info, "frame"); }

class FrameEncodeJob : public Job {
 public:
  FrameEncodeJob(Napi::Env env, FrameRequest r, View into) : Job(env), r_(std::move(r)), into_(into) {}
  void Execute() override {
    // With a target from the JS layer (sized by b2ndFrameCapacity) the frame
    // is written straight into it, here on the pool thread.
    PlaceFrame place = nullptr;
    if (into_.data != nullptr) {
      place = [this](size_t capacity) -> uint8_t* {
        placed_ = capacity <= into_.length;
        return placed_ ? into_.data : nullptr;
      };
    }
    Failure f = AssembleFrame(r_.cp, r_.g, r_.dtype, r_.jsKind, r_.src, &frame_, place);
    if (!f.code && into_.data != nullptr) {
      if (placed_) {
        frame_.WriteTo(into_.data);
      } else {
        f = {"ERR_OUTPUT_TOO_SMALL", "the target is shorter than b2ndFrameCapacity"};
      }
    }
    if (f.code) Fail(f);
  }
  void OnOK() override {
    size_t length = static_cast<size_t>(frame_.Length());
    if (into_.data != nullptr) {
      deferred_.Resolve(Napi::Number::New(Env(), static_cast<double>(length)));
      return;
    }
    // JS memory can only be made on the main thread: one copy of the compressed bytes.
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(Env(), length);
    AdviseHugePages(out.Data(), length);
    frame_.WriteTo(out.Data());
    deferred_.Resolve(out);
  }

 private:
  FrameRequest r_;
  View into_;
  bool placed_ = false;
  AssembledFrame frame_;
};

// b2ndEncodeAsync(...FrameRequest, into?) -> Buffer, or with into (a view of
// at least b2ndFrameCapacity bytes) the frame's length, written into it.
Napi::Value B2ndEncodeAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameRequest r = ReadFrameRequest(info);
  View into;
  Napi::Value target = info[kFrameRequestArgs];
  if (!target.IsUndefined()) {
    into = GetView(env, target, "into");
    AdviseHugePages(into.data, into.length);
  }
  auto* job = new FrameEncodeJob(env, std::move(r), into);
  job->Keep(info[0]);
  if (!target.IsUndefined()) job->Keep(target);
  job->Queue();
  return job->Promise();
}

// b2ndFrameCapacity(...FrameRequest) -> the worst-case frame length: the room
// b2ndEncodeAsync needs to write the frame in place.
Napi::Value B2ndFrameCapacity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameRequest r = ReadFrameRequest(info);
  size_t capacity = 0;
  Failure f = FrameCapacity(r.cp, r.g, r.dtype, r.jsKind, r.src, &capacity);
  if (f.code) throw MakeError(env, f);
  return Napi::Number::New(env, static_cast<double>(capacity));
}

// suggestBlocksize(nbytes, ...cparams) -> the block size C-Blosc2 would choose.
Napi::Value SuggestBlocksizeJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), SuggestBlocksize(ReadCParams(info, 1), I32(info, 0)));
}

// ---------------------------------------------------------------------------

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  auto* data = info.Env().GetInstanceData<InstanceData>();
  data->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value IsDetached(const Napi::CallbackInfo& info) {
  bool detached = false;
  if (info[0].IsArrayBuffer()) napi_is_detached_arraybuffer(info.Env(), info[0], &detached);
  return Napi::Boolean::New(info.Env(), detached);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, [] { blosc2_init(); });
  env.SetInstanceData(new InstanceData());
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  exports.Set("isDetached", Napi::Function::New(env, IsDetached));
  exports.Set("compress", Napi::Function::New(env, Compress));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("compressAsync", Napi::Function::New(env, CompressAsync));
  exports.Set("decompress", Napi::Function::New(env, Decompress));
  exports.Set("decompressAsync", Napi::Function::New(env, DecompressAsync));
  exports.Set("chunkInfo", Napi::Function::New(env, ChunkInfo));
  exports.Set("b2ndEncode", Napi::Function::New(env, B2ndEncode));
  exports.Set("b2ndFrameCapacity", Napi::Function::New(env, B2ndFrameCapacity));
  exports.Set("b2ndEncodeTiledReference", Napi::Function::New(env, B2ndEncodeTiledReference));
  exports.Set("b2ndEncodeReference", Napi::Function::New(env, B2ndEncodeReference));
  exports.Set("b2ndEncodeAsync", Napi::Function::New(env, B2ndEncodeAsync));
  exports.Set("b2ndInfo", Napi::Function::New(env, B2ndInfo));
  exports.Set("b2ndDecode", Napi::Function::New(env, B2ndDecode));
  exports.Set("b2ndDecodeAsync", Napi::Function::New(env, B2ndDecodeAsync));
  exports.Set("suggestBlocksize", Napi::Function::New(env, SuggestBlocksizeJs));
  exports.Set("version", Napi::String::New(env, BLOSC2_VERSION_STRING));
  exports.Set("compressors", Napi::String::New(env, blosc2_list_compressors()));
  exports.Set("maxBufferSize", Napi::Number::New(env, BLOSC2_MAX_BUFFERSIZE));
  exports.Set("maxOverhead", Napi::Number::New(env, BLOSC2_MAX_OVERHEAD));
  return exports;
}

}  // namespace

NODE_API_MODULE(blosc2, Init)
