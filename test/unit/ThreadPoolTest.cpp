// Unit tests for the runtime's thread pool (runtime/src/ThreadPool.cpp), the
// parallel_for that generated code calls.
#include "runtime/src/ThreadPool.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

using kiln::rt::ThreadPool;

namespace {

struct Visits {
  std::vector<std::atomic<int>> counts;
  explicit Visits(int64_t n) : counts(static_cast<size_t>(n)) {}
  static void visit(void *ctx, int64_t i) {
    static_cast<Visits *>(ctx)->counts[static_cast<size_t>(i)]++;
  }
  bool eachOnce() const {
    for (const auto &c : counts)
      if (c.load() != 1)
        return false;
    return true;
  }
};

} // namespace

TEST_CASE("thread pool: every index runs exactly once, for any count and "
          "thread count",
          "[runtime][threadpool]") {
  for (int threads : {1, 2, 4, 7}) {
    ThreadPool pool;
    REQUIRE(pool.start(threads) == "");
    CHECK(pool.numThreads() == threads);
    for (int64_t count : {0, 1, 2, 3, 7, 64, 1000, 4099}) {
      Visits v(count);
      pool.parallelFor(count, &Visits::visit, &v);
      INFO(threads << " threads, count " << count);
      CHECK(v.eachOnce());
    }
  }
}

TEST_CASE("thread pool: back-to-back jobs never mix", "[runtime][threadpool]") {
  // Late workers of one job must not run indices of the next: every job
  // counts into its own array.
  ThreadPool pool;
  REQUIRE(pool.start(4) == "");
  for (int round = 0; round < 2000; ++round) {
    Visits v(1 + round % 37);
    pool.parallelFor(static_cast<int64_t>(v.counts.size()), &Visits::visit, &v);
    REQUIRE(v.eachOnce());
  }
}

TEST_CASE("thread pool: work really spreads over the threads",
          "[runtime][threadpool]") {
  ThreadPool pool;
  REQUIRE(pool.start(4) == "");
  struct Seen {
    std::mutex mutex;
    std::set<std::thread::id> ids;
    static void visit(void *ctx, int64_t) {
      auto *s = static_cast<Seen *>(ctx);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      std::lock_guard<std::mutex> lock(s->mutex);
      s->ids.insert(std::this_thread::get_id());
    }
  } seen;
  pool.parallelFor(64, &Seen::visit, &seen);
  CHECK(seen.ids.size() > 1);
  CHECK(seen.ids.count(std::this_thread::get_id()) == 1); // the caller helps
}

TEST_CASE("thread pool: a nested parallel_for runs inline instead of "
          "deadlocking",
          "[runtime][threadpool]") {
  ThreadPool pool;
  REQUIRE(pool.start(3) == "");
  struct Outer {
    ThreadPool *pool;
    std::atomic<int> inner{0};
    static void innerVisit(void *ctx, int64_t) {
      static_cast<Outer *>(ctx)->inner++;
    }
    static void visit(void *ctx, int64_t) {
      auto *o = static_cast<Outer *>(ctx);
      o->pool->parallelFor(5, &Outer::innerVisit, o);
    }
  } outer;
  outer.pool = &pool;
  pool.parallelFor(8, &Outer::visit, &outer);
  CHECK(outer.inner.load() == 40);
}
