// distributed capability: MPI collectives over host typed arrays (Open MPI, loaded by mpi_api.cc).
//   mpiInit() -> { rank, size, library }
//   mpiAllreduceSum(Float32Array) -> Promise<Float32Array>    the sum over ranks, in place
//   mpiAllgather(Float32Array | Int32Array) -> Promise<same>  every rank's array, rank order (equal lengths)
//   mpiAllreduceSumNow, mpiAllgatherNow                        the same, blocking the JS thread
//   mpiBroadcast(typedArray, root) -> Promise<typedArray>     root's bytes, in place
//   mpiBarrier() -> Promise<void>
//   mpiAbort(code, message)                                   prints the line, ends every rank
//   mpiFinalize()
// Every collective runs off the JS thread, and they run one at a time in the order JS issued them:
// MPI requires every rank to call the same collectives in the same order, and the thread level asked
// for (MPI_THREAD_SERIALIZED) allows one thread inside MPI at a time.
#include <napi.h>

#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/napi_args.h"
#include "common/promise_worker.h"
#include "distributed/mpi_api.h"
#include "modules.h"

namespace mnf {
namespace {

// Tickets taken on the JS thread in issue order; a worker runs only once every earlier one finished.
class IssueOrder {
 public:
  uint64_t Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return issued_++;
  }
  void WaitTurn(uint64_t ticket) {
    std::unique_lock<std::mutex> lock(mutex_);
    turn_.wait(lock, [&] { return done_ == ticket; });
  }
  void Finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++done_;
    }
    turn_.notify_all();
  }
  uint64_t InFlight() {
    std::lock_guard<std::mutex> lock(mutex_);
    return issued_ - done_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable turn_;
  uint64_t issued_ = 0;
  uint64_t done_ = 0;
};

IssueOrder& Order() {
  static IssueOrder order;
  return order;
}

// The world as mpiInit found it; size 0 until then and after mpiFinalize.
std::atomic<int> g_rank{0};
std::atomic<int> g_size{0};

const mpi::Api& LoadApi(Napi::Env env) {
  try {
    return mpi::Load();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

const mpi::Api& InitializedApi(Napi::Env env, const char* function) {
  if (g_size.load() == 0) throw Napi::Error::New(env, std::string(function) + ": MPI is not initialized (call mpiInit first)");
  return mpi::Load();
}

class CollectiveWorker final : public PromiseWorker {
 public:
  using Call = std::function<int(const mpi::Api&)>;

  // `keep`: the arrays the call reads or writes, held until it ends; `result` settles the promise.
  CollectiveWorker(Napi::Env env, const char* name, const mpi::Api& api, Call call, std::vector<Napi::Value> keep, Napi::Value result)
      : PromiseWorker(env, name), name_(name), api_(api), call_(std::move(call)) {
    for (const Napi::Value& value : keep) keep_.push_back(Napi::Persistent(value));
    if (!result.IsUndefined()) result_ = Napi::Persistent(result);
  }

  // Takes the worker's place in the issue order and queues it (node-addon-api deletes it when done).
  Napi::Promise Start() {
    Napi::Promise promise = Promise();
    ticket_ = Order().Take();
    Queue();
    return promise;
  }

  void Execute() override {
    Order().WaitTurn(ticket_);
    struct Done {
      ~Done() { Order().Finish(); }
    } done;
    const int rc = call_(api_);
    if (rc != mpi::kSuccess) SetError(std::string(name_) + ": " + mpi::ErrorText(api_, rc));
  }

 protected:
  Napi::Value Result(Napi::Env env) override { return result_.IsEmpty() ? env.Undefined() : result_.Value(); }

 private:
  const char* name_;
  const mpi::Api& api_;
  Call call_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
  Napi::Reference<Napi::Value> result_;
  uint64_t ticket_ = 0;
};

int ExpectCount(Napi::Env env, size_t count, const char* what) {
  if (count > static_cast<size_t>(INT_MAX)) {
    ThrowRange(env, std::string(what) + ": at most " + std::to_string(INT_MAX) + " elements per call, got " + std::to_string(count));
  }
  return static_cast<int>(count);
}

Napi::Value MpiInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const mpi::Api& api = LoadApi(env);
  int finalized = 0;
  api.Finalized(&finalized);
  if (finalized) throw Napi::Error::New(env, "mpiInit: MPI was finalized in this process and cannot start again");
  if (g_size.load() == 0) {
    int initialized = 0;
    api.Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      int rc = api.Init_thread(nullptr, nullptr, mpi::kThreadSerialized, &provided);
      if (rc != mpi::kSuccess) throw Napi::Error::New(env, "MPI_Init_thread: " + mpi::ErrorText(api, rc));
      if (provided < mpi::kThreadSerialized) {
        throw Napi::Error::New(env, "MPI_Init_thread: " + api.path + " provides thread level " + std::to_string(provided) +
                                        ", collectives off the JS thread need MPI_THREAD_SERIALIZED (2)");
      }
    }
    // errors come back as codes (and become rejected promises) instead of ending the job unexplained
    api.Comm_set_errhandler(api.commWorld, api.errorsReturn);
    int rank = 0, size = 0;
    api.Comm_rank(api.commWorld, &rank);
    api.Comm_size(api.commWorld, &size);
    g_rank = rank;
    g_size = size;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("rank", g_rank.load());
  out.Set("size", g_size.load());
  out.Set("library", api.path);
  return out;
}

// One collective call, its arguments checked: what runs, the arrays it touches, what it returns.
struct Collective {
  CollectiveWorker::Call call;
  std::vector<Napi::Value> keep;
  Napi::Value result;
};

Napi::Promise Queue(Napi::Env env, const char* name, Collective c) {
  auto* worker = new CollectiveWorker(env, name, mpi::Load(), std::move(c.call), std::move(c.keep), c.result);
  return worker->Start();
}

// Runs the call on the JS thread, in its place in the issue order (after every collective issued
// before it): for collectives inside a training step's graph, whose caller needs the values to go on.
Napi::Value RunNow(Napi::Env env, const char* name, Collective c) {
  const uint64_t ticket = Order().Take();
  Order().WaitTurn(ticket);
  int rc = 0;
  {
    struct Done {
      ~Done() { Order().Finish(); }
    } done;
    rc = c.call(mpi::Load());
  }
  if (rc != mpi::kSuccess) throw Napi::Error::New(env, std::string(name) + ": " + mpi::ErrorText(mpi::Load(), rc));
  return c.result;
}

Collective AllreduceSum(const Napi::CallbackInfo& info, const char* name) {
  Napi::Env env = info.Env();
  Napi::Float32Array array = ExpectF32(Arg(info, 0, "values"), "values");
  InitializedApi(env, name);
  const int count = ExpectCount(env, array.ElementLength(), "values");
  float* data = array.Data();
  auto call = [data, count](const mpi::Api& mpi) { return mpi.Allreduce(mpi::kInPlace, data, count, mpi.floatType, mpi.sum, mpi.commWorld); };
  return {call, {array}, array};
}

Collective Allgather(const Napi::CallbackInfo& info, const char* name) {
  Napi::Env env = info.Env();
  Napi::Value value = Arg(info, 0, "values");
  const bool isFloat = value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
  const bool isInt = value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array;
  if (!isFloat && !isInt) ThrowType(env, "values: expected a Float32Array or an Int32Array");
  InitializedApi(env, name);
  Napi::TypedArray input = value.As<Napi::TypedArray>();
  const size_t length = input.ElementLength();
  const int count = ExpectCount(env, length, "values");
  const size_t size = static_cast<size_t>(g_size.load());
  ExpectCount(env, length * size, "values × world size");
  Napi::TypedArray output;
  void* send;
  void* receive;
  if (isFloat) {
    Napi::Float32Array out = Napi::Float32Array::New(env, length * size);
    send = input.As<Napi::Float32Array>().Data();
    receive = out.Data();
    output = out;
  } else {
    Napi::Int32Array out = Napi::Int32Array::New(env, length * size);
    send = input.As<Napi::Int32Array>().Data();
    receive = out.Data();
    output = out;
  }
  auto call = [send, receive, count, isFloat](const mpi::Api& mpi) {
    mpi::Datatype type = isFloat ? mpi.floatType : mpi.intType;
    return mpi.Allgather(send, count, type, receive, count, type, mpi.commWorld);
  };
  return {call, {input, output}, output};
}

Napi::Value MpiAllreduceSum(const Napi::CallbackInfo& info) { return Queue(info.Env(), "mpiAllreduceSum", AllreduceSum(info, "mpiAllreduceSum")); }
Napi::Value MpiAllreduceSumNow(const Napi::CallbackInfo& info) { return RunNow(info.Env(), "mpiAllreduceSumNow", AllreduceSum(info, "mpiAllreduceSumNow")); }
Napi::Value MpiAllgather(const Napi::CallbackInfo& info) { return Queue(info.Env(), "mpiAllgather", Allgather(info, "mpiAllgather")); }
Napi::Value MpiAllgatherNow(const Napi::CallbackInfo& info) { return RunNow(info.Env(), "mpiAllgatherNow", Allgather(info, "mpiAllgatherNow")); }

Napi::Value MpiBroadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value value = Arg(info, 0, "values");
  if (!value.IsTypedArray()) ThrowType(env, "values: expected a typed array");
  const int64_t root = ExpectInt(Arg(info, 1, "root"), "root");
  InitializedApi(env, "mpiBroadcast");
  if (root < 0 || root >= g_size.load()) {
    ThrowRange(env, "root: expected a rank in 0.." + std::to_string(g_size.load() - 1) + ", got " + std::to_string(root));
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  const int bytes = ExpectCount(env, array.ByteLength(), "values (bytes)");
  uint8_t* data = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  const int rootRank = static_cast<int>(root);
  auto call = [data, bytes, rootRank](const mpi::Api& mpi) { return mpi.Bcast(data, bytes, mpi.byteType, rootRank, mpi.commWorld); };
  return Queue(env, "mpiBroadcast", {call, {array}, array});
}

Napi::Value MpiBarrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InitializedApi(env, "mpiBarrier");
  auto call = [](const mpi::Api& mpi) { return mpi.Barrier(mpi.commWorld); };
  return Queue(env, "mpiBarrier", {call, {}, env.Undefined()});
}

// Called from the JS thread even while a collective waits on a worker thread (a peer failed): the
// one call MPI_THREAD_SERIALIZED's rule gives way for, since it does not return.
Napi::Value MpiAbort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t code = ExpectInt(Arg(info, 0, "code"), "code");
  if (code < 1 || code > 255) ThrowRange(env, "code: expected an exit code in 1..255, got " + std::to_string(code));
  const std::string message = ExpectString(Arg(info, 1, "message"), "message");
  const mpi::Api& api = InitializedApi(env, "mpiAbort");
  std::fputs((message + "\n").c_str(), stderr);
  std::fflush(stderr);
  api.Abort(api.commWorld, static_cast<int>(code));
  return env.Undefined();
}

Napi::Value MpiFinalize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (g_size.load() == 0) return env.Undefined();
  const uint64_t inFlight = Order().InFlight();
  if (inFlight != 0) {
    throw Napi::Error::New(env, "mpiFinalize: " + std::to_string(inFlight) + " collective call(s) still in flight (await them first)");
  }
  const mpi::Api& api = mpi::Load();
  g_size = 0;
  int rc = api.Finalize();
  if (rc != mpi::kSuccess) throw Napi::Error::New(env, "MPI_Finalize: " + mpi::ErrorText(api, rc));
  return env.Undefined();
}

}  // namespace

void RegisterDistributed(Napi::Env env, Napi::Object exports) {
  exports.Set("mpiInit", Napi::Function::New(env, MpiInit, "mpiInit"));
  exports.Set("mpiAllreduceSum", Napi::Function::New(env, MpiAllreduceSum, "mpiAllreduceSum"));
  exports.Set("mpiAllreduceSumNow", Napi::Function::New(env, MpiAllreduceSumNow, "mpiAllreduceSumNow"));
  exports.Set("mpiAllgather", Napi::Function::New(env, MpiAllgather, "mpiAllgather"));
  exports.Set("mpiAllgatherNow", Napi::Function::New(env, MpiAllgatherNow, "mpiAllgatherNow"));
  exports.Set("mpiBroadcast", Napi::Function::New(env, MpiBroadcast, "mpiBroadcast"));
  exports.Set("mpiBarrier", Napi::Function::New(env, MpiBarrier, "mpiBarrier"));
  exports.Set("mpiAbort", Napi::Function::New(env, MpiAbort, "mpiAbort"));
  exports.Set("mpiFinalize", Napi::Function::New(env, MpiFinalize, "mpiFinalize"));
}

}  // namespace mnf
