//===- ThreadPool.cpp - workers that share index ranges with the caller ---===//

#include "runtime/src/ThreadPool.h"

#include <cstring>

using namespace kiln::rt;

namespace {
/// Set while a thread runs a job's body: nested parallelFor runs inline.
thread_local bool insideJob = false;
} // namespace

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (pthread_t t : workers)
    pthread_join(t, nullptr);
}

std::string ThreadPool::start(int numThreads) {
  workers.reserve(numThreads > 1 ? numThreads - 1 : 0);
  for (int i = 1; i < numThreads; ++i) {
    pthread_t thread;
    if (int err =
            pthread_create(&thread, nullptr, &ThreadPool::workerMain, this))
      return "cannot start thread " + std::to_string(i) + " of " +
             std::to_string(numThreads) + ": " + std::strerror(err);
    workers.push_back(thread);
  }
  return "";
}

void *ThreadPool::workerMain(void *self) {
  static_cast<ThreadPool *>(self)->work();
  return nullptr;
}

int64_t ThreadPool::runChunks() {
  bool outer = insideJob;
  insideJob = true;
  int64_t ran = 0;
  for (;;) {
    int64_t begin = next.fetch_add(jobChunk, std::memory_order_relaxed);
    if (begin >= jobCount)
      break;
    int64_t end = begin + jobChunk < jobCount ? begin + jobChunk : jobCount;
    for (int64_t i = begin; i < end; ++i)
      jobFn(jobCtx, i);
    ran += end - begin;
  }
  insideJob = outer;
  return ran;
}

void ThreadPool::work() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    wake.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    ++active;
    lock.unlock();
    int64_t ran = runChunks();
    lock.lock();
    done += ran;
    if (--active == 0 || done == jobCount)
      finished.notify_one();
  }
}

void ThreadPool::parallelFor(int64_t count, Fn fn, void *ctx) {
  if (count <= 0)
    return;
  if (count == 1 || workers.empty() || insideJob) {
    for (int64_t i = 0; i < count; ++i)
      fn(ctx, i);
    return;
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    // A worker that woke late for the previous job may still be leaving it.
    finished.wait(lock, [&] { return active == 0; });
    jobFn = fn;
    jobCtx = ctx;
    jobCount = count;
    // About four chunks per thread balance load without much contention.
    int64_t chunks = int64_t{numThreads()} * 4;
    jobChunk = count / chunks > 0 ? count / chunks : 1;
    done = 0;
    next.store(0, std::memory_order_relaxed);
    ++generation;
  }
  wake.notify_all();
  int64_t ran = runChunks();
  std::unique_lock<std::mutex> lock(mutex);
  done += ran;
  finished.wait(lock, [&] { return done == jobCount && active == 0; });
}

void ThreadPool::hostParallelFor(void *pool, int64_t count, Fn fn, void *ctx) {
  static_cast<ThreadPool *>(pool)->parallelFor(count, fn, ctx);
}
