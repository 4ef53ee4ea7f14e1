// Failures as JS errors. The JS side hands its Blosc2Error class to each
// addon instance (main thread and each worker) once, so errors made here are
// real Blosc2Errors; until then they are plain Errors with a code. As in
// better-sqlite3, the class comes from JS and an error is thrown only when no
// exception is already pending.
#pragma once

#include <napi.h>

#include <string>

#include "../errors.h"

namespace blosc2_node::js {

// Call first in every addon's Init: initializes C-Blosc2 (once per process),
// makes this instance's data and exports setErrorClass(cls).
void InitInstance(Napi::Env env, Napi::Object exports);

Napi::Error MakeError(Napi::Env env, const Failure& f);

[[noreturn]] void Throw(Napi::Env env, const Failure& f);

// A request the JS layer built wrongly: a bug of ours, not bad user input.
[[noreturn]] void ThrowBadRequest(Napi::Env env, const std::string& what);

}  // namespace blosc2_node::js
