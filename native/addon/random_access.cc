// Random access and chunk-by-chunk writing, bound; see random_access.h.
#include "random_access.h"

#include <string>
#include <vector>

#include "../frame_parts.h"
#include "../frame_slice.h"
#include "../frame_stream_writer.h"
#include "async_job.h"
#include "js_errors.h"
#include "requests.h"

namespace blosc2_node::js {

namespace {

Napi::Array NumberArray(Napi::Env env, const int64_t* values, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), static_cast<double>(values[i]));
  return a;
}

Napi::Array NumberArray(Napi::Env env, const int32_t* values, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), values[i]);
  return a;
}

Napi::Buffer<uint8_t> CopyOut(Napi::Env env, const std::vector<uint8_t>& bytes) {
  return Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size());
}

// frameProbe({ prefix }) -> { headerLength, frameLength, indexOffset }: where
// the rest of a frame lies, from its first 87 bytes or more.
Napi::Value FrameProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FrameLayout fl;
  Failure f = ProbeFrame(AttrAsView(info[0].As<Napi::Object>(), "prefix"), &fl);
  if (f.code) Throw(env, f);
  Napi::Object r = Napi::Object::New(env);
  r.Set("headerLength", static_cast<double>(fl.headerLen));
  r.Set("frameLength", static_cast<double>(fl.frameLength));
  r.Set("indexOffset", static_cast<double>(fl.indexOffset));
  return r;
}

// frameOpenParts({ header, tail, frameLength }) -> OpenedFrame, as frameOpen
// gives for the whole frame (rawOffset -1).
Napi::Value FrameOpenParts(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  auto meta = std::make_unique<FrameMeta>();
  Failure f = OpenFrameParts(AttrAsView(req, "header"), AttrAsView(req, "tail"), AttrAsInt64(req, "frameLength"), meta.get());
  if (f.code) Throw(info.Env(), f);
  return OpenedFrameObject(info.Env(), std::move(meta));
}

// frameIndex({ handle, index, maxChunks }): decodes the offsets index from
// index (the frame's bytes from indexOffset on) into the handle, once, and
// checks that the geometry can be sliced.
Napi::Value FrameIndex(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  FrameMeta* meta = AttrAsFrameMeta(req);
  int64_t maxChunks = AttrAsInt64(req, "maxChunks");
  Failure f = CheckSliceable(*meta);
  if (!f.code) f = LoadChunkIndex(AttrAsView(req, "index"), static_cast<uint64_t>(maxChunks < 0 ? 0 : maxChunks), meta);
  if (f.code) Throw(info.Env(), f);
  return info.Env().Undefined();
}

// frameSlicePlan({ handle, start, step, count }) -> { chunks, offsets,
// lengths }: the chunks the selection touches, ascending, and where their
// bytes lie in the frame (offset -1 and length 0: a chunk kept in its offset).
Napi::Value FrameSlicePlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object req = info[0].As<Napi::Object>();
  const FrameMeta* meta = AttrAsFrameMeta(req);
  std::vector<int64_t> chunks;
  Failure f = PlanSlice(*meta, ReadSelection(req), &chunks);
  if (f.code) Throw(env, f);
  std::vector<int64_t> offsets(chunks.size()), lengths(chunks.size());
  for (size_t i = 0; i < chunks.size(); i++) ChunkExtent(*meta, chunks[i], &offsets[i], &lengths[i]);
  Napi::Object r = Napi::Object::New(env);
  r.Set("chunks", NumberArray(env, chunks.data(), chunks.size()));
  r.Set("offsets", NumberArray(env, offsets.data(), offsets.size()));
  r.Set("lengths", NumberArray(env, lengths.data(), lengths.size()));
  return r;
}

// A slice request: the in-memory frame, or chunks read apart.
struct SliceJob {
  const FrameMeta* meta = nullptr;
  Selection sel;
  View out;
  ThreadRequest threads;
  bool inMemory = false;
  View frame;
  std::vector<int64_t> ids;
  std::vector<View> chunks;

  Failure Run() const {
    if (inMemory) return DecodeSlice(frame, *meta, sel, out, threads);
    return DecodeSliceChunks(*meta, sel, ids.data(), chunks.data(), ids.size(), out, threads);
  }
};

SliceJob ReadSliceJob(const Napi::Object& req) {
  Napi::Env env = req.Env();
  SliceJob job;
  job.meta = AttrAsFrameMeta(req);
  job.sel = ReadSelection(req);
  job.out = AttrAsView(req, "out");
  job.threads = AttrAsThreads(req);
  if (!req.Get("frame").IsUndefined()) {
    job.inMemory = true;
    job.frame = AttrAsView(req, "frame");
    return job;
  }
  Napi::Value ids = req.Get("chunkIds"), chunks = req.Get("chunks");
  if (!ids.IsArray() || !chunks.IsArray() || ids.As<Napi::Array>().Length() != chunks.As<Napi::Array>().Length()) {
    ThrowBadRequest(env, "frameSlice needs frame, or chunkIds and chunks of one length");
  }
  Napi::Array idArray = ids.As<Napi::Array>(), chunkArray = chunks.As<Napi::Array>();
  for (uint32_t i = 0; i < idArray.Length(); i++) {
    Napi::Value id = idArray.Get(i);
    if (!id.IsNumber()) ThrowBadRequest(env, "chunkIds must hold numbers");
    job.ids.push_back(id.As<Napi::Number>().Int64Value());
    job.chunks.push_back(AsView(env, chunkArray.Get(i), "chunks[i]"));
  }
  return job;
}

// frameSlice({ handle, start, step, count, out, nthreads, threadsBySize, frame }) or
// ({ ..., chunkIds, chunks }): out is exactly the selected items' bytes.
Napi::Value FrameSlice(const Napi::CallbackInfo& info) {
  Failure f = ReadSliceJob(info[0].As<Napi::Object>()).Run();
  if (f.code) Throw(info.Env(), f);
  return info.Env().Undefined();
}

// frameSliceAsync(the same) -> Promise<void>; the request keeps the handle,
// the frame or chunks and out alive.
Napi::Value FrameSliceAsync(const Napi::CallbackInfo& info) {
  auto job = std::make_shared<SliceJob>(ReadSliceJob(info[0].As<Napi::Object>()));
  return Queue(info, [job](double*) { return job->Run(); });
}

StreamWriter* AttrAsStreamWriter(const Napi::Object& req) {
  Napi::Value handle = req.Get("handle");
  if (!handle.IsExternal()) ThrowBadRequest(req.Env(), "handle must come from frameWriterOpen");
  return handle.As<Napi::External<StreamWriter>>().Data();
}

// frameWriterOpen(StreamSpec) -> { handle, chunkshape, blockshape, rowBytes,
// chunkRows, chunksPerRow, chunkBound, header (the placeholder) }.
Napi::Value FrameWriterOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto writer = std::make_unique<StreamWriter>();
  Failure f = writer->Open(ReadStreamSpec(info[0].As<Napi::Object>()));
  if (f.code) Throw(env, f);
  const Geometry& g = writer->geometry();
  Napi::Object r = Napi::Object::New(env);
  r.Set("chunkshape", NumberArray(env, g.chunkshape, static_cast<size_t>(g.ndim)));
  r.Set("blockshape", NumberArray(env, g.blockshape, static_cast<size_t>(g.ndim)));
  r.Set("rowBytes", static_cast<double>(writer->RowBytes()));
  r.Set("chunkRows", static_cast<double>(writer->ChunkRows()));
  r.Set("chunksPerRow", static_cast<double>(writer->ChunksPerRow()));
  r.Set("chunkBound", static_cast<double>(writer->ChunkBound()));
  r.Set("header", CopyOut(env, writer->PlaceholderHeader()));
  r.Set("handle", Napi::External<StreamWriter>::New(env, writer.release(), [](Napi::Env, StreamWriter* w) { delete w; }));
  return r;
}

// frameWriterAppend({ handle, rows, out }) -> the bytes of compressed chunks written to out.
Napi::Value FrameWriterAppend(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  StreamWriter* w = AttrAsStreamWriter(req);
  View rows = AttrAsView(req, "rows"), out = AttrAsView(req, "out");
  if (!w->Enter()) Throw(info.Env(), Failure{"ERR_INVALID_ARG", "the frame writer is busy with another call"});
  size_t written = 0;
  Failure f = w->Append(rows, out, &written);
  w->Leave();
  if (f.code) Throw(info.Env(), f);
  return Napi::Number::New(info.Env(), static_cast<double>(written));
}

// frameWriterAppendAsync(the same) -> Promise<bytes written>, compressed on the pool.
Napi::Value FrameWriterAppendAsync(const Napi::CallbackInfo& info) {
  Napi::Object req = info[0].As<Napi::Object>();
  StreamWriter* w = AttrAsStreamWriter(req);
  View rows = AttrAsView(req, "rows"), out = AttrAsView(req, "out");
  if (!w->Enter()) Throw(info.Env(), Failure{"ERR_INVALID_ARG", "the frame writer is busy with another call"});
  return Queue(info, [w, rows, out](double* result) {
    size_t written = 0;
    Failure f = w->Append(rows, out, &written);
    w->Leave();
    *result = static_cast<double>(written);
    return f;
  });
}

// frameWriterFinish({ handle }) -> { header, tail, frameLength, cbytes, rows }:
// the real header (over the placeholder) and the index and trailer (after the chunks).
Napi::Value FrameWriterFinish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StreamWriter* w = AttrAsStreamWriter(info[0].As<Napi::Object>());
  if (!w->Enter()) Throw(env, Failure{"ERR_INVALID_ARG", "the frame writer is busy with another call"});
  std::vector<uint8_t> header, tail;
  int64_t frameLength = 0;
  Failure f = w->Finish(&header, &tail, &frameLength);
  w->Leave();
  if (f.code) Throw(env, f);
  Napi::Object r = Napi::Object::New(env);
  r.Set("header", CopyOut(env, header));
  r.Set("tail", CopyOut(env, tail));
  r.Set("frameLength", static_cast<double>(frameLength));
  r.Set("cbytes", static_cast<double>(w->StoredBytes()));
  r.Set("rows", static_cast<double>(w->Rows()));
  return r;
}

}  // namespace

Napi::Object OpenedFrameObject(Napi::Env env, std::unique_ptr<FrameMeta> meta) {
  const Geometry& g = meta->g;
  Napi::Object r = Napi::Object::New(env);
  size_t nd = static_cast<size_t>(g.ndim);
  r.Set("shape", NumberArray(env, g.shape, nd));
  r.Set("chunkshape", NumberArray(env, g.chunkshape, nd));
  r.Set("blockshape", NumberArray(env, g.blockshape, nd));
  r.Set("typesize", g.typesize);
  r.Set("dtype", meta->dtype);
  r.Set("jsKind", meta->jsKind);
  r.Set("b2nd", meta->isB2nd);
  r.Set("nchunks", static_cast<double>(meta->nchunks));
  r.Set("chunksize", meta->chunksize);
  r.Set("nbytes", static_cast<double>(meta->nbytes));
  r.Set("cbytes", static_cast<double>(meta->cbytes));
  r.Set("contiguous", meta->contiguous);
  r.Set("rawOffset", static_cast<double>(meta->rawOffset));
  r.Set("frameLength", static_cast<double>(meta->length));
  r.Set("headerLength", static_cast<double>(meta->headerLen));
  r.Set("indexOffset", static_cast<double>(meta->headerLen + meta->cbytes));
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

void RegisterRandomAccess(Napi::Env env, Napi::Object exports) {
  exports.Set("frameProbe", Napi::Function::New(env, FrameProbe));
  exports.Set("frameOpenParts", Napi::Function::New(env, FrameOpenParts));
  exports.Set("frameIndex", Napi::Function::New(env, FrameIndex));
  exports.Set("frameSlicePlan", Napi::Function::New(env, FrameSlicePlan));
  exports.Set("frameSlice", Napi::Function::New(env, FrameSlice));
  exports.Set("frameSliceAsync", Napi::Function::New(env, FrameSliceAsync));
  exports.Set("frameWriterOpen", Napi::Function::New(env, FrameWriterOpen));
  exports.Set("frameWriterAppend", Napi::Function::New(env, FrameWriterAppend));
  exports.Set("frameWriterAppendAsync", Napi::Function::New(env, FrameWriterAppendAsync));
  exports.Set("frameWriterFinish", Napi::Function::New(env, FrameWriterFinish));
}

}  // namespace blosc2_node::js
