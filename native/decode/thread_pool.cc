#include "decode/thread_pool.h"

#include <atomic>
#include <cstdlib>
#include <memory>

namespace mnf::decode {

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_ && tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

namespace {
// Shared by the tasks of one ParallelFor call: a work counter and a completion latch.
struct Job {
  explicit Job(size_t n, const std::function<void(size_t)>& b) : count(n), body(b) {}
  size_t count;
  const std::function<void(size_t)>& body;
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::condition_variable finished;
  size_t done = 0;

  // Claims indices until none are left; returns how many this thread ran.
  void Drain() {
    size_t ran = 0;
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      body(i);
      ++ran;
    }
    if (ran == 0) return;
    std::lock_guard<std::mutex> lock(mutex);
    done += ran;
    if (done == count) finished.notify_all();
  }
};
}  // namespace

void ThreadPool::ParallelFor(size_t count, const std::function<void(size_t)>& body) {
  if (count == 0) return;
  auto job = std::make_shared<Job>(count, body);
  // Only the pool's threads run bodies (the caller waits): with several batches in flight the
  // number of decoding threads stays Size(), whatever the number of callers.
  size_t helpers = std::min(workers_.size(), count);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < helpers; ++i) tasks_.emplace_back([job] { job->Drain(); });
  }
  wake_.notify_all();
  std::unique_lock<std::mutex> lock(job->mutex);
  job->finished.wait(lock, [&] { return job->done == job->count; });
}

ThreadPool& Pool() {
  // Never destroyed: at process exit a decode job may still be running on a libuv thread (a
  // prefetched batch when the engine's worker ends); joining or destroying the pool under it is
  // undefined behaviour. The threads end with the process.
  static ThreadPool* pool = new ThreadPool([] {
    if (const char* env = std::getenv("MNF_DECODE_THREADS")) {
      long n = std::strtol(env, nullptr, 10);
      if (n > 0 && n < 1024) return static_cast<size_t>(n);
    }
    size_t hw = std::thread::hardware_concurrency();
    return hw > 0 ? hw : size_t{1};
  }());
  return *pool;
}

}  // namespace mnf::decode
