// Reading the named request objects the JS layer sends (src/backend/types.ts
// declares one type per request), field by field, as sharp reads its
// options: AttrAsInt32(request, "nthreads"). The JS layer has validated the
// user's input; what is checked here is only that a field exists with the
// type the C++ needs, and that views are attached.
#pragma once

#include <napi.h>

#include <string>

#include "../chunk.h"
#include "../frame_writer.h"

namespace blosc2_node::js {

int32_t AttrAsInt32(const Napi::Object& o, const char* name);
int64_t AttrAsInt64(const Napi::Object& o, const char* name);
std::string AttrAsStr(const Napi::Object& o, const char* name);
Napi::Object AttrAsObject(const Napi::Object& o, const char* name);
// The bytes a TypedArray or DataView field views, in place.
View AttrAsView(const Napi::Object& o, const char* name);
View AsView(Napi::Env env, const Napi::Value& value, const char* name);

// Calls a request's callback fn(length) and returns the view it gives back,
// which must hold at least atLeast bytes (huge pages advised on them).
View CallbackView(const Napi::Function& fn, size_t length, size_t atLeast, const char* name);

// cparams: { clevel, codec, typesize, nthreads, threadsBySize, blocksize,
// splitmode, filters: 6 ids, filtersMeta: 6 bytes }
blosc2_cparams AttrAsCParams(const Napi::Object& o, const char* name);

// { nthreads, threadsBySize }: exactly nthreads, or (threadsBySize) up to
// nthreads chosen by the call's size (threads.h).
ThreadRequest AttrAsThreads(const Napi::Object& o);

// A frame to encode: { data, shape, itemsize, dtype, jsKind, cparams }, its
// geometry chosen here (frame_writer.h, ChooseFrameGeometry).
FrameSpec ReadFrameSpec(const Napi::Object& request);

}  // namespace blosc2_node::js
