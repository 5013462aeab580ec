//===- Trainer.cpp - kiln-train's training loop ---------------------------===//

#include "runtime/src/tools/Trainer.h"

#include "kiln/runtime.hpp"
#include "runtime/src/train/Augment.h"
#include "runtime/src/train/Checkpoint.h"
#include "runtime/src/train/Dataset.h"
#include "runtime/src/train/Plot.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace kiln::train;

namespace kiln::tools {
namespace {

constexpr int kBadInput = 2;
constexpr int kStopped = 3;

/// A host buffer for one tensor of a function signature.
struct Buffer {
  kiln_tensor_info_t info;
  std::vector<uint8_t> bytes;
};

std::string shapeOf(const kiln_tensor_info_t &t) {
  std::string s = std::string(kiln_dtype_name(t.dtype)) + "[";
  for (uint32_t i = 0; i < t.rank; ++i)
    s += (i ? "," : "") + std::to_string(t.dims[i]);
  return s + "]";
}

/// A data sample's shape as messages show it: "[28, 28]".
std::string dimsText(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

kiln_tensor_t view(const kiln_tensor_info_t &info, void *data) {
  return {info.dtype, info.rank, info.dims, data, info.byte_size};
}

const char *checkpointDtype(kiln_dtype_t d) {
  switch (d) {
  case KILN_DTYPE_F32:
    return "f32";
  case KILN_DTYPE_F64:
    return "f64";
  case KILN_DTYPE_I64:
    return "i64";
  case KILN_DTYPE_I32:
    return "i32";
  default:
    return nullptr;
  }
}

/// One row of the training curve.
struct EpochRecord {
  int64_t epoch = 0;
  double loss = 0, accuracy = 0;
  double valLoss = NAN, valAccuracy = NAN;
  double testLoss = NAN, testAccuracy = NAN;
  double seconds = 0;
};

std::string formatRecord(const EpochRecord &r) {
  char line[256];
  std::snprintf(line, sizeof line, "%" PRId64 ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f",
                r.epoch, r.loss, r.accuracy, r.valLoss, r.valAccuracy,
                r.testLoss, r.testAccuracy, r.seconds);
  return line;
}

bool parseRecord(const std::string &line, EpochRecord &r) {
  return std::sscanf(line.c_str(), "%" SCNd64 ",%lf,%lf,%lf,%lf,%lf,%lf,%lf",
                     &r.epoch, &r.loss, &r.accuracy, &r.valLoss, &r.valAccuracy,
                     &r.testLoss, &r.testAccuracy, &r.seconds) == 8;
}

std::vector<std::pair<int64_t, std::string>> listCheckpoints(const std::string &dir);

class Trainer {
public:
  Trainer(const TrainOptions &options, std::FILE *out, std::FILE *err)
      : o(options), out(out), err(err) {}
  int run();

private:
  int fail(const std::string &message) {
    std::fprintf(err, "kiln-train: error: %s\n", message.c_str());
    return kBadInput;
  }
  int setUp();
  int checkData();
  /// Runs `fn` with inputs bound by name (variables, or the batch's x, y and
  /// weight) and outputs written into `outputs` (a variable output goes to
  /// the variable itself: the update is in place).
  int invoke(size_t fn, std::vector<float *> *scalars);
  void fillBatch(const Split &split, const std::vector<int64_t> &order,
                 int64_t first, int64_t count);
  int evaluate(const Split &split, int64_t begin, int64_t end, double &loss,
               double &accuracy);
  int saveCheckpoint(bool quietly);
  int loadCheckpoint(const std::string &path);
  std::string newestCheckpoint();
  void writeCurves();
  int exportVariables();
  /// Every variable as a checkpoint tensor, in init's order.
  std::vector<CheckpointTensor> variableTensors();
  void progressBar(int64_t epoch, int64_t step, int64_t steps, double loss,
                   double acc, double rate, bool final);

  const TrainOptions &o;
  std::FILE *out, *err;
  Module module;
  std::optional<Session> session;
  size_t initFn = 0, trainFn = 0, evalFn = 0;
  kiln_function_info_t trainInfo{}, evalInfo{};
  /// Variables by name, and their order in init's outputs.
  std::map<std::string, Buffer> vars;
  std::vector<std::string> varOrder;
  Buffer x, y, weight;
  /// --augment: the training images' geometry, and each position's draws in
  /// the current epoch's order (mirror; translation in rows and columns).
  ImageShape image;
  std::vector<uint8_t> flips;
  std::vector<int32_t> shiftRows, shiftCols;
  int64_t batch = 0, sampleSize = 0, classes = 0;
  bool sparseLabels = true;
  Dataset data;
  int64_t trainBegin = 0, trainEnd = 0, valBegin = 0, valEnd = 0;
  // Progress, saved in checkpoints.
  int64_t epoch = 0, position = 0, step = 0;
  double epochLoss = 0, epochAccuracy = 0, epochSeconds = 0;
  std::mt19937_64 rng;
  std::string rngAtEpochStart;
  std::vector<EpochRecord> history;
  bool showBar = false;
};

int Trainer::setUp() {
  Result<Module> loaded = Module::load(o.artifact.c_str());
  if (!loaded.ok())
    return fail(loaded.status().message());
  module = std::move(*loaded);
  auto lookup = [&](const char *name, size_t &index,
                    kiln_function_info_t *info) -> bool {
    Result<size_t> i = module.lookup(name);
    if (!i.ok()) {
      fail(o.artifact + " is not a training artifact (compile it with "
                        "kiln-compile --train): " + i.status().message());
      return false;
    }
    index = *i;
    if (info)
      *info = *module.function(index);
    return true;
  };
  if (!lookup("init", initFn, nullptr) ||
      !lookup("train_step", trainFn, &trainInfo) ||
      !lookup("eval_step", evalFn, &evalInfo))
    return kBadInput;
  kiln_function_info_t initInfo = *module.function(initFn);
  for (size_t i = 0; i < initInfo.num_outputs; ++i) {
    const kiln_tensor_info_t &t = initInfo.outputs[i];
    if (!checkpointDtype(t.dtype))
      return fail(std::string("variable '") + t.name + "' has unsupported type " +
                  shapeOf(t));
    vars[t.name] = Buffer{t, std::vector<uint8_t>(t.byte_size)};
    varOrder.push_back(t.name);
  }
  auto input = [&](const kiln_function_info_t &f, const char *name)
      -> const kiln_tensor_info_t * {
    for (size_t i = 0; i < f.num_inputs; ++i)
      if (std::strcmp(f.inputs[i].name, name) == 0)
        return &f.inputs[i];
    return nullptr;
  };
  const kiln_tensor_info_t *xi = input(trainInfo, "x");
  const kiln_tensor_info_t *yi = input(trainInfo, "y");
  const kiln_tensor_info_t *wi = input(evalInfo, "weight");
  if (!xi || !yi || !wi || xi->rank < 1)
    return fail(o.artifact + ": train_step lacks the inputs 'x' and 'y' (or "
                             "eval_step 'weight')");
  x = Buffer{*xi, std::vector<uint8_t>(xi->byte_size)};
  y = Buffer{*yi, std::vector<uint8_t>(yi->byte_size)};
  weight = Buffer{*wi, std::vector<uint8_t>(wi->byte_size)};
  batch = xi->dims[0];
  if (o.batchSize && o.batchSize != batch)
    return fail("--batch-size " + std::to_string(o.batchSize) + ": " +
                o.artifact + " was compiled for batch " + std::to_string(batch) +
                " (recompile with kiln-compile --train --batch " +
                std::to_string(o.batchSize) + ")");
  if (xi->dtype != KILN_DTYPE_F32 && xi->dtype != KILN_DTYPE_I32 &&
      xi->dtype != KILN_DTYPE_I64)
    return fail("input 'x' is " + shapeOf(*xi) +
                "; kiln-train feeds f32 data or i32/i64 ids");
  sampleSize = static_cast<int64_t>(xi->element_count) / std::max<int64_t>(batch, 1);
  if (yi->dtype == KILN_DTYPE_I64 && yi->rank == 1) {
    sparseLabels = true;
  } else if (yi->dtype == KILN_DTYPE_F32 && yi->rank >= 1) {
    sparseLabels = false;
    classes = static_cast<int64_t>(yi->element_count) / batch;
  } else {
    return fail("label input 'y' is " + shapeOf(*yi) +
                "; expected i64[batch] or f32[batch, classes]");
  }
  // The number of classes sparse labels index: predict's first output.
  if (sparseLabels) {
    Result<size_t> p = module.lookup("predict");
    if (p.ok()) {
      kiln_function_info_t pi = *module.function(*p);
      if (pi.num_outputs && pi.outputs[0].rank == 2)
        classes = pi.outputs[0].dims[1];
    }
  }
  Result<Session> s = Session::create(module, o.threads, KILN_DEVICE_DEFAULT, 0,
                                      o.cudaGraphs);
  if (!s.ok())
    return fail(s.status().message());
  session.emplace(std::move(*s));
  return 0;
}

int Trainer::checkData() {
  std::string error = loadDataset(o.data, data);
  if (!error.empty())
    return fail(error);
  for (Split *s : {&data.train, &data.test}) {
    int64_t limit = s == &data.train ? o.limitTrain : o.limitTest;
    if (limit > 0 && limit < s->count) {
      s->count = limit;
      s->x.resize(static_cast<size_t>(limit) *
                  static_cast<size_t>(s->x.size() / std::max<size_t>(s->y.size(), 1)));
      s->y.resize(limit);
    }
    int64_t per = 1;
    for (int64_t d : s->sampleShape)
      per *= d;
    if (per != sampleSize) {
      return fail("the data's samples have shape " + dimsText(s->sampleShape) + " (" +
                  std::to_string(per) + " values) but the model's input 'x' is " +
                  shapeOf(x.info) + " (" + std::to_string(sampleSize) +
                  " values per sample)");
    }
    // Class indices index the model's classes (a single output: binary
    // labels or regression targets, not checked).
    if (classes > 1)
      for (int64_t i = 0; i < s->count; ++i)
        if (s->y[i] < 0 || s->y[i] >= classes)
          return fail(std::string(s == &data.train ? "training" : "test") +
                      " label #" + std::to_string(i) + " is " +
                      std::to_string(s->y[i]) + ", outside the model's " +
                      std::to_string(classes) + " classes [0, " +
                      std::to_string(classes - 1) + "]");
  }
  if (o.flip || o.shift) {
    const std::vector<int64_t> &shape = data.train.sampleShape;
    if (x.info.dtype != KILN_DTYPE_F32 || shape.size() < 2 || shape.size() > 3)
      return fail("--augment needs images: f32 samples of shape HxW or HxWxC "
                  "(channels last); the data's samples have shape " +
                  dimsText(shape) + " and the model's input 'x' is " +
                  shapeOf(x.info));
    // A [C, H, W] sample would be mirrored along the wrong axis: refuse
    // the shapes that look channels-first (a few leading planes of large
    // images) rather than guess.
    if (shape.size() == 3 && shape[0] <= 4 && shape[2] > 4)
      return fail("--augment needs channels-last images (HxWxC); the data's "
                  "samples have shape " + dimsText(shape) +
                  ", which looks channels-first (save them as HxWxC)");
    image.rows = shape[0];
    image.cols = shape[1];
    image.channels = shape.size() == 3 ? shape[2] : 1;
  }
  int64_t n = data.train.count;
  int64_t held = static_cast<int64_t>(std::floor(n * o.validationSplit));
  trainBegin = 0;
  trainEnd = n - held;
  valBegin = trainEnd;
  valEnd = n;
  if (trainEnd < batch)
    return fail("the training set has " + std::to_string(trainEnd) +
                " samples, fewer than one batch of " + std::to_string(batch));
  return 0;
}

void Trainer::fillBatch(const Split &split, const std::vector<int64_t> &order,
                        int64_t first, int64_t count) {
  // A partial batch is padded with zeros (weighted 0); one-hot labels start
  // from zeros.
  if (count < batch)
    std::memset(x.bytes.data(), 0, x.bytes.size());
  if (count < batch || !sparseLabels)
    std::memset(y.bytes.data(), 0, y.bytes.size());
  for (int64_t b = 0; b < count; ++b) {
    int64_t i = order.empty() ? first + b : order[first + b];
    const float *src = split.x.data() + i * sampleSize;
    switch (x.info.dtype) {
    case KILN_DTYPE_I32: {
      auto *dst = reinterpret_cast<int32_t *>(x.bytes.data()) + b * sampleSize;
      for (int64_t e = 0; e < sampleSize; ++e)
        dst[e] = static_cast<int32_t>(src[e]);
      break;
    }
    case KILN_DTYPE_I64: {
      auto *dst = reinterpret_cast<int64_t *>(x.bytes.data()) + b * sampleSize;
      for (int64_t e = 0; e < sampleSize; ++e)
        dst[e] = static_cast<int64_t>(src[e]);
      break;
    }
    default: {
      float *dst = reinterpret_cast<float *>(x.bytes.data()) + b * sampleSize;
      if (!order.empty() && (o.flip || o.shift)) {
        int64_t at = first + b;
        Augmentation a;
        a.flip = o.flip && flips[at];
        a.shiftRows = o.shift ? shiftRows[at] : 0;
        a.shiftCols = o.shift ? shiftCols[at] : 0;
        augmentImage(dst, src, image, a);
      } else
        std::memcpy(dst, src, sampleSize * sizeof(float));
    }
    }
    int64_t label = split.y[i];
    if (sparseLabels) {
      reinterpret_cast<int64_t *>(y.bytes.data())[b] = label;
    } else {
      auto *ys = reinterpret_cast<float *>(y.bytes.data()) + b * classes;
      if (classes == 1)
        ys[0] = static_cast<float>(label);
      else
        ys[label] = 1.0f;
    }
  }
  auto *w = reinterpret_cast<float *>(weight.bytes.data());
  for (int64_t b = 0; b < batch; ++b)
    w[b] = b < count ? 1.0f : 0.0f;
}

int Trainer::invoke(size_t fn, std::vector<float *> *scalars) {
  kiln_function_info_t info = *module.function(fn);
  std::vector<kiln_tensor_t> inputs, outputs;
  for (size_t i = 0; i < info.num_inputs; ++i) {
    const kiln_tensor_info_t &t = info.inputs[i];
    void *data = nullptr;
    if (auto it = vars.find(t.name); it != vars.end())
      data = it->second.bytes.data();
    else if (!std::strcmp(t.name, "x"))
      data = x.bytes.data();
    else if (!std::strcmp(t.name, "y"))
      data = y.bytes.data();
    else if (!std::strcmp(t.name, "weight"))
      data = weight.bytes.data();
    else
      return fail(std::string("function '") + info.name + "' has an input '" +
                  t.name + "' kiln-train does not know");
    inputs.push_back(view(t, data));
  }
  size_t scalar = 0;
  for (size_t i = 0; i < info.num_outputs; ++i) {
    const kiln_tensor_info_t &t = info.outputs[i];
    void *data;
    if (auto it = vars.find(t.name); it != vars.end())
      data = it->second.bytes.data();
    else if (scalars && scalar < scalars->size() && t.dtype == KILN_DTYPE_F32 &&
             t.element_count == 1)
      data = (*scalars)[scalar++];
    else
      return fail(std::string("function '") + info.name + "' has an output '" +
                  t.name + "' kiln-train does not know");
    outputs.push_back(view(t, data));
  }
  Status status = session->invoke(fn, inputs, outputs);
  if (!status.ok())
    return fail(status.message());
  return 0;
}

int Trainer::evaluate(const Split &split, int64_t begin, int64_t end,
                      double &loss, double &accuracy) {
  double lossSum = 0, correct = 0;
  float l = 0, c = 0;
  std::vector<float *> scalars = {&l, &c};
  static const std::vector<int64_t> noOrder;
  for (int64_t first = begin; first < end; first += batch) {
    int64_t count = std::min(batch, end - first);
    fillBatch(split, noOrder, first, count);
    if (int rc = invoke(evalFn, &scalars))
      return rc;
    lossSum += l;
    correct += c;
  }
  int64_t n = std::max<int64_t>(end - begin, 1);
  loss = lossSum / n;
  accuracy = correct / n;
  return 0;
}

/// The checkpoints in `dir` (files `step-<N>.kckpt`), oldest first.
std::vector<std::pair<int64_t, std::string>> listCheckpoints(const std::string &dir) {
  std::vector<std::pair<int64_t, std::string>> all;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d)) {
      std::string name = e->d_name;
      const std::string prefix = "step-", suffix = ".kckpt";
      if (name.size() <= prefix.size() + suffix.size() ||
          name.compare(0, prefix.size(), prefix) != 0 ||
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      std::string digits =
          name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      if (digits.size() > 18 ||
          !std::all_of(digits.begin(), digits.end(), ::isdigit))
        continue;
      all.push_back({std::stoll(digits), dir + "/" + name});
    }
    closedir(d);
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::string Trainer::newestCheckpoint() {
  auto all = listCheckpoints(o.checkpointDir);
  return all.empty() ? "" : all.back().second;
}

std::vector<CheckpointTensor> Trainer::variableTensors() {
  std::vector<CheckpointTensor> tensors;
  for (const std::string &name : varOrder) {
    const Buffer &b = vars[name];
    tensors.push_back({name, checkpointDtype(b.info.dtype),
                       std::vector<int64_t>(b.info.dims, b.info.dims + b.info.rank),
                       b.bytes});
  }
  return tensors;
}

/// --augment as written in checkpoints: "" (none), "flip", "shift=2",
/// "flip,shift=2".
static std::string augmentText(const TrainOptions &o) {
  std::string text = o.flip ? "flip" : "";
  if (o.shift)
    text += (text.empty() ? "shift=" : ",shift=") + std::to_string(o.shift);
  return text;
}

int Trainer::saveCheckpoint(bool quietly) {
  Checkpoint ckpt;
  ckpt.metadata = {{"format", "kiln-train 1"},
                   {"artifact", o.artifact},
                   {"step", std::to_string(step)},
                   {"epoch", std::to_string(epoch)},
                   {"position", std::to_string(position)},
                   {"seed", std::to_string(o.seed)},
                   {"batch", std::to_string(batch)},
                   {"rng", rngAtEpochStart},
                   {"augment", augmentText(o)},
                   {"epoch_seconds", std::to_string(epochSeconds)}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", epochLoss);
  ckpt.metadata.push_back({"epoch_loss_exact", buf});
  std::snprintf(buf, sizeof buf, "%a", epochAccuracy);
  ckpt.metadata.push_back({"epoch_accuracy_exact", buf});
  std::string rows;
  for (const EpochRecord &r : history)
    rows += formatRecord(r) + "\n";
  ckpt.metadata.push_back({"history", rows});
  ckpt.tensors = variableTensors();
  mkdir(o.checkpointDir.c_str(), 0777);
  char name[64];
  std::snprintf(name, sizeof name, "/step-%" PRId64 ".kckpt", step);
  std::string path = o.checkpointDir + name;
  std::string error = writeCheckpoint(path, ckpt);
  if (!error.empty())
    return fail(error);
  // Keep the newest two: a checkpoint is removed only after a newer one is
  // complete on disk.
  auto all = listCheckpoints(o.checkpointDir);
  for (size_t i = 0; i + 2 < all.size(); ++i)
    std::remove(all[i].second.c_str());
  if (!quietly && !showBar)
    std::fprintf(err, "saved %s\n", path.c_str());
  return 0;
}

int Trainer::loadCheckpoint(const std::string &path) {
  Checkpoint ckpt;
  std::string error = readCheckpoint(path, ckpt);
  if (!error.empty())
    return fail(error);
  std::map<std::string, std::string> meta(ckpt.metadata.begin(),
                                          ckpt.metadata.end());
  auto number = [&](const char *key, int64_t &v) {
    auto it = meta.find(key);
    return it != meta.end() &&
           std::sscanf(it->second.c_str(), "%" SCNd64, &v) == 1;
  };
  int64_t savedBatch = 0;
  if (!number("step", step) || !number("epoch", epoch) ||
      !number("position", position) || !number("batch", savedBatch) ||
      !meta.count("rng"))
    return fail(path + ": not a kiln-train checkpoint (missing step, epoch, "
                       "position, batch or rng)");
  if (savedBatch != batch)
    return fail(path + ": saved with batch " + std::to_string(savedBatch) +
                ", the artifact's batch is " + std::to_string(batch));
  // The augmentation draws come from the same generator as the shuffle: a
  // run resumed with other --augment settings would diverge silently.
  std::string savedAugment = meta.count("augment") ? meta["augment"] : "";
  if (savedAugment != augmentText(o)) {
    auto shown = [](const std::string &a) {
      return a.empty() ? std::string("no --augment") : "--augment " + a;
    };
    return fail(path + ": saved by a run with " + shown(savedAugment) +
                ", this run has " + shown(augmentText(o)) +
                " (resume with the same settings)");
  }
  std::istringstream state(meta["rng"]);
  state >> rng;
  if (state.fail())
    return fail(path + ": the saved random-number state is malformed");
  rngAtEpochStart = meta["rng"];
  epochLoss = std::strtod(meta["epoch_loss_exact"].c_str(), nullptr);
  epochAccuracy = std::strtod(meta["epoch_accuracy_exact"].c_str(), nullptr);
  epochSeconds = std::strtod(meta["epoch_seconds"].c_str(), nullptr);
  history.clear();
  std::istringstream rows(meta["history"]);
  for (std::string line; std::getline(rows, line);) {
    EpochRecord r;
    if (parseRecord(line, r))
      history.push_back(r);
  }
  size_t matched = 0;
  for (const CheckpointTensor &t : ckpt.tensors) {
    auto it = vars.find(t.name);
    if (it == vars.end())
      return fail(path + ": tensor '" + t.name +
                  "' is not a variable of " + o.artifact);
    Buffer &b = it->second;
    if (t.dtype != checkpointDtype(b.info.dtype) || t.data.size() != b.bytes.size() ||
        t.dims != std::vector<int64_t>(b.info.dims, b.info.dims + b.info.rank))
      return fail(path + ": tensor '" + t.name + "' does not match the artifact's " +
                  shapeOf(b.info));
    b.bytes = t.data;
    ++matched;
  }
  if (matched != vars.size())
    return fail(path + ": holds " + std::to_string(matched) + " of the " +
                std::to_string(vars.size()) + " variables of " + o.artifact);
  std::fprintf(err, "resumed from %s (epoch %" PRId64 ", step %" PRId64 ")\n",
               path.c_str(), epoch + 1, step);
  return 0;
}

void Trainer::progressBar(int64_t ep, int64_t s, int64_t steps, double loss,
                          double acc, double rate, bool final) {
  if (!showBar)
    return;
  const int width = 30;
  int filled = static_cast<int>(width * s / std::max<int64_t>(steps, 1));
  std::string bar(width, '.');
  for (int i = 0; i < filled; ++i)
    bar[i] = '=';
  if (filled < width)
    bar[filled] = '>';
  std::fprintf(err, "\rEpoch %" PRId64 "/%" PRId64 " [%s] %" PRId64 "/%" PRId64
                    " - loss: %.4f - accuracy: %.4f - %.0f samples/s%s",
               ep + 1, o.epochs, bar.c_str(), s, steps, loss, acc, rate,
               final ? "\n" : "");
  std::fflush(err);
}

void Trainer::writeCurves() {
  if (!o.csvPath.empty()) {
    std::string text = "epoch,loss,accuracy,val_loss,val_accuracy,test_loss,"
                       "test_accuracy,seconds\n";
    for (const EpochRecord &r : history)
      text += formatRecord(r) + "\n";
    std::string error = writeFileAtomically(
        o.csvPath, {ByteRange{text.data(), text.size()}});
    if (!error.empty())
      std::fprintf(err, "kiln-train: warning: %s\n", error.c_str());
  }
  if (!o.plotPath.empty()) {
    PlotSeries loss{"train", {}, {}, 0x1f77b4}, acc{"train", {}, {}, 0x1f77b4};
    PlotSeries vloss{"validation", {}, {}, 0xff7f0e},
        vacc{"validation", {}, {}, 0xff7f0e};
    PlotSeries tloss{"test", {}, {}, 0x2ca02c}, tacc{"test", {}, {}, 0x2ca02c};
    for (const EpochRecord &r : history) {
      double e = static_cast<double>(r.epoch);
      loss.x.push_back(e), loss.y.push_back(r.loss);
      acc.x.push_back(e), acc.y.push_back(r.accuracy);
      vloss.x.push_back(e), vloss.y.push_back(r.valLoss);
      vacc.x.push_back(e), vacc.y.push_back(r.valAccuracy);
      tloss.x.push_back(e), tloss.y.push_back(r.testLoss);
      tacc.x.push_back(e), tacc.y.push_back(r.testAccuracy);
    }
    std::vector<PlotSeries> losses = {loss, tloss}, accs = {acc, tacc};
    if (valEnd > valBegin) {
      losses.insert(losses.begin() + 1, vloss);
      accs.insert(accs.begin() + 1, vacc);
    }
    std::string error = writeTrainingPlotPng(o.plotPath, losses, accs);
    if (!error.empty())
      std::fprintf(err, "kiln-train: warning: %s\n", error.c_str());
  }
}

int Trainer::exportVariables() {
  Checkpoint trained;
  trained.metadata = {{"format", "kiln-train weights 1"},
                      {"artifact", o.artifact}};
  trained.tensors = variableTensors();
  const std::string &path = o.exportPath;
  bool artifact = path.size() > 3 && path.compare(path.size() - 3, 3, ".so") == 0;
  if (!artifact) {
    std::string error = writeCheckpoint(path, trained);
    if (!error.empty())
      return fail(error);
    std::fprintf(err, "wrote the trained variables to %s\n", path.c_str());
    return 0;
  }
  if (o.model.empty())
    return fail("--export " + path + ": an inference artifact is compiled "
                "from the model; name it with --model (or export a .kckpt "
                "and run kiln-compile MODEL --weights FILE.kckpt)");
  std::string weights = path + ".weights.kckpt";
  std::string error = writeCheckpoint(weights, trained);
  if (!error.empty())
    return fail(error);
  // kiln-compile from the directory holding this executable.
  std::string compiler = "kiln-compile";
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    if (access((dir + "/kiln-compile").c_str(), X_OK) == 0)
      compiler = dir + "/kiln-compile";
  }
  std::vector<std::string> args = {compiler, o.model, "--weights", weights,
                                   "-q", "-o", path};
  if (o.exportBatch > 0)
    args.insert(args.end() - 3, {"--batch", std::to_string(o.exportBatch)});
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int status = -1;
  if (posix_spawnp(&pid, compiler.c_str(), nullptr, nullptr, argv.data(),
                   environ) != 0 ||
      waitpid(pid, &status, 0) != pid) {
    std::remove(weights.c_str());
    return fail("cannot run " + compiler + " to export " + path);
  }
  std::remove(weights.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail("kiln-compile could not build " + path + " from " + o.model +
                " with the trained weights (see its message above)");
  std::fprintf(err, "wrote the inference artifact %s\n", path.c_str());
  return 0;
}

int Trainer::run() {
  if (int rc = setUp())
    return rc;
  if (int rc = checkData())
    return rc;
  showBar = o.progress == "always" ||
            (o.progress == "auto" && isatty(fileno(err)));
  std::fprintf(err, "%s\n", data.description.c_str());
  std::fprintf(err, "%s: batch %" PRId64 ", %zu variables, %d thread(s); "
                    "training on %" PRId64 " samples, validating on %" PRId64
                    ", testing on %" PRId64 "\n",
               o.artifact.c_str(), batch, vars.size(), session->numThreads(),
               trainEnd - trainBegin, valEnd - valBegin, data.test.count);

  bool resumed = false;
  if (o.resume) {
    if (o.checkpointDir.empty())
      return fail("--resume needs --checkpoint-dir");
    std::string path = newestCheckpoint();
    if (path.empty())
      std::fprintf(err, "no checkpoint in %s: starting from the beginning\n",
                   o.checkpointDir.c_str());
    else if (int rc = loadCheckpoint(path))
      return rc;
    else
      resumed = true;
  }
  if (!resumed) {
    std::vector<float *> none;
    kiln_function_info_t info = *module.function(initFn);
    std::vector<kiln_tensor_t> outputs;
    for (size_t i = 0; i < info.num_outputs; ++i)
      outputs.push_back(view(info.outputs[i], vars[info.outputs[i].name].bytes.data()));
    Status status = session->invoke(initFn, nullptr, 0, outputs.data(), outputs.size());
    if (!status.ok())
      return fail(status.message());
    rng.seed(o.seed);
    std::ostringstream s;
    s << rng;
    rngAtEpochStart = s.str();
  }

  const int64_t steps = (trainEnd - trainBegin) / batch;
  float loss = 0, accuracy = 0;
  std::vector<float *> scalars = {&loss, &accuracy};
  for (; epoch < o.epochs; ++epoch) {
    // The epoch's order: a Fisher-Yates shuffle drawn from the generator's
    // state at the start of the epoch (saved in checkpoints).
    {
      std::istringstream s(rngAtEpochStart);
      s >> rng;
    }
    std::vector<int64_t> order(trainEnd - trainBegin);
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = trainBegin + static_cast<int64_t>(i);
    for (size_t i = order.size(); i > 1; --i) {
      uint64_t j = rng() % i;
      std::swap(order[i - 1], order[j]);
    }
    // The epoch's augmentations, from the same generator: a resumed epoch
    // redraws the same ones.
    if (o.flip) {
      flips.resize(order.size());
      for (uint8_t &f : flips)
        f = static_cast<uint8_t>(rng() >> 63);
    }
    if (o.shift) {
      shiftRows.resize(order.size());
      shiftCols.resize(order.size());
      const uint64_t span = 2 * static_cast<uint64_t>(o.shift) + 1;
      for (size_t i = 0; i < order.size(); ++i) {
        shiftRows[i] = static_cast<int32_t>(rng() % span) - static_cast<int32_t>(o.shift);
        shiftCols[i] = static_cast<int32_t>(rng() % span) - static_cast<int32_t>(o.shift);
      }
    }
    auto start = std::chrono::steady_clock::now();
    double secondsBefore = epochSeconds;
    auto elapsed = [&] {
      return secondsBefore + std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
    };
    int64_t doneBefore = position;
    for (; position < steps; ++position) {
      fillBatch(data.train, order, position * batch, batch);
      if (int rc = invoke(trainFn, &scalars))
        return rc;
      if (!std::isfinite(loss))
        return fail("the loss became " + std::to_string(loss) + " at step " +
                    std::to_string(step + 1) +
                    " (lower the learning rate?)");
      epochLoss += loss;
      epochAccuracy += accuracy;
      ++step;
      int64_t done = position + 1;
      if (showBar && (done % 20 == 0 || done == steps)) {
        double t = elapsed() - secondsBefore;
        double rate = t > 0 ? (done - doneBefore) * batch / t : 0;
        progressBar(epoch, done, steps, epochLoss / done, epochAccuracy / done,
                    rate, false);
      }
      if (!o.checkpointDir.empty() && o.checkpointEvery > 0 &&
          step % o.checkpointEvery == 0 && done < steps) {
        position = done;
        epochSeconds = elapsed();
        if (int rc = saveCheckpoint(true))
          return rc;
        position = done - 1;
      }
      if (o.stopAfterSteps > 0 && step >= o.stopAfterSteps) {
        if (showBar)
          std::fprintf(err, "\n");
        std::fprintf(err, "stopped after %" PRId64 " steps (--stop-after)\n", step);
        return kStopped;
      }
    }
    EpochRecord r;
    r.epoch = epoch + 1;
    r.loss = epochLoss / std::max<int64_t>(steps, 1);
    r.accuracy = epochAccuracy / std::max<int64_t>(steps, 1);
    double trainSeconds = elapsed();
    if (valEnd > valBegin)
      if (int rc = evaluate(data.train, valBegin, valEnd, r.valLoss, r.valAccuracy))
        return rc;
    if (int rc = evaluate(data.test, 0, data.test.count, r.testLoss, r.testAccuracy))
      return rc;
    r.seconds = trainSeconds;
    if (showBar)
      progressBar(epoch, steps, steps, r.loss, r.accuracy,
                  steps * batch / std::max(trainSeconds - secondsBefore, 1e-9),
                  true);
    std::fprintf(out, "epoch %" PRId64 "/%" PRId64 ": loss %.4f - accuracy %.4f",
                 r.epoch, o.epochs, r.loss, r.accuracy);
    if (valEnd > valBegin)
      std::fprintf(out, " - val_loss %.4f - val_accuracy %.4f", r.valLoss,
                   r.valAccuracy);
    std::fprintf(out, " - test_loss %.4f - test_accuracy %.4f - %.1f s (%.0f samples/s)\n",
                 r.testLoss, r.testAccuracy, trainSeconds,
                 steps * batch / std::max(trainSeconds, 1e-9));
    std::fflush(out);
    history.push_back(r);
    writeCurves();
    // Next epoch: the generator continues from where this epoch's shuffle
    // left it.
    std::ostringstream s;
    s << rng;
    rngAtEpochStart = s.str();
    position = 0;
    epochLoss = epochAccuracy = epochSeconds = 0;
    if (!o.checkpointDir.empty())
      if (int rc = saveCheckpoint(false))
        return rc;
  }

  if (!o.exportPath.empty())
    if (int rc = exportVariables())
      return rc;
  double finalAccuracy = history.empty() ? NAN : history.back().testAccuracy;
  if (history.empty()) {
    double l;
    if (int rc = evaluate(data.test, 0, data.test.count, l, finalAccuracy))
      return rc;
  }
  std::fprintf(out, "test_accuracy: %.4f\n", finalAccuracy);
  return 0;
}

} // namespace

int train(const TrainOptions &options, std::FILE *out, std::FILE *err) {
  Trainer trainer(options, out, err);
  return trainer.run();
}

} // namespace kiln::tools
