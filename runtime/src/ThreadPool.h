//===- ThreadPool.h - the parallel_for behind kiln_host_api_t -------------===//
//
// A fixed set of worker threads that split an index range with the calling
// thread. Nothing is allocated per parallel_for: workers pull chunks of the
// range from one atomic counter.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_THREADPOOL_H
#define KILN_RUNTIME_SRC_THREADPOOL_H

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace kiln::rt {

class ThreadPool {
public:
  using Fn = void (*)(void *ctx, int64_t index);

  ThreadPool() = default;
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;
  /// Stops and joins the workers.
  ~ThreadPool();

  /// Starts `numThreads - 1` workers (the caller is the last thread).
  /// Returns an empty string, or why a thread could not be started.
  std::string start(int numThreads);

  /// Threads that run a parallelFor, the caller included.
  int numThreads() const { return static_cast<int>(workers.size()) + 1; }

  /// Runs fn(ctx, i) for every i in [0, count) and returns when all have
  /// finished. Runs inline when count is 1, there are no workers, or when
  /// called from inside a parallelFor. One parallelFor at a time.
  void parallelFor(int64_t count, Fn fn, void *ctx);

  /// kiln_host_api_t.parallel_for: `pool` is a ThreadPool.
  static void hostParallelFor(void *pool, int64_t count, Fn fn, void *ctx);

private:
  static void *workerMain(void *self);
  void work();
  /// Runs chunks of the current job until the range is exhausted; returns
  /// how many indices this thread ran.
  int64_t runChunks();

  std::vector<pthread_t> workers;
  std::mutex mutex;
  std::condition_variable wake;     // workers wait for a new job or stop
  std::condition_variable finished; // the caller waits for the job's end
  uint64_t generation = 0;          // bumped for every job
  bool stopping = false;
  int active = 0;   // workers inside the current job
  int64_t done = 0; // indices finished in the current job
  // The current job; written only while no worker is active.
  Fn jobFn = nullptr;
  void *jobCtx = nullptr;
  int64_t jobCount = 0;
  int64_t jobChunk = 1;
  std::atomic<int64_t> next{0};
};

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_THREADPOOL_H
