// A fixed pool of worker threads shared by every decode job. ParallelFor may be called from several
// threads at once (one per batch in flight); each call waits only for its own tasks.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mnf::decode {

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs body(i) for i in [0, count) on the pool's threads and returns when all are done. The caller
  // only waits, so a body must not call ParallelFor itself.
  void ParallelFor(size_t count, const std::function<void(size_t)>& body);
  size_t Size() const { return workers_.size(); }

 private:
  void Work();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

// The process-wide pool: MNF_DECODE_THREADS threads, else one per hardware thread.
ThreadPool& Pool();

}  // namespace mnf::decode
