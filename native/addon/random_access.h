// The Node-API exports of random access (frames read in pieces, slices of
// frames) and of the chunk-by-chunk frame writer: named requests of
// src/backend/types.ts over native/frame_parts.cc, frame_slice.cc and
// frame_stream_writer.cc.
#pragma once

#include <napi.h>

#include <memory>

#include "../frame_reader.h"

namespace blosc2_node::js {

// What an opened frame's header and metalayers say, and its handle (owning meta).
Napi::Object OpenedFrameObject(Napi::Env env, std::unique_ptr<FrameMeta> meta);

// Adds frameProbe, frameOpenParts, frameIndex, frameSlicePlan, frameSlice,
// frameSliceAsync and the frameWriter* calls to exports.
void RegisterRandomAccess(Napi::Env env, Napi::Object exports);

}  // namespace blosc2_node::js
