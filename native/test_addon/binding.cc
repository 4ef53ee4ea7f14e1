// The test-only addon (build/Release/blosc2_test.node): the core's frame
// writer and geometry planner with knobs the product does not expose (a given
// geometry, a smaller chunk target), and the reference encoders to compare
// them with. The product never loads it.
#include <napi.h>

#include <vector>

#include "../addon/js_errors.h"
#include "../addon/requests.h"
#include "reference_encoders.h"

namespace {

using namespace blosc2_node;
using namespace blosc2_node::js;

// Reads { data, shape, itemsize, dtype, jsKind, cparams, chunkshape?, blockshape? }:
// the geometry as given, else as the product addon would choose it.
FrameSpec ReadSpec(const Napi::Object& req) {
  FrameSpec spec = ReadFrameSpec(req);
  Napi::Value chunks = req.Get("chunkshape"), blocks = req.Get("blockshape");
  if (chunks.IsArray() && blocks.IsArray()) {
    for (int i = 0; i < spec.g.ndim; i++) {
      spec.g.chunkshape[i] = chunks.As<Napi::Array>().Get(static_cast<uint32_t>(i)).As<Napi::Number>().Int32Value();
      spec.g.blockshape[i] = blocks.As<Napi::Array>().Get(static_cast<uint32_t>(i)).As<Napi::Number>().Int32Value();
    }
  }
  return spec;
}

Napi::Value ToBuffer(Napi::Env env, const Failure& f, const FrameOut& frame) {
  if (f.code) Throw(env, f);
  return Napi::Buffer<uint8_t>::Copy(env, frame.data, static_cast<size_t>(frame.length));
}

// encodeFrameReference(request) -> Buffer: C-Blosc2's super-chunk route.
Napi::Value EncodeFrameReferenceJs(const Napi::CallbackInfo& info) {
  FrameOut frame;
  Failure f = reference::EncodeFrameReference(ReadSpec(info[0].As<Napi::Object>()), &frame);
  return ToBuffer(info.Env(), f, frame);
}

// encodeTiledReference(request with chunkshape and blockshape) -> Buffer: C-Blosc2's b2nd route.
Napi::Value EncodeTiledReferenceJs(const Napi::CallbackInfo& info) {
  FrameOut frame;
  Failure f = reference::EncodeTiledReference(ReadSpec(info[0].As<Napi::Object>()), &frame);
  return ToBuffer(info.Env(), f, frame);
}

// assembleFrame(request, place?) -> Buffer, or with place(capacity) the
// frame's length, written into the view place returns: the product's
// AssembleFrame on a given geometry.
Napi::Value AssembleFrameJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  FrameSpec spec = ReadSpec(req);
  AssembledFrame frame;
  Napi::Value place = req.Get("place");
  uint8_t* placed = nullptr;
  Failure f = place.IsFunction() ? AssembleFrame(spec, &frame,
                                                 [&](size_t capacity) {
                                                   placed = CallbackView(place.As<Napi::Function>(), capacity, capacity, "place").data;
                                                   return placed;
                                                 })
                                 : AssembleFrame(spec, &frame);
  if (f.code) Throw(env, f);
  if (placed != nullptr) {
    frame.WriteTo(placed);
    return Napi::Number::New(env, static_cast<double>(frame.Length()));
  }
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(frame.Length()));
  frame.WriteTo(out.Data());
  return out;
}

// planGeometry(request with chunkBytes?) -> { chunkshape, blockshape }: the
// product's choice, or its choice for another chunk target.
Napi::Value PlanGeometry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  FrameSpec spec = ReadFrameSpec(req);
  if (req.Get("chunkBytes").IsNumber()) {
    blosc2_cparams cp = spec.cp;
    cp.typesize = spec.g.typesize;
    ChooseGeometry(&spec.g, BlockTarget(cp), AttrAsInt64(req, "chunkBytes"));
  }
  Napi::Object r = Napi::Object::New(env);
  Napi::Array chunks = Napi::Array::New(env), blocks = Napi::Array::New(env);
  for (int i = 0; i < spec.g.ndim; i++) {
    chunks.Set(static_cast<uint32_t>(i), spec.g.chunkshape[i]);
    blocks.Set(static_cast<uint32_t>(i), spec.g.blockshape[i]);
  }
  r.Set("chunkshape", chunks);
  r.Set("blockshape", blocks);
  return r;
}

// compressFresh({ src, cparams }) -> Buffer: C-Blosc2 on a context of its
// own, made with exactly these parameters (blocksize 0: C-Blosc2's choice),
// on one thread: the bytes compress() must give with its reused contexts.
Napi::Value CompressFresh(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  View src = AttrAsView(req, "src");
  blosc2_cparams cp = AttrAsCParams(req, "cparams");
  cp.nthreads = 1;
  std::vector<uint8_t> out(CompressBound(src.length));
  blosc2_context* ctx = blosc2_create_cctx(cp);
  int rc = ctx ? blosc2_compress_ctx(ctx, src.data, static_cast<int32_t>(src.length), out.data(), static_cast<int32_t>(out.size())) : -1;
  if (ctx) blosc2_free_ctx(ctx);
  if (rc <= 0) Throw(env, Failure{"ERR_COMPRESS", BloscMessage("compression failed", rc), rc});
  return Napi::Buffer<uint8_t>::Copy(env, out.data(), static_cast<size_t>(rc));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitInstance(env, exports);
  exports.Set("encodeFrameReference", Napi::Function::New(env, EncodeFrameReferenceJs));
  exports.Set("encodeTiledReference", Napi::Function::New(env, EncodeTiledReferenceJs));
  exports.Set("assembleFrame", Napi::Function::New(env, AssembleFrameJs));
  exports.Set("planGeometry", Napi::Function::New(env, PlanGeometry));
  exports.Set("compressFresh", Napi::Function::New(env, CompressFresh));
  return exports;
}

}  // namespace

NODE_API_MODULE(blosc2_test, Init)
