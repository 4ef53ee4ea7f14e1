// Async work of the bindings: a request's work on the libuv pool, settling a
// promise. A job holds the request object through a reference, so nothing it
// points at can be collected while it runs, and reads and writes the views in
// place. The JS layer refuses resizable buffers for async calls and marks the
// others untransferable.
#pragma once

#include <napi.h>

#include <utility>

#include "../threads.h"
#include "js_errors.h"

namespace blosc2_node::js {

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

}  // namespace blosc2_node::js
