// Random access and chunk-by-chunk writing in the WebAssembly C ABI, mirroring
// native/addon/random_access.cc call for call over the same core functions
// (frame_parts.cc, frame_slice.cc, frame_stream_writer.cc) on one thread;
// src/backend/wasm-random-access.ts is its JS side. As in exports.cc: each call
// returns 0, or 1 with its failure left for b2_error_*().
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "../frame_parts.h"
#include "../frame_slice.h"
#include "../frame_stream_writer.h"
#include "abi.h"

namespace blosc2_wasm {
namespace {

// A selection (SliceSelection): per dimension the first item, the step and the count.
struct SelectionAbi {
  int32_t ndim;                  // 0
  int32_t unused;                // 4
  double start[BLOSC2_MAX_DIM];  // 8
  double step[BLOSC2_MAX_DIM];   // 72
  double count[BLOSC2_MAX_DIM];  // 136
};
static_assert(sizeof(SelectionAbi) == 200 && offsetof(SelectionAbi, step) == 72 && offsetof(SelectionAbi, count) == 136);

// A frame to write chunk by chunk (FrameWriterOpenRequest); chunkshape and
// blockshape are all 0 when omitted (chosen in the core).
struct StreamSpecAbi {
  int32_t ndim;                        // 0
  int32_t itemsize;                    // 4
  uint32_t dtype;                      // 8: pointer to a C string
  uint32_t jsKind;                     // 12: pointer to a C string
  double shape[BLOSC2_MAX_DIM];        // 16: the first -1 when unknown
  int32_t chunkshape[BLOSC2_MAX_DIM];  // 80
  int32_t blockshape[BLOSC2_MAX_DIM];  // 112
  CParamsAbi cparams;                  // 144
};
static_assert(sizeof(StreamSpecAbi) == 176 && offsetof(StreamSpecAbi, chunkshape) == 80 && offsetof(StreamSpecAbi, cparams) == 144);

// What frameWriterOpen gives (OpenedFrameWriter); header points into the writer.
struct WriterInfoAbi {
  uint32_t handle;                     // 0: StreamWriter*, closed by b2_frame_writer_close
  uint32_t header;                     // 4: the placeholder header
  uint32_t headerLength;               // 8
  int32_t ndim;                        // 12
  int32_t chunkshape[BLOSC2_MAX_DIM];  // 16
  int32_t blockshape[BLOSC2_MAX_DIM];  // 48
  double rowBytes;                     // 80
  double chunkRows;                    // 88
  double chunksPerRow;                 // 96
  double chunkBound;                   // 104
};
static_assert(sizeof(WriterInfoAbi) == 112 && offsetof(WriterInfoAbi, blockshape) == 48 && offsetof(WriterInfoAbi, rowBytes) == 80);

// What frameWriterFinish gives (FinishedFrame): the header, then the tail, in
// one malloc'd region the caller frees.
struct FinishedAbi {
  uint32_t data;          // 0: pointer
  uint32_t headerLength;  // 4
  uint32_t tailLength;    // 8
  uint32_t unused;        // 12
  double frameLength;     // 16
  double cbytes;          // 24
  double rows;            // 32
};
static_assert(sizeof(FinishedAbi) == 40 && offsetof(FinishedAbi, frameLength) == 16);

Failure BadRequest(const char* what) { return {"ERR_INVALID_ARG", std::string("internal: bad request to the wasm core: ") + what}; }

// As requests.cc's ReadSelection (the JS side has checked the arrays).
Failure ReadSelection(const SelectionAbi& in, Selection* s) {
  if (in.ndim < 0 || in.ndim > BLOSC2_MAX_DIM) return BadRequest("start, step and count must have one entry per dimension");
  s->ndim = in.ndim;
  for (int d = 0; d < in.ndim; d++) {
    s->start[d] = Int64Of(in.start[d]);
    s->step[d] = Int64Of(in.step[d]);
    s->count[d] = Int64Of(in.count[d]);
  }
  return Ok();
}

// As requests.cc's ReadStreamSpec (the JS side has checked the shapes).
Failure ReadStreamSpec(const StreamSpecAbi& in, StreamSpec* spec) {
  if (in.ndim < 0 || in.ndim > BLOSC2_MAX_DIM) return BadRequest("shape must be an array of at most 8");
  spec->g.ndim = static_cast<int8_t>(in.ndim);
  for (int i = 0; i < in.ndim; i++) {
    spec->g.shape[i] = Int64Of(in.shape[i]);
    spec->g.chunkshape[i] = in.chunkshape[i];
    spec->g.blockshape[i] = in.blockshape[i];
  }
  spec->g.typesize = in.itemsize;
  spec->dtype = Ptr<const char>(in.dtype);
  spec->jsKind = Ptr<const char>(in.jsKind);
  spec->cp = ToCParams(in.cparams);
  spec->threads = kOneThread;
  return Ok();
}

}  // namespace
}  // namespace blosc2_wasm

using namespace blosc2_wasm;

// The sizes of SelectionAbi, StreamSpecAbi, WriterInfoAbi and FinishedAbi,
// one byte each, checked by the JS side as b2_abi()'s.
B2_EXPORT(b2_abi_random_access) uint64_t b2_abi_random_access() {
  return (uint64_t{sizeof(SelectionAbi)} << 24) | (uint64_t{sizeof(StreamSpecAbi)} << 16) | (uint64_t{sizeof(WriterInfoAbi)} << 8) |
         uint64_t{sizeof(FinishedAbi)};
}

// frameProbe: where the rest of a frame lies, from its first 87 bytes or
// more: layout[0..2] = headerLength, frameLength, indexOffset.
B2_EXPORT(b2_frame_probe) int32_t b2_frame_probe(uint8_t* prefix, uint32_t length, double* layout) {
  FrameLayout fl;
  Failure f = ProbeFrame(View{prefix, length}, &fl);
  if (f.code) return Report(f);
  layout[0] = static_cast<double>(fl.headerLen);
  layout[1] = static_cast<double>(fl.frameLength);
  layout[2] = static_cast<double>(fl.indexOffset);
  return 0;
}

// frameOpenParts: a frame opened from its header and tail, as b2_frame_open
// opens a whole one (rawOffset -1); the handle lives until b2_frame_close.
B2_EXPORT(b2_frame_open_parts)
int32_t b2_frame_open_parts(uint8_t* header, uint32_t headerLength, uint8_t* tail, uint32_t tailLength, double frameLength,
                            FrameInfoAbi* info) {
  std::unique_ptr<FrameMeta> meta(new (std::nothrow) FrameMeta());
  if (!meta) return Report({"ERR_NO_MEMORY", "cannot allocate a frame handle"});
  Failure f = OpenFrameParts(View{header, headerLength}, View{tail, tailLength}, Int64Of(frameLength), meta.get());
  if (f.code) return Report(f);
  WriteFrameInfo(meta.release(), info);
  return 0;
}

// frameIndex: decodes the offsets index from index (the frame's bytes from
// indexOffset on) into the handle, once, and checks that the geometry can be sliced.
B2_EXPORT(b2_frame_index) int32_t b2_frame_index(uint32_t handle, uint8_t* index, uint32_t length, double maxChunks) {
  FrameMeta* meta = Ptr<FrameMeta>(handle);
  int64_t most = Int64Of(maxChunks);
  Failure f = CheckSliceable(*meta);
  if (!f.code) f = LoadChunkIndex(View{index, length}, static_cast<uint64_t>(most < 0 ? 0 : most), meta);
  return Report(f);
}

// frameSlicePlan: the chunks a selection touches, ascending, and where their
// bytes lie in the frame: *data (malloc'd; the caller frees it) holds *count
// chunk numbers, then their offsets, then their lengths, as doubles.
B2_EXPORT(b2_frame_slice_plan) int32_t b2_frame_slice_plan(uint32_t handle, const SelectionAbi* request, uint32_t* data, uint32_t* count) {
  const FrameMeta& meta = *Ptr<const FrameMeta>(handle);
  Selection sel;
  Failure f = ReadSelection(*request, &sel);
  std::vector<int64_t> chunks;
  if (!f.code) f = PlanSlice(meta, sel, &chunks);
  if (f.code) return Report(f);
  size_t n = chunks.size();
  double* out = static_cast<double*>(malloc(3 * n * sizeof(double) + 1));
  if (!out) return Report({"ERR_NO_MEMORY", "cannot allocate the slice plan (WebAssembly memory is full)"});
  for (size_t i = 0; i < n; i++) {
    int64_t offset = 0, length = 0;
    ChunkExtent(meta, chunks[i], &offset, &length);
    out[i] = static_cast<double>(chunks[i]);
    out[n + i] = static_cast<double>(offset);
    out[2 * n + i] = static_cast<double>(length);
  }
  *data = Addr(out);
  *count = static_cast<uint32_t>(n);
  return 0;
}

// frameSlice from the frame in memory (the bytes the handle was opened on):
// out is exactly the selected items' bytes, all of them written.
B2_EXPORT(b2_frame_slice)
int32_t b2_frame_slice(uint32_t handle, uint8_t* frame, uint32_t length, const SelectionAbi* request, uint8_t* out, uint32_t outLength) {
  Selection sel;
  Failure f = ReadSelection(*request, &sel);
  if (!f.code) f = DecodeSlice(View{frame, length}, *Ptr<const FrameMeta>(handle), sel, View{out, outLength}, kOneThread);
  return Report(f);
}

// frameSlice from chunks read apart: ids[i] and chunks[2i], chunks[2i + 1]
// (pointer, length) name each chunk's bytes. Only the parts of out these
// chunks hold are written; boxes receives where they are (SliceChunkBoxes:
// *ndim axes, 2 * *ndim doubles per chunk; room for n * 16), so that the JS
// side copies back only those.
B2_EXPORT(b2_frame_slice_chunks)
int32_t b2_frame_slice_chunks(uint32_t handle, const SelectionAbi* request, const double* ids, const uint32_t* chunks, uint32_t n,
                              uint8_t* out, uint32_t outLength, double* boxes, int32_t* ndim) {
  const FrameMeta& meta = *Ptr<const FrameMeta>(handle);
  Selection sel;
  Failure f = ReadSelection(*request, &sel);
  if (f.code) return Report(f);
  std::vector<int64_t> idList(n);
  std::vector<View> views(n);
  for (uint32_t i = 0; i < n; i++) {
    idList[i] = Int64Of(ids[i]);
    views[i] = View{Ptr<uint8_t>(chunks[2 * i]), chunks[2 * i + 1]};
  }
  f = DecodeSliceChunks(meta, sel, idList.data(), views.data(), n, View{out, outLength}, kOneThread);
  if (f.code) return Report(f);
  std::vector<int64_t> box(static_cast<size_t>(n) * 2 * BLOSC2_MAX_DIM);
  int nd = 0;
  f = SliceChunkBoxes(meta, sel, idList.data(), n, &nd, box.data());
  if (f.code) return Report(f);
  for (size_t i = 0; i < static_cast<size_t>(n) * 2 * static_cast<size_t>(nd); i++) boxes[i] = static_cast<double>(box[i]);
  *ndim = nd;
  return 0;
}

// frameWriterOpen: the handle (a StreamWriter, until b2_frame_writer_close),
// its geometry and its placeholder header.
B2_EXPORT(b2_frame_writer_open) int32_t b2_frame_writer_open(const StreamSpecAbi* request, WriterInfoAbi* info) {
  StreamSpec spec;
  Failure f = ReadStreamSpec(*request, &spec);
  if (f.code) return Report(f);
  std::unique_ptr<StreamWriter> writer(new (std::nothrow) StreamWriter());
  if (!writer) return Report({"ERR_NO_MEMORY", "cannot allocate a frame writer"});
  f = writer->Open(spec);
  if (f.code) return Report(f);
  const Geometry& g = writer->geometry();
  std::memset(info, 0, sizeof *info);
  info->ndim = g.ndim;
  for (int i = 0; i < g.ndim; i++) {
    info->chunkshape[i] = g.chunkshape[i];
    info->blockshape[i] = g.blockshape[i];
  }
  info->rowBytes = static_cast<double>(writer->RowBytes());
  info->chunkRows = static_cast<double>(writer->ChunkRows());
  info->chunksPerRow = static_cast<double>(writer->ChunksPerRow());
  info->chunkBound = static_cast<double>(writer->ChunkBound());
  info->header = Addr(writer->PlaceholderHeader().data());
  info->headerLength = static_cast<uint32_t>(writer->PlaceholderHeader().size());
  info->handle = Addr(writer.release());
  return 0;
}

// frameWriterAppend: the next chunks of a chunk row into out; *written their
// bytes, *inRow whether the row wants the same rows again (the JS side keeps
// its copy of them until then).
B2_EXPORT(b2_frame_writer_append)
int32_t b2_frame_writer_append(uint32_t handle, uint8_t* rows, uint32_t rowsLength, uint8_t* out, uint32_t outLength, double* written,
                               int32_t* inRow) {
  StreamWriter* w = Ptr<StreamWriter>(handle);
  *written = 0;
  if (!w->Enter()) return Report({"ERR_INVALID_ARG", "the frame writer is busy with another call"});
  size_t n = 0;
  Failure f = w->Append(View{rows, rowsLength}, View{out, outLength}, &n);
  w->Leave();
  *written = static_cast<double>(n);
  *inRow = w->InRow();
  return Report(f);
}

// frameWriterFinish: the real header and the tail (index and trailer).
B2_EXPORT(b2_frame_writer_finish) int32_t b2_frame_writer_finish(uint32_t handle, FinishedAbi* out) {
  StreamWriter* w = Ptr<StreamWriter>(handle);
  if (!w->Enter()) return Report({"ERR_INVALID_ARG", "the frame writer is busy with another call"});
  std::vector<uint8_t> header, tail;
  int64_t frameLength = 0;
  Failure f = w->Finish(&header, &tail, &frameLength);
  w->Leave();
  if (f.code) return Report(f);
  uint8_t* data = static_cast<uint8_t*>(malloc(header.size() + tail.size() + 1));
  if (!data) return Report({"ERR_NO_MEMORY", "cannot allocate the frame's header and tail (WebAssembly memory is full)"});
  std::memcpy(data, header.data(), header.size());
  std::memcpy(data + header.size(), tail.data(), tail.size());
  std::memset(out, 0, sizeof *out);
  out->data = Addr(data);
  out->headerLength = static_cast<uint32_t>(header.size());
  out->tailLength = static_cast<uint32_t>(tail.size());
  out->frameLength = static_cast<double>(frameLength);
  out->cbytes = static_cast<double>(w->StoredBytes());
  out->rows = static_cast<double>(w->Rows());
  return 0;
}

B2_EXPORT(b2_frame_writer_close) void b2_frame_writer_close(uint32_t handle) { delete Ptr<StreamWriter>(handle); }
