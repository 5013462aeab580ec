//===- Augment.cpp - image augmentation of kiln-train's batches -----------===//

#include "runtime/src/train/Augment.h"

#include <algorithm>
#include <cstring>

using namespace kiln::train;

void kiln::train::augmentImage(float *dst, const float *src,
                               const ImageShape &shape, const Augmentation &a) {
  const int64_t rows = shape.rows, cols = shape.cols, ch = shape.channels;
  for (int64_t r = 0; r < rows; ++r) {
    float *row = dst + r * cols * ch;
    const int64_t sr = r - a.shiftRows;
    if (sr < 0 || sr >= rows) {
      std::fill(row, row + cols * ch, 0.0f);
      continue;
    }
    for (int64_t c = 0; c < cols; ++c) {
      float *pixel = row + c * ch;
      int64_t sc = c - a.shiftCols;
      if (sc < 0 || sc >= cols) {
        std::fill(pixel, pixel + ch, 0.0f);
        continue;
      }
      if (a.flip)
        sc = cols - 1 - sc;
      std::memcpy(pixel, src + (sr * cols + sc) * ch, ch * sizeof(float));
    }
  }
}
