//===- Report.cpp - what the optimizer did, for --kiln-opt-report ---------===//

#include "passes/Report.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <vector>

using namespace mlir;

namespace {
/// The notes of the report being collected, in order, by pass.
struct Collector {
  std::mutex mutex;
  std::atomic<bool> active{false};
  std::vector<std::pair<std::string, std::string>> notes;
};
Collector &collector() {
  static Collector c;
  return c;
}

/// Kiln ops in `op` other than constants and terminators; a fusion counts
/// once (it is one kernel), loop bodies count in full.
int64_t countOps(Operation *op) {
  int64_t n = 0;
  op->walk<WalkOrder::PreOrder>([&](Operation *inner) {
    llvm::StringRef name = inner->getName().getStringRef();
    if (!name.starts_with("kiln.") || name == "kiln.yield" ||
        name == "kiln.constant")
      return WalkResult::advance();
    ++n;
    return name == "kiln.fusion" ? WalkResult::skip() : WalkResult::advance();
  });
  return n;
}

class ReportInstrumentation : public PassInstrumentation {
public:
  explicit ReportInstrumentation(std::string path) : path(std::move(path)) {
    collector().active = true;
  }

  void runBeforePass(Pass *pass, Operation *op) override {
    if (isa<ModuleOp>(op) || pass->getArgument().empty())
      return;
    std::lock_guard<std::mutex> lock(mutex);
    before[op] = countOps(op);
  }

  void runAfterPass(Pass *pass, Operation *op) override {
    if (isa<ModuleOp>(op) || pass->getArgument().empty())
      return;
    std::lock_guard<std::mutex> lock(mutex);
    // The k-th pass run on each function shares row k, so functions that
    // run the same pipeline (possibly in parallel) add up.
    size_t k = passesRun[op]++;
    if (rows.size() <= k)
      rows.resize(k + 1);
    Row &row = rows[k];
    if (row.pass.empty())
      row.pass = pass->getArgument().str();
    row.before += before[op];
    row.after += countOps(op);
  }

  ~ReportInstrumentation() override {
    collector().active = false;
    std::error_code ec;
    std::unique_ptr<llvm::raw_fd_ostream> file;
    llvm::raw_ostream *os = &llvm::errs();
    if (path != "-") {
      file = std::make_unique<llvm::raw_fd_ostream>(path, ec);
      if (ec) {
        llvm::errs() << "kiln-opt: error: cannot write report to '" << path
                     << "': " << ec.message() << "\n";
        return;
      }
      os = file.get();
    }
    *os << "kiln optimizer report: kiln ops (a fusion counts once; constants not "
           "counted) in all functions\n";
    *os << llvm::format("%-4s %-28s %8s %8s\n", (const char *)"#",
                        (const char *)"pass", (const char *)"before",
                        (const char *)"after");
    for (size_t i = 0; i < rows.size(); ++i)
      *os << llvm::format("%-4zu %-28s %8lld %8lld\n", i + 1,
                          rows[i].pass.c_str(), (long long)rows[i].before,
                          (long long)rows[i].after);
    std::lock_guard<std::mutex> lock(collector().mutex);
    // Functions may run in parallel: order each pass's notes by function
    // (notes start with "@function:"), keeping each function's own order.
    auto &notes = collector().notes;
    std::vector<std::string> passOrder;
    for (const auto &note : notes)
      if (llvm::find(passOrder, note.first) == passOrder.end())
        passOrder.push_back(note.first);
    auto functionOf = [](const std::string &line) {
      return line.substr(0, line.find(':'));
    };
    // (std::sort with the original position as the last key: stable
    // without std::stable_sort's deprecated temporary buffer.)
    std::vector<size_t> order(notes.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      const auto &a = notes[x], &b = notes[y];
      auto pa = llvm::find(passOrder, a.first), pb = llvm::find(passOrder, b.first);
      if (pa != pb)
        return pa < pb;
      std::string fa = functionOf(a.second), fb = functionOf(b.second);
      if (fa != fb)
        return fa < fb;
      return x < y;
    });
    std::vector<std::pair<std::string, std::string>> sorted;
    for (size_t i : order)
      sorted.push_back(notes[i]);
    notes = std::move(sorted);
    std::string current;
    for (const auto &[pass, line] : notes) {
      if (pass != current) {
        *os << "\n" << pass << ":\n";
        current = pass;
      }
      *os << "  " << line << "\n";
    }
    collector().notes.clear();
  }

private:
  struct Row {
    std::string pass;
    int64_t before = 0, after = 0;
  };
  std::string path;
  std::mutex mutex;
  llvm::DenseMap<Operation *, int64_t> before;
  llvm::DenseMap<Operation *, size_t> passesRun;
  /// One row per pass of the pipeline, in order.
  std::vector<Row> rows;
};
} // namespace

void kiln::report::note(llvm::StringRef pass, const std::string &line) {
  Collector &c = collector();
  if (!c.active)
    return;
  std::lock_guard<std::mutex> lock(c.mutex);
  c.notes.push_back({pass.str(), line});
}

std::unique_ptr<PassInstrumentation>
kiln::report::createReportInstrumentation(std::string path) {
  return std::make_unique<ReportInstrumentation>(std::move(path));
}
