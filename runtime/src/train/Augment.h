//===- Augment.h - image augmentation of kiln-train's batches -------------===//
//
// kiln-train --augment: each training image is mirrored left-right and/or
// translated, with the draws taken from the shuffling generator so that a
// resumed epoch sees the same images.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TRAIN_AUGMENT_H
#define KILN_RUNTIME_SRC_TRAIN_AUGMENT_H

#include <cstdint>

namespace kiln::train {

/// The geometry of one image: rows × columns × channels, channels last (a
/// grayscale HxW image has one channel).
struct ImageShape {
  int64_t rows = 0, cols = 0, channels = 1;
};

/// What is done to one image: mirrored in its columns (left-right), then
/// moved by `shiftRows` rows down and `shiftCols` columns right (negative:
/// up/left); pixels moved in from outside the image are zero.
struct Augmentation {
  bool flip = false;
  int64_t shiftRows = 0, shiftCols = 0;
};

/// dst[r][c] = mirrored(src)[r − shiftRows][c − shiftCols], or zero where
/// that lies outside the image. \p dst and \p src hold one image each and
/// must not overlap.
void augmentImage(float *dst, const float *src, const ImageShape &shape,
                  const Augmentation &a);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_AUGMENT_H
