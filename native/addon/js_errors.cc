// Failures as JS errors; see js_errors.h.
#include "js_errors.h"

#include <mutex>

extern "C" {
#include <blosc2.h>
}

namespace blosc2_node::js {

namespace {
struct InstanceData {
  Napi::FunctionReference errorClass;
};
}  // namespace

namespace {
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  auto* data = info.Env().GetInstanceData<InstanceData>();
  data->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}
}  // namespace

void InitInstance(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;
  std::call_once(once, [] { blosc2_init(); });
  env.SetInstanceData(new InstanceData());
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
}

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

void Throw(Napi::Env env, const Failure& f) { throw MakeError(env, f); }

void ThrowBadRequest(Napi::Env env, const std::string& what) {
  Throw(env, Failure{"ERR_INVALID_ARG", "internal: bad request to the native addon: " + what});
}

}  // namespace blosc2_node::js
