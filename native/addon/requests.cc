// Reading named request objects; see requests.h.
#include "requests.h"

#include "../huge_pages.h"
#include "js_errors.h"

namespace blosc2_node::js {

namespace {
Napi::Value Field(const Napi::Object& o, const char* name) { return o.Get(name); }
}  // namespace

int32_t AttrAsInt32(const Napi::Object& o, const char* name) {
  Napi::Value v = Field(o, name);
  if (!v.IsNumber()) ThrowBadRequest(o.Env(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

int64_t AttrAsInt64(const Napi::Object& o, const char* name) {
  Napi::Value v = Field(o, name);
  if (!v.IsNumber()) ThrowBadRequest(o.Env(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

std::string AttrAsStr(const Napi::Object& o, const char* name) {
  Napi::Value v = Field(o, name);
  if (!v.IsString()) ThrowBadRequest(o.Env(), std::string(name) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

Napi::Object AttrAsObject(const Napi::Object& o, const char* name) {
  Napi::Value v = Field(o, name);
  if (!v.IsObject()) ThrowBadRequest(o.Env(), std::string(name) + " must be an object");
  return v.As<Napi::Object>();
}

View AsView(Napi::Env env, const Napi::Value& value, const char* name) {
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
    ThrowBadRequest(env, std::string(name) + " must be an ArrayBufferView");
  }
  bool detached = false;
  if (buffer != nullptr && napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached) {
    Throw(env, Failure{"ERR_DETACHED", std::string(name) + " is backed by a detached ArrayBuffer"});
  }
  return v;
}

View CallbackView(const Napi::Function& fn, size_t length, size_t atLeast, const char* name) {
  Napi::Env env = fn.Env();
  Napi::Value target = fn.Call({Napi::Number::New(env, static_cast<double>(length))});
  View t = AsView(env, target, name);
  if (t.length < atLeast) Throw(env, Failure{"ERR_OUTPUT_TOO_SMALL", std::string(name) + " returned a short view"});
  AdviseHugePages(t.data, atLeast);
  return t;
}

View AttrAsView(const Napi::Object& o, const char* name) { return AsView(o.Env(), Field(o, name), name); }

ThreadRequest AttrAsThreads(const Napi::Object& o) {
  int32_t count = AttrAsInt32(o, "nthreads");
  Napi::Value bySize = Field(o, "threadsBySize");
  if (!bySize.IsBoolean()) ThrowBadRequest(o.Env(), "threadsBySize must be a boolean");
  return ThreadRequest{count, bySize.As<Napi::Boolean>().Value()};
}

blosc2_cparams AttrAsCParams(const Napi::Object& o, const char* name) {
  Napi::Object c = AttrAsObject(o, name);
  blosc2_cparams cp = BLOSC2_CPARAMS_DEFAULTS;
  cp.clevel = static_cast<uint8_t>(AttrAsInt32(c, "clevel"));
  cp.compcode = static_cast<uint8_t>(AttrAsInt32(c, "codec"));
  cp.typesize = AttrAsInt32(c, "typesize");
  cp.nthreads = static_cast<int16_t>(AttrAsInt32(c, "nthreads"));
  cp.blocksize = AttrAsInt32(c, "blocksize");
  cp.splitmode = AttrAsInt32(c, "splitmode");
  Napi::Value filters = c.Get("filters"), meta = c.Get("filtersMeta");
  if (!filters.IsArray() || !meta.IsArray() || filters.As<Napi::Array>().Length() != BLOSC2_MAX_FILTERS ||
      meta.As<Napi::Array>().Length() != BLOSC2_MAX_FILTERS) {
    ThrowBadRequest(o.Env(), std::string(name) + ".filters and .filtersMeta must be arrays of 6 slots");
  }
  for (uint32_t i = 0; i < BLOSC2_MAX_FILTERS; i++) {
    cp.filters[i] = static_cast<uint8_t>(filters.As<Napi::Array>().Get(i).As<Napi::Number>().Uint32Value());
    cp.filters_meta[i] = static_cast<uint8_t>(meta.As<Napi::Array>().Get(i).As<Napi::Number>().Int32Value());
  }
  return cp;
}

FrameSpec ReadFrameSpec(const Napi::Object& request) {
  Napi::Env env = request.Env();
  FrameSpec spec;
  spec.data = AttrAsView(request, "data");
  Napi::Value shape = request.Get("shape");
  if (!shape.IsArray() || shape.As<Napi::Array>().Length() > BLOSC2_MAX_DIM) ThrowBadRequest(env, "shape must be an array of at most 8");
  Napi::Array dims = shape.As<Napi::Array>();
  spec.g.ndim = static_cast<int8_t>(dims.Length());
  for (uint32_t i = 0; i < dims.Length(); i++) spec.g.shape[i] = dims.Get(i).As<Napi::Number>().Int64Value();
  spec.g.typesize = AttrAsInt32(request, "itemsize");
  spec.dtype = AttrAsStr(request, "dtype");
  spec.jsKind = AttrAsStr(request, "jsKind");
  spec.cp = AttrAsCParams(request, "cparams");
  spec.threads = AttrAsThreads(AttrAsObject(request, "cparams"));
  Failure f = ChooseFrameGeometry(&spec);
  if (f.code) Throw(env, f);
  return spec;
}

}  // namespace blosc2_node::js
