//===- Dataset.cpp - load a classification dataset for kiln-train ---------===//

#include "runtime/src/train/Dataset.h"

#include "runtime/src/npy/Npy.h"
#include "runtime/src/train/Idx.h"

#include <algorithm>
#include <cstring>
#include <sys/stat.h>

namespace kiln::train {
namespace {

/// The four files of a dataset, in both layouts.
struct FileRole {
  const char *idxName;
  const char *npyName;
};
constexpr FileRole Roles[4] = {
    {"train-images-idx3-ubyte", "x_train.npy"},
    {"train-labels-idx1-ubyte", "y_train.npy"},
    {"t10k-images-idx3-ubyte", "x_test.npy"},
    {"t10k-labels-idx1-ubyte", "y_test.npy"},
};

/// Images or labels as loaded from one file.
struct Loaded {
  std::vector<int64_t> dims;
  std::vector<float> x;
  std::vector<int64_t> y;
  /// For the description: "u8 scaled to [0,1]", "f32".
  std::string conversion;
};

bool isRegularFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string joinDims(const std::vector<int64_t> &dims, size_t from = 0) {
  std::string s;
  for (size_t i = from; i < dims.size(); ++i)
    s += (i > from ? "x" : "") + std::to_string(dims[i]);
  return s.empty() ? "scalar" : s;
}

std::string loadIdxImages(const std::string &path, Loaded &out) {
  IdxArray a;
  std::string err = readIdx(path, a);
  if (!err.empty())
    return err;
  if (a.type == IdxArray::Type::U8) {
    out.x = a.toFloat(1.0 / 255.0);
    out.conversion = "u8 scaled to [0,1]";
  } else if (a.type == IdxArray::Type::F32 || a.type == IdxArray::Type::F64) {
    out.x = a.toFloat(1.0);
    out.conversion = typeName(a.type);
  } else {
    return path + ": images have element type " + typeName(a.type) +
           "; expected u8 (scaled to [0,1]), f32 or f64";
  }
  out.dims = a.dims;
  return "";
}

std::string loadIdxLabels(const std::string &path, Loaded &out) {
  IdxArray a;
  std::string err = readIdx(path, a);
  if (!err.empty())
    return err;
  if (!isInteger(a.type))
    return path + ": labels have non-integer element type " + typeName(a.type) +
           "; expected u8, i8, i16 or i32";
  out.y = a.toInt();
  out.dims = a.dims;
  return "";
}

std::string loadNpyImages(const std::string &path, Loaded &out) {
  npy::ReadResult r = npy::readNpy(path);
  if (!r.ok())
    return r.error;
  const npy::Array &a = *r.array;
  size_t n = a.data.size() / npy::dtypeSize(a.dtype);
  if (a.dtype == npy::DType::F32) {
    out.x.resize(n);
    if (n > 0)
      std::memcpy(out.x.data(), a.data.data(), n * sizeof(float));
  } else if (a.dtype == npy::DType::F64) {
    out.x.resize(n);
    for (size_t i = 0; i < n; ++i) {
      double v;
      std::memcpy(&v, a.data.data() + i * sizeof(v), sizeof(v));
      out.x[i] = static_cast<float>(v);
    }
  } else if (a.dtype == npy::DType::I32 || a.dtype == npy::DType::I64) {
    // Token ids (Embedding inputs), exact as floats below 2^24.
    out.x.resize(n);
    for (size_t i = 0; i < n; ++i) {
      int64_t v;
      if (a.dtype == npy::DType::I32) {
        int32_t w;
        std::memcpy(&w, a.data.data() + i * sizeof(w), sizeof(w));
        v = w;
      } else {
        std::memcpy(&v, a.data.data() + i * sizeof(v), sizeof(v));
      }
      if (v < -(int64_t(1) << 24) || v > (int64_t(1) << 24))
        return path + ": value " + std::to_string(v) + " at position " +
               std::to_string(i) + " is too large for an id (|id| <= 2^24)";
      out.x[i] = static_cast<float>(v);
    }
  } else {
    return path + ": samples have dtype " + npy::dtypeName(a.dtype) +
           "; expected f32, f64, i32 or i64";
  }
  out.conversion = npy::dtypeName(a.dtype);
  out.dims = a.shape;
  return "";
}

std::string loadNpyLabels(const std::string &path, Loaded &out) {
  npy::ReadResult r = npy::readNpy(path);
  if (!r.ok())
    return r.error;
  const npy::Array &a = *r.array;
  size_t n = a.data.size() / npy::dtypeSize(a.dtype);
  out.y.resize(n);
  auto convert = [&](auto zero) {
    for (size_t i = 0; i < n; ++i) {
      decltype(zero) v;
      std::memcpy(&v, a.data.data() + i * sizeof(v), sizeof(v));
      out.y[i] = static_cast<int64_t>(v);
    }
  };
  if (a.dtype == npy::DType::I8)
    convert(int8_t());
  else if (a.dtype == npy::DType::I32)
    convert(int32_t());
  else if (a.dtype == npy::DType::I64)
    convert(int64_t());
  else
    return path + ": labels have non-integer dtype " + npy::dtypeName(a.dtype) +
           "; expected i8, i32 or i64";
  out.dims = a.shape;
  return "";
}

/// Checks that images and labels agree and moves them into \p split.
std::string makeSplit(const std::string &imagesPath, Loaded &images,
                      const std::string &labelsPath, Loaded &labels,
                      Split &split) {
  if (images.dims.size() < 2)
    return imagesPath + ": images have shape " + joinDims(images.dims) +
           "; expected (count, sample dimensions...)";
  bool labelsAreColumn = labels.dims.size() == 2 && labels.dims[1] == 1;
  if (labels.dims.size() != 1 && !labelsAreColumn)
    return labelsPath + ": labels have shape " + joinDims(labels.dims) +
           "; expected (count) or (count, 1)";
  int64_t count = images.dims[0];
  if (count != labels.dims[0])
    return imagesPath + " has " + std::to_string(count) + " images but " +
           labelsPath + " has " + std::to_string(labels.dims[0]) + " labels";
  if (count == 0)
    return imagesPath + ": has no samples";
  for (size_t i = 0; i < labels.y.size(); ++i)
    if (labels.y[i] < 0)
      return labelsPath + ": label " + std::to_string(labels.y[i]) +
             " at index " + std::to_string(i) +
             " is negative; labels are class indices";
  split.x = std::move(images.x);
  split.y = std::move(labels.y);
  split.count = count;
  split.sampleShape.assign(images.dims.begin() + 1, images.dims.end());
  return "";
}

} // namespace

std::string loadDataset(const std::string &source, Dataset &out) {
  std::string dir = source == "fashion-mnist" ? FashionMnistDir : source;
  if (!isDirectory(dir))
    return source + ": " +
           (dir == source ? std::string("not a directory")
                          : dir + " is not a directory") +
           " (expected \"fashion-mnist\" or a directory of IDX or .npy "
           "dataset files)";
  if (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();

  // Find each role's file in both layouts; plain IDX before .gz.
  std::string idxPaths[4], npyPaths[4];
  int idxFound = 0, npyFound = 0;
  for (int i = 0; i < 4; ++i) {
    for (const char *suffix : {"", ".gz"}) {
      std::string p = dir + "/" + Roles[i].idxName + suffix;
      if (idxPaths[i].empty() && isRegularFile(p)) {
        idxPaths[i] = p;
        ++idxFound;
      }
    }
    std::string p = dir + "/" + Roles[i].npyName;
    if (isRegularFile(p)) {
      npyPaths[i] = p;
      ++npyFound;
    }
  }
  bool useIdx = idxFound == 4 || (npyFound < 4 && idxFound >= npyFound);
  if (idxFound < 4 && npyFound < 4) {
    std::string lookedFor = "IDX files ";
    for (int i = 0; i < 4; ++i)
      lookedFor += std::string(i ? ", " : "") + Roles[i].idxName + "[.gz]";
    lookedFor += ", or .npy files ";
    for (int i = 0; i < 4; ++i)
      lookedFor += std::string(i ? ", " : "") + Roles[i].npyName;
    if (idxFound == 0 && npyFound == 0)
      return dir + ": no dataset files found (looked for " + lookedFor + ")";
    std::string missing;
    for (int i = 0; i < 4; ++i)
      if ((useIdx ? idxPaths : npyPaths)[i].empty())
        missing += std::string(missing.empty() ? "" : ", ") +
                   (useIdx ? Roles[i].idxName + std::string("[.gz]")
                           : std::string(Roles[i].npyName));
    return dir + ": incomplete dataset: missing " + missing + " (looked for " +
           lookedFor + ")";
  }

  const std::string *paths = useIdx ? idxPaths : npyPaths;
  Loaded parts[4];
  for (int i = 0; i < 4; ++i) {
    bool isImages = i % 2 == 0;
    std::string err = useIdx ? (isImages ? loadIdxImages(paths[i], parts[i])
                                         : loadIdxLabels(paths[i], parts[i]))
                             : (isImages ? loadNpyImages(paths[i], parts[i])
                                         : loadNpyLabels(paths[i], parts[i]));
    if (!err.empty())
      return err;
  }
  std::string conversion = parts[0].conversion;
  Dataset ds;
  std::string err = makeSplit(paths[0], parts[0], paths[1], parts[1], ds.train);
  if (err.empty())
    err = makeSplit(paths[2], parts[2], paths[3], parts[3], ds.test);
  if (!err.empty())
    return err;
  if (ds.train.sampleShape != ds.test.sampleShape)
    return paths[2] + ": test samples are " + joinDims(ds.test.sampleShape) +
           " but training samples (" + paths[0] + ") are " +
           joinDims(ds.train.sampleShape);

  int64_t maxLabel = 0;
  for (const Split *s : {&ds.train, &ds.test})
    for (int64_t label : s->y)
      maxLabel = std::max(maxLabel, label);
  ds.description = source + " (" + (dir == source ? "" : dir + ", ") +
                   (useIdx ? "IDX" : ".npy") +
                   "): " + std::to_string(ds.train.count) + " train, " +
                   std::to_string(ds.test.count) + " test, samples " +
                   joinDims(ds.train.sampleShape) + " (" + conversion +
                   "), labels 0.." + std::to_string(maxLabel);
  out = std::move(ds);
  return "";
}

} // namespace kiln::train
