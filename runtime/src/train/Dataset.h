//===- Dataset.h - load a classification dataset for kiln-train -----------===//
//
// A dataset is four arrays: train and test images and their integer class
// labels, from IDX files (MNIST, Fashion-MNIST; plain or .gz) or .npy files
// (x_train.npy and friends, as Keras users save them).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TRAIN_DATASET_H
#define KILN_RUNTIME_SRC_TRAIN_DATASET_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::train {

/// One split: count samples of sampleShape floats each, and their labels.
struct Split {
  /// count * product(sampleShape) values, sample after sample, C order.
  std::vector<float> x;
  /// count class indices, each >= 0.
  std::vector<int64_t> y;
  int64_t count = 0;
  /// The shape of one sample, e.g. {28, 28}.
  std::vector<int64_t> sampleShape;
};

struct Dataset {
  Split train, test;
  /// One line for logs: where the data came from, counts and shapes.
  std::string description;
};

/// The directory `loadDataset("fashion-mnist", ...)` reads (Debian's
/// fashion-mnist data package).
constexpr const char *FashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Loads \p source: "fashion-mnist" (= FashionMnistDir) or a directory
/// holding either train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
/// t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] (preferred when
/// both sets are present) or x_train.npy, y_train.npy, x_test.npy, y_test.npy.
/// u8 images are scaled to [0, 1] (divided by 255); f32/f64 images are kept
/// as they are; labels must have an integer type and become int64. Returns ""
/// on success, else a message naming the file and the problem (a missing
/// file lists what was looked for); \p out is then left unchanged.
std::string loadDataset(const std::string &source, Dataset &out);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_DATASET_H
