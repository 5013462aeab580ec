//===- ConvPlan.h - a kiln_conv_t as cuDNN calls, and its reference --------===//

#ifndef KILN_RUNTIME_SRC_CUDA_CONVPLAN_H
#define KILN_RUNTIME_SRC_CUDA_CONVPLAN_H

#include "kiln/artifact_abi.h"

#include <array>
#include <string>

namespace kiln::rt {

/// How one kiln_conv_t runs in cuDNN: NHWC tensors, a KRSC (OHWI) filter,
/// a cross-correlation descriptor with symmetric padding, and one of four
/// forward call sequences (by epilogue) or one of the two gradients.
struct CudnnConvPlan {
  enum class Call {
    Forward,             // cudnnConvolutionForward
    ForwardAddBias,      // ... then cudnnAddTensor(bias)
    ForwardRelu,         // ... then cudnnActivationForward(RELU) in place
    FusedBiasRelu,       // cudnnConvolutionBiasActivationForward(RELU)
    BackwardData,        // cudnnConvolutionBackwardData: x from y
    BackwardFilter,      // cudnnConvolutionBackwardFilter: filter from x, y
  };
  std::array<int, 4> x{}, y{}; // n, c, h, w
  std::array<int, 4> filter{}; // k, c, h, w
  int padH = 0, padW = 0, strideH = 1, strideW = 1, dilationH = 1,
      dilationW = 1;
  Call call = Call::Forward;
  float beta = 0.0f; // 1 when accumulating into the buffer written
  bool tf32 = false;
  /// The descriptor minus its addresses: the cache key of the call's
  /// cuDNN descriptors and algorithm.
  std::array<int64_t, 19> key{};
};

/// Checks `op` (sizes, padding and flags generated code filled in:
/// positive, fitting cuDNN's int, the output size the geometry implies,
/// padding symmetric) and plans it; an empty string on success, else what
/// is wrong.
std::string planConv(const kiln_conv_t &op, CudnnConvPlan &plan);

/// The convolution (or gradient) `op` describes, on host memory, in the
/// order of a plain loop nest: what CPU sessions run for --cuda-emulation
/// artifacts and the reference the plan is tested against. It writes y,
/// or x (BACKWARD_DATA), or filter (BACKWARD_FILTER). `op` must have passed
/// planConv.
void referenceConv(const kiln_conv_t &op, float *x, float *filter,
                   const float *bias, float *y);

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_CUDA_CONVPLAN_H
