// An AsyncWorker whose result settles a promise; subclasses fill Execute() and Result().
#pragma once
#include <napi.h>

namespace mnf {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* name) : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  virtual Napi::Value Result(Napi::Env env) = 0;
  // A worker that finishes while its environment shuts down (process.exit, worker.terminate) can no
  // longer settle the promise; N-API then reports an error that must not escape (std::terminate).
  void OnOK() override {
    try {
      deferred_.Resolve(Result(Env()));
    } catch (const Napi::Error&) {
    }
  }
  void OnError(const Napi::Error& error) override {
    try {
      deferred_.Reject(error.Value());
    } catch (const Napi::Error&) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
};

}  // namespace mnf
