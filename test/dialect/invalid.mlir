// Verifier and shape-inference errors of every kiln op, one behaviour per
// split. An inference failure reports the reason at the op and then MLIR's
// generic "failed to infer returned types".
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Element types and shapes accepted by the dialect
//===----------------------------------------------------------------------===//

// Dynamic dimensions are rejected: every kiln tensor is statically shaped.
func.func @dynamic_shape(%x: tensor<?xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor}}
  %0 = kiln.exp %x : tensor<?xf32>
  return
}

// -----

// Unranked tensors are rejected.
func.func @unranked(%x: tensor<*xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor}}
  %0 = kiln.add %x, %y : (tensor<*xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// i16 is not a kiln element type.
func.func @i16_element(%x: tensor<4xi16>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi16>'}}
  %0 = kiln.neg %x : tensor<4xi16>
  return
}

// -----

// Complex numbers are not a kiln element type.
func.func @complex_element(%x: tensor<4xcomplex<f32>>) {
  // expected-error @+1 {{but got 'tensor<4xcomplex<f32>>'}}
  %0 = kiln.add %x, %x : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  return
}

// -----

// Unsigned integers are not a kiln element type (integers are signless).
func.func @unsigned_element(%x: tensor<4xui8>) {
  // expected-error @+1 {{but got 'tensor<4xui8>'}}
  %0 = kiln.relu %x : tensor<4xui8>
  return
}

// -----

// A constant of an unsupported element type is rejected.
func.func @constant_i16() {
  // expected-error @+1 {{result #0 must be statically shaped tensor}}
  %0 = kiln.constant dense<1> : tensor<3xi16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

// The constant's value type is its result type.
func.func @constant_type_mismatch() {
  // expected-error @+1 {{value type 'tensor<3xi32>' differs from result type 'tensor<4xi32>'}}
  %0 = "kiln.constant"() <{value = dense<1> : tensor<3xi32>}> : () -> tensor<4xi32>
  return
}

// -----

// A dense_resource blob must hold exactly the tensor's bytes (8 != 3 * 4).
func.func @constant_resource_size() {
  // expected-error @+1 {{dense_resource 'short_blob' holds 8 bytes but 'tensor<3xi32>' needs 12}}
  %0 = kiln.constant dense_resource<short_blob> : tensor<3xi32>
  return
}
{-#
  dialect_resources: {
    builtin: {
      short_blob: "0x040000000100000002000000"
    }
  }
#-}

// -----

// A cast keeps the shape.
func.func @cast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{all non-scalar operands/results must have the same shape}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<5xi32>
  return
}

// -----

// A cast to an unsupported element type is rejected.
func.func @cast_to_i16(%x: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xi16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

// Float-only ops reject integers.
func.func @exp_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.exp %x : tensor<4xi32>
  return
}

// -----

// Numeric ops reject booleans.
func.func @neg_bool(%x: tensor<4xi1>) {
  // expected-error @+1 {{but got 'tensor<4xi1>'}}
  %0 = kiln.neg %x : tensor<4xi1>
  return
}

// -----

// logical_not is for i1 only.
func.func @logical_not_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = kiln.logical_not %x : tensor<4xf32>
  return
}

// -----

// A unary op's result has its operand's shape (generic form).
func.func @unary_result_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{all non-scalar operands/results must have the same shape}}
  %0 = "kiln.sigmoid"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

// A unary op's result has its operand's element type (generic form).
func.func @unary_result_element(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "kiln.tanh"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

// leaky_relu's alpha is an f64 attribute.
func.func @leaky_relu_alpha_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %0 = kiln.leaky_relu %x {alpha = 1 : i64} : tensor<4xf32>
  return
}

// -----

// gelu's approximate flag is a boolean.
func.func @gelu_approximate_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'approximate' failed to satisfy constraint: bool attribute}}
  %0 = kiln.gelu %x {approximate = 1 : i64} : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Binary, select
//===----------------------------------------------------------------------===//

// The declared result type must be the inferred one.
func.func @binary_result_type(%x: tensor<4xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

// The broadcast failure names both operands and their shapes.
func.func @broadcast_mismatch(%x: tensor<2x4xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{operand 'rhs' of shape [3] does not broadcast with shape [2, 4] of 'lhs'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.mul %x, %y : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Operands of an arithmetic op share their element type.
func.func @binary_element_mismatch(%x: tensor<4xf32>, %y: tensor<4xf64>) {
  // expected-error @+2 {{operands 'lhs' ('tensor<4xf32>') and 'rhs' ('tensor<4xf64>') have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.sub %x, %y : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

// Comparisons broadcast like arithmetic.
func.func @compare_broadcast(%x: tensor<4x3xi32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{operand 'rhs' of shape [4] does not broadcast with shape [4, 3] of 'lhs'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.less %x, %y : (tensor<4x3xi32>, tensor<4xi32>) -> tensor<4x3xi1>
  return
}

// -----

// Comparison operands share their element type.
func.func @compare_element_mismatch(%x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+2 {{operands 'lhs' ('tensor<4xf32>') and 'rhs' ('tensor<4xi32>') have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.equal %x, %y : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return
}

// -----

// A comparison returns i1.
func.func @compare_result_element(%x: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = kiln.greater %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// Logical ops take i1 operands.
func.func @logical_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = kiln.logical_or %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

// Select's branches share their element type.
func.func @select_element_mismatch(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{operands 'on_true' ('tensor<4xf32>') and 'on_false' ('tensor<4xi32>') have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

// Select's branches broadcast together.
func.func @select_branch_broadcast(%c: tensor<i1>, %a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{operand 'on_false' of shape [3] does not broadcast with 'on_true' of shape [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<i1>, tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

// Select's condition broadcasts with the branches.
func.func @select_condition_broadcast(%c: tensor<2xi1>, %a: tensor<4x3xf32>) {
  // expected-error @+2 {{operand 'condition' of shape [2] does not broadcast with shape [4, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.select %c, %a, %a : (tensor<2xi1>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// Select's condition is i1.
func.func @select_condition_type(%c: tensor<4xi32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = kiln.select %c, %a, %a : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

// The contraction dimensions agree; the message names both operands.
func.func @matmul_contraction(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{contraction dimensions differ: operand 'a' ('tensor<4x3xf32>') has 3, operand 'b' ('tensor<4x5xf32>') has 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

// transpose_b changes which dimension of b is contracted.
func.func @matmul_contraction_transposed(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) {
  // expected-error @+2 {{contraction dimensions differ: operand 'a' ('tensor<4x8xf32>') has 8, operand 'b' ('tensor<8x5xf32>') has 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b {transpose_b = true} : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Matmul operands have rank >= 2 (a).
func.func @matmul_rank_a(%a: tensor<8xf32>, %b: tensor<8x5xf32>) {
  // expected-error @+2 {{operand 'a' ('tensor<8xf32>') must have rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<8xf32>, tensor<8x5xf32>) -> tensor<5xf32>
  return
}

// -----

// Matmul operands have rank >= 2 (b).
func.func @matmul_rank_b(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{operand 'b' ('tensor<8xf32>') must have rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4xf32>
  return
}

// -----

// Matmul operands share their element type.
func.func @matmul_element_mismatch(%a: tensor<4x8xf32>, %b: tensor<8x5xf16>) {
  // expected-error @+2 {{operands 'a' ('tensor<4x8xf32>') and 'b' ('tensor<8x5xf16>') have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf16>) -> tensor<4x5xf32>
  return
}

// -----

// Batch dimensions broadcast.
func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x5xf32>) {
  // expected-error @+2 {{batch dimensions of operand 'a' ('tensor<2x4x8xf32>') and operand 'b' ('tensor<3x8x5xf32>') do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x4x5xf32>
  return
}

// -----

// The declared matmul result must be the inferred one.
func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4x5xf32>' are incompatible with return type(s) of operation 'tensor<5x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<5x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// groups must divide the input channels.
func.func @conv_groups(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x1x6xf32>) {
  // expected-error @+2 {{groups = 3 must divide the input channels (4) and the filter's output channels (6)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {groups = 3 : i64} : (tensor<1x8x8x4xf32>, tensor<3x3x1x6xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

// groups must divide the filter's output channels.
func.func @conv_groups_output(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x2x3xf32>) {
  // expected-error @+2 {{groups = 2 must divide the input channels (4) and the filter's output channels (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {groups = 2 : i64} : (tensor<1x8x8x4xf32>, tensor<3x3x2x3xf32>) -> tensor<1x6x6x3xf32>
  return
}

// -----

// groups is at least 1.
func.func @conv_groups_zero(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{groups = 0 must divide}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {groups = 0 : i64} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// The filter's input channels times groups equal the input channels.
func.func @conv_channels(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x3x8xf32>) {
  // expected-error @+2 {{operand 'filter' ('tensor<3x3x3x8xf32>') has 3 input channels per group but operand 'input' ('tensor<1x8x8x4xf32>') has 4 channels in 1 group(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<1x8x8x4xf32>, tensor<3x3x3x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// With NCHW/OIHW the channels are read from the other positions.
func.func @conv_channels_nchw(%x: tensor<1x3x8x8xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+2 {{operand 'filter' ('tensor<16x4x3x3xf32>') has 4 input channels per group but operand 'input' ('tensor<1x3x8x8xf32>') has 3 channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {data_format = "NCHW", filter_format = "OIHW"}
      : (tensor<1x3x8x8xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

// The (dilated) window must fit the padded input at least once.
func.func @conv_window(%x: tensor<1x4x4x1xf32>, %w: tensor<3x3x1x1xf32>) {
  // expected-error @+2 {{the 3x3 filter (strides [1, 1], dilations [2, 2], padding [0, 0, 0, 0]) does not fit the 4x4 input of operand 'input' ('tensor<1x4x4x1xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x1x1x1xf32>
  return
}

// -----

// A window span that overflows int64 does not fit (rather than wrapping).
func.func @conv_window_overflow(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{the 3x3 filter (strides [1, 1], dilations [4611686018427387904, 1], padding [0, 0, 0, 0]) does not fit}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 4611686018427387904, 1>} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// data_format is NHWC or NCHW.
func.func @conv_data_format(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{data_format must be "NHWC" or "NCHW", got "NWHC"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {data_format = "NWHC"} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// filter_format is HWIO or OIHW.
func.func @conv_filter_format(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{filter_format must be "HWIO" or "OIHW", got "OHWI"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {filter_format = "OHWI"} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// strides has one entry per spatial dimension.
func.func @conv_strides_size(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{attribute 'strides' must have 2 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// padding has four entries: top, bottom, left, right.
func.func @conv_padding_size(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{attribute 'padding' must have 4 entries, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

// Strides are positive.
func.func @conv_stride_zero(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{attribute 'strides' must have entries >= 1, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// Dilations are positive.
func.func @conv_dilation_zero(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{attribute 'dilations' must have entries >= 1, got [1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 0>} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32>
  return
}

// -----

// Padding is non-negative.
func.func @conv_padding_negative(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{attribute 'padding' must have entries >= 0, got [0, -1, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w {padding = array<i64: 0, -1, 0, 0>} : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x5x6x8xf32>
  return
}

// -----

// Both conv2d operands have rank 4.
func.func @conv_rank(%x: tensor<8x8x4xf32>, %w: tensor<3x3x4x8xf32>) {
  // expected-error @+2 {{operand 'input' ('tensor<8x8x4xf32>') must have rank 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<8x8x4xf32>, tensor<3x3x4x8xf32>) -> tensor<6x6x8xf32>
  return
}

// -----

// conv2d operands share their element type.
func.func @conv_element_mismatch(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x8xf16>) {
  // expected-error @+2 {{operands 'input' ('tensor<1x8x8x4xf32>') and 'filter' ('tensor<3x3x4x8xf16>') have different element types}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d %x, %w : (tensor<1x8x8x4xf32>, tensor<3x3x4x8xf16>) -> tensor<1x6x6x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// Pool padding is smaller than the window (a window of only padding is
// meaningless).
func.func @pool_padding(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+2 {{padding [0, 2, 0, 0] must be smaller than kernel_size [2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 2, 0, 0>}
      : (tensor<1x8x8x4xf32>) -> tensor<1x5x4x4xf32>
  return
}

// -----

// The same rule for avg_pool2d.
func.func @avg_pool_padding(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+2 {{padding [3, 3, 3, 3] must be smaller than kernel_size [3, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 3, 3, 3, 3>, count_include_pad = true}
      : (tensor<1x8x8x4xf32>) -> tensor<1x12x12x4xf32>
  return
}

// -----

// The window must fit the input.
func.func @pool_window(%x: tensor<1x3x3x4xf32>) {
  // expected-error @+2 {{the window [4, 4] (strides [1, 1], padding [0, 0, 0, 0]) does not fit operand 'input' ('tensor<1x3x3x4xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.avg_pool2d %x {kernel_size = array<i64: 4, 4>, strides = array<i64: 1, 1>} : (tensor<1x3x3x4xf32>) -> tensor<1x1x1x4xf32>
  return
}

// -----

// kernel_size entries are positive.
func.func @pool_kernel_zero(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+2 {{attribute 'kernel_size' must have entries >= 1, got [0, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<1x8x8x4xf32>) -> tensor<1x8x7x4xf32>
  return
}

// -----

// kernel_size has two entries.
func.func @pool_kernel_size(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+2 {{attribute 'kernel_size' must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// kernel_size and strides are required.
func.func @pool_missing_strides(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+1 {{requires attribute 'strides'}}
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// Pooling checks data_format like conv2d.
func.func @pool_data_format(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+2 {{data_format must be "NHWC" or "NCHW", got "CHWN"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, data_format = "CHWN"}
      : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// The pooling input has rank 4.
func.func @pool_rank(%x: tensor<8x8x4xf32>) {
  // expected-error @+2 {{operand 'input' ('tensor<8x8x4xf32>') must have rank 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<8x8x4xf32>) -> tensor<4x4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// Reduction axes are in [-rank, rank).
func.func @reduce_axis_range(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2>} : (tensor<4x3xf32>) -> tensor<4xf32>
  return
}

// -----

// Negative axes are range-checked too.
func.func @reduce_axis_negative(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_max %x {axes = array<i64: -3>} : (tensor<4x3xf32>) -> tensor<3xf32>
  return
}

// -----

// An axis may not appear twice, also when written once negative.
func.func @reduce_axis_duplicate(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{axis -1 appears more than once}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_prod %x {axes = array<i64: 1, -1>} : (tensor<4x3xf32>) -> tensor<4xf32>
  return
}

// -----

// keepdims changes the inferred type.
func.func @reduce_keepdims(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_min %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x3xf32>) -> tensor<4xf32>
  return
}

// -----

// reduce_mean is for floats.
func.func @reduce_mean_integer(%x: tensor<4x3xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 1>} : (tensor<4x3xi32>) -> tensor<4xi32>
  return
}

// -----

// argmax's axis is in range.
func.func @argmax_axis(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.argmax %x {axis = 2 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
  return
}

// -----

// argmin's axis is in range (negative).
func.func @argmin_axis(%x: tensor<4x10xf32>) {
  // expected-error @+2 {{axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.argmin %x {axis = -3 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
  return
}

// -----

// argmax returns i64 indices.
func.func @argmax_result_type(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 64-bit signless integer values}}
  %0 = kiln.argmax %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Softmax and normalization
//===----------------------------------------------------------------------===//

// softmax's axis is in range.
func.func @softmax_axis(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for operand 'x' ('tensor<4x10xf32>')}}
  %0 = kiln.softmax %x {axis = 2 : i64} : tensor<4x10xf32>
  return
}

// -----

// A rank-0 tensor has no axis for softmax.
func.func @softmax_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{axis -1 is out of range for operand 'x' ('tensor<f32>')}}
  %0 = kiln.softmax %x : tensor<f32>
  return
}

// -----

// log_softmax's axis is in range.
func.func @log_softmax_axis(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{axis -3 is out of range for operand 'x' ('tensor<4x10xf32>')}}
  %0 = kiln.log_softmax %x {axis = -3 : i64} : tensor<4x10xf32>
  return
}

// -----

// batch_norm's parameters have the size of the feature dimension.
func.func @batch_norm_param_shape(%x: tensor<8x4x4x32xf32>, %p: tensor<32xf32>, %q: tensor<16xf32>) {
  // expected-error @+2 {{operand 'mean' ('tensor<16xf32>') must be a 1-D tensor of 32 'f32' to match dimension 3 of operand 'x' ('tensor<8x4x4x32xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %q, %p
      : (tensor<8x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16xf32>, tensor<32xf32>) -> tensor<8x4x4x32xf32>
  return
}

// -----

// With axis = 1 (NCHW) the parameters match dimension 1.
func.func @batch_norm_axis1(%x: tensor<8x16x4x4xf32>, %p: tensor<4xf32>) {
  // expected-error @+2 {{operand 'scale' ('tensor<4xf32>') must be a 1-D tensor of 16 'f32' to match dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64}
      : (tensor<8x16x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x16x4x4xf32>
  return
}

// -----

// batch_norm's parameters are 1-D.
func.func @batch_norm_param_rank(%x: tensor<8x32xf32>, %p: tensor<32xf32>, %q: tensor<1x32xf32>) {
  // expected-error @+2 {{operand 'variance' ('tensor<1x32xf32>') must be a 1-D tensor of 32 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %q
      : (tensor<8x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<1x32xf32>) -> tensor<8x32xf32>
  return
}

// -----

// batch_norm's parameters have x's element type.
func.func @batch_norm_param_element(%x: tensor<8x32xf16>, %p: tensor<32xf16>, %q: tensor<32xf32>) {
  // expected-error @+2 {{operand 'offset' ('tensor<32xf32>') must be a 1-D tensor of 32 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %q, %p, %p
      : (tensor<8x32xf16>, tensor<32xf16>, tensor<32xf32>, tensor<32xf16>, tensor<32xf16>) -> tensor<8x32xf16>
  return
}

// -----

// batch_norm's axis is in range.
func.func @batch_norm_axis(%x: tensor<8x32xf32>, %p: tensor<32xf32>) {
  // expected-error @+2 {{axis 2 is out of range for operand 'x' ('tensor<8x32xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {axis = 2 : i64}
      : (tensor<8x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  return
}

// -----

// layer_norm's parameters have x's shape from axis on.
func.func @layer_norm_param_shape(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+2 {{operand 'scale' ('tensor<64xf32>') must have shape [16, 64] and element type 'f32' (operand 'x' is 'tensor<2x16x64xf32>', axis 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x, %g, %g {axis = 1 : i64}
      : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// layer_norm's offset is checked like its scale.
func.func @layer_norm_offset(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %b: tensor<32xf32>) {
  // expected-error @+2 {{operand 'offset' ('tensor<32xf32>') must have shape [64]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x, %g, %b : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<32xf32>) -> tensor<2x16x64xf32>
  return
}

// -----

// layer_norm's axis is in range.
func.func @layer_norm_axis(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+2 {{axis -3 is out of range for operand 'x' ('tensor<2x64xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x, %g, %g {axis = -3 : i64} : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64xf32>
  return
}

// -----

// dropout's rate is below 1 (rate 1 would divide by zero).
func.func @dropout_rate_one(%x: tensor<4xf32>) {
  // expected-error @+1 {{rate must be in [0, 1), got 1.000000e+00}}
  %0 = kiln.dropout %x {rate = 1.0 : f64} : tensor<4xf32>
  return
}

// -----

// dropout's rate is not negative.
func.func @dropout_rate_negative(%x: tensor<4xf32>) {
  // expected-error @+1 {{rate must be in [0, 1), got -5.000000e-01}}
  %0 = kiln.dropout %x {rate = -0.5 : f64} : tensor<4xf32>
  return
}

// -----

// dropout's rate is required.
func.func @dropout_rate_missing(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires attribute 'rate'}}
  %0 = kiln.dropout %x : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

// reshape keeps the element count.
func.func @reshape_count(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{cannot reshape operand 'x' ('tensor<4x3xf32>', 12 elements) to [5, 2] (10 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 5, 2>} : (tensor<4x3xf32>) -> tensor<5x2xf32>
  return
}

// -----

// At most one -1 in the target shape.
func.func @reshape_two_inferred(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{invalid target shape [-1, -1]: dimensions must be >= 0 with at most one -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: -1, -1>} : (tensor<4x3xf32>) -> tensor<12x1xf32>
  return
}

// -----

// Other negative sizes are invalid.
func.func @reshape_negative(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{invalid target shape [-2, -6]: dimensions must be >= 0 with at most one -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: -2, -6>} : (tensor<4x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// The -1 must divide the element count evenly.
func.func @reshape_inferred_uneven(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{cannot reshape operand 'x' ('tensor<4x3xf32>') to [5, -1]: 12 elements do not divide evenly}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 5, -1>} : (tensor<4x3xf32>) -> tensor<5x2xf32>
  return
}

// -----

// A -1 next to a zero dimension is ambiguous.
func.func @reshape_inferred_zero(%x: tensor<0x3xf32>) {
  // expected-error @+2 {{cannot infer the -1 in target shape [0, -1]: another dimension is 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x {shape = array<i64: 0, -1>} : (tensor<0x3xf32>) -> tensor<0x3xf32>
  return
}

// -----

// perm is a permutation (no repeats).
func.func @transpose_repeat(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{perm [0, 0] is not a permutation of [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 0>} : (tensor<4x3xf32>) -> tensor<4x4xf32>
  return
}

// -----

// perm entries are in [0, rank).
func.func @transpose_range(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{perm [1, 2] is not a permutation of [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 2>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

// perm has one entry per dimension.
func.func @transpose_length(%x: tensor<4x3xf32>) {
  // expected-error @+2 {{perm [1, 0, 2] has 3 entries but operand 'x' ('tensor<4x3xf32>') has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

// broadcast_to needs each dimension to equal the target or be 1.
func.func @broadcast_to_incompatible(%x: tensor<3xf32>) {
  // expected-error @+2 {{operand 'x' ('tensor<3xf32>') cannot be broadcast to shape [4, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 4, 2>} : (tensor<3xf32>) -> tensor<4x2xf32>
  return
}

// -----

// broadcast_to cannot drop dimensions.
func.func @broadcast_to_lower_rank(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{operand 'x' ('tensor<2x3xf32>') cannot be broadcast to shape [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 3>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

// broadcast_to cannot shrink a dimension of size > 1 to 1.
func.func @broadcast_to_shrink(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{operand 'x' ('tensor<2x3xf32>') cannot be broadcast to shape [1, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 1, 3>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

// concat inputs agree outside the axis.
func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+2 {{input #1 ('tensor<3x3xf32>') does not match input #0 ('tensor<2x3xf32>') outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// concat inputs have the same rank.
func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>) {
  // expected-error @+2 {{input #1 ('tensor<2x3x1xf32>') does not match input #0 ('tensor<2x3xf32>') outside axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<4x3xf32>
  return
}

// -----

// concat inputs have the same element type.
func.func @concat_element(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) {
  // expected-error @+2 {{input #1 ('tensor<2x3xi32>') does not match input #0 ('tensor<2x3xf32>') outside axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<4x3xf32>
  return
}

// -----

// concat's axis is in range.
func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for input #0 ('tensor<2x3xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

// concat has at least one input.
func.func @concat_empty() {
  // expected-error @+2 {{requires at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

// slice bounds stay inside the dimension.
func.func @slice_out_of_bounds(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{dimension 1 of operand 'x' ('tensor<4x8xf32>'): slice [2:9:1] is out of bounds (need 0 <= start <= limit <= 8, stride >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice %x {start = array<i64: 0, 2>, limit = array<i64: 4, 9>} : (tensor<4x8xf32>) -> tensor<4x7xf32>
  return
}

// -----

// slice's start is not past its limit.
func.func @slice_start_after_limit(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{dimension 0 of operand 'x' ('tensor<4x8xf32>'): slice [3:2:1] is out of bounds}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice %x {start = array<i64: 3, 0>, limit = array<i64: 2, 8>} : (tensor<4x8xf32>) -> tensor<0x8xf32>
  return
}

// -----

// slice strides are at least 1.
func.func @slice_stride(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{dimension 1 of operand 'x' ('tensor<4x8xf32>'): slice [0:8:0] is out of bounds (need 0 <= start <= limit <= 8, stride >= 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice %x {start = array<i64: 0, 0>, limit = array<i64: 4, 8>, strides = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// slice attributes have one entry per dimension.
func.func @slice_size(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{attribute 'limit' must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.slice %x {start = array<i64: 0, 0>, limit = array<i64: 4>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// pad amounts are non-negative.
func.func @pad_negative(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{padding of dimension 1 must be non-negative, got low 0 high -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0, 0>, high = array<i64: 0, -1>} : (tensor<4x8xf32>) -> tensor<4x7xf32>
  return
}

// -----

// pad amounts that overflow the dimension are rejected.
func.func @pad_overflow(%x: tensor<4xf32>) {
  // expected-error @+2 {{padding of dimension 0 (low 9223372036854775807 high 0) is too large}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 9223372036854775807>, high = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// pad has one low and one high entry per dimension.
func.func @pad_size(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{attribute 'high' must have 2 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pad %x {low = array<i64: 0, 0>, high = array<i64: 0, 0, 0>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// gather's axis is a dimension of params.
func.func @gather_axis(%p: tensor<10x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{axis 2 is out of range for operand 'params' ('tensor<10x4xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather %p, %i {axis = 2 : i64} : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<10x4x3xf32>
  return
}

// -----

// gather's indices are i32 or i64.
func.func @gather_index_type(%p: tensor<10x4xf32>, %i: tensor<3xi8>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.gather %p, %i : (tensor<10x4xf32>, tensor<3xi8>) -> tensor<3x4xf32>
  return
}

// -----

// The declared gather result must be the inferred one.
func.func @gather_result(%p: tensor<10x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<10x3xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather %p, %i {axis = 1 : i64} : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Scan and yield
//===----------------------------------------------------------------------===//

// Without sequences the step count must be given.
func.func @scan_no_length(%h0: tensor<4xf32>) {
  // expected-error @+1 {{needs a 'length' attribute when it has no sequences}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>):
    kiln.yield %h : tensor<4xf32>
  }
  return
}

// -----

// All sequences have the same length along the axis.
func.func @scan_sequence_lengths(%a: tensor<5x2xf32>, %b: tensor<6x2xf32>) {
  // expected-error @+1 {{sequence #1 ('tensor<6x2xf32>') has 6 steps along axis 0, expected 5}}
  kiln.scan over(%a, %b : tensor<5x2xf32>, tensor<6x2xf32>) -> () {
  ^bb0(%x: tensor<2xf32>, %y: tensor<2xf32>):
    kiln.yield
  }
  return
}

// -----

// A given length must agree with the sequences.
func.func @scan_length_mismatch(%a: tensor<5x2xf32>) {
  // expected-error @+1 {{sequence #0 ('tensor<5x2xf32>') has 5 steps along axis 0, expected 4}}
  kiln.scan over(%a : tensor<5x2xf32>) attributes {length = 4 : i64} -> () {
  ^bb0(%x: tensor<2xf32>):
    kiln.yield
  }
  return
}

// -----

// length is not negative.
func.func @scan_negative_length(%h0: tensor<4xf32>) {
  // expected-error @+1 {{length must be >= 0, got -1}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) attributes {length = -1 : i64} -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>):
    kiln.yield %h : tensor<4xf32>
  }
  return
}

// -----

// scan's axis is not negative.
func.func @scan_negative_axis(%a: tensor<5x2xf32>) {
  // expected-error @+1 {{axis must be >= 0, got -1}}
  kiln.scan over(%a : tensor<5x2xf32>) attributes {axis = -1 : i64} -> () {
  ^bb0(%x: tensor<2xf32>):
    kiln.yield
  }
  return
}

// -----

// Every sequence has the scan axis.
func.func @scan_axis_rank(%a: tensor<5x2xf32>) {
  // expected-error @+1 {{sequence #0 ('tensor<5x2xf32>') has no axis 2}}
  kiln.scan over(%a : tensor<5x2xf32>) attributes {axis = 2 : i64} -> () {
  ^bb0(%x: tensor<5x2xf32>):
    kiln.yield
  }
  return
}

// -----

// The body's carried arguments have the carried values' types.
func.func @scan_body_carried_type(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  // expected-error @+1 {{body argument #0 ('tensor<4xf64>') must have the type of carried value #0 ('tensor<4xf32>')}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf64>, %x: tensor<2xf32>):
    %c = kiln.cast %h : tensor<4xf64> -> tensor<4xf32>
    kiln.yield %c : tensor<4xf32>
  }
  return
}

// -----

// The body's sequence arguments are the step slices.
func.func @scan_body_slice_type(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  // expected-error @+1 {{body argument #1 ('tensor<5xf32>') must be the step slice 'tensor<2xf32>' of sequence #0}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>, %x: tensor<5xf32>):
    kiln.yield %h : tensor<4xf32>
  }
  return
}

// -----

// The body has one argument per carried value and per sequence.
func.func @scan_body_arg_count(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  // expected-error @+1 {{body has 1 arguments, expected 1 carried values + 1 sequence slices}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>):
    kiln.yield %h : tensor<4xf32>
  }
  return
}

// -----

// The yield has one value per scan result.
func.func @scan_yield_count(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  %h = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>, %x: tensor<2xf32>):
    // expected-error @+1 {{yields 2 values but the enclosing scan has 1 results}}
    kiln.yield %h, %x : tensor<4xf32>, tensor<2xf32>
  }
  return
}

// -----

// A carried result has the carried value's type.
func.func @scan_carried_result(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  // expected-error @+1 {{result #0 ('tensor<3xf32>') must have the type of carried value #0 ('tensor<4xf32>')}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<3xf32>) {
  ^bb0(%h: tensor<4xf32>, %x: tensor<2xf32>):
    kiln.yield %h : tensor<4xf32>
  }
  return
}

// -----

// The yielded carried value keeps the carried type.
func.func @scan_yield_carried_type(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  // expected-error @+1 {{result #0 ('tensor<4xf32>') does not match the yielded carried value 'tensor<4xi32>'}}
  %h = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>, %x: tensor<2xf32>):
    %n = kiln.cast %h : tensor<4xf32> -> tensor<4xi32>
    kiln.yield %n : tensor<4xi32>
  }
  return
}

// -----

// A per-step result is the yielded output stacked over the steps.
func.func @scan_stacked_result(%h0: tensor<4xf32>, %a: tensor<5x2xf32>) {
  // expected-error @+1 {{result #1 ('tensor<4x2xf32>') does not match the stacked per-step output 'tensor<5x2xf32>'}}
  %h, %y = kiln.scan init(%h0 : tensor<4xf32>) over(%a : tensor<5x2xf32>) -> (tensor<4xf32>, tensor<4x2xf32>) {
  ^bb0(%h: tensor<4xf32>, %x: tensor<2xf32>):
    kiln.yield %h, %x : tensor<4xf32>, tensor<2xf32>
  }
  return
}

// -----

// A per-step output must be stackable along the scan axis.
func.func @scan_output_rank(%a: tensor<5x4x2xf32>, %s: tensor<f32>) {
  %y = kiln.scan over(%a : tensor<5x4x2xf32>) attributes {axis = 2 : i64} -> (tensor<5x4x2xf32>) {
  ^bb0(%x: tensor<5x4xf32>):
    // expected-error @+1 {{per-step output #0 ('tensor<f32>') has rank below axis 2}}
    kiln.yield %s : tensor<f32>
  }
  return
}

// -----

// A scan has at least as many results as carried values.
func.func @scan_too_few_results(%h0: tensor<4xf32>, %c0: tensor<4xf32>) {
  // expected-error @+1 {{has 1 results but 2 carried values}}
  %h = kiln.scan init(%h0, %c0 : tensor<4xf32>, tensor<4xf32>) attributes {length = 3 : i64} -> (tensor<4xf32>) {
  ^bb0(%h: tensor<4xf32>, %c: tensor<4xf32>):
    kiln.yield %h : tensor<4xf32>
  }
  return
}

// -----

// The body ends with kiln.yield.
func.func @scan_no_terminator(%a: tensor<5x2xf32>) {
  %y = kiln.scan over(%a : tensor<5x2xf32>) -> (tensor<5x2xf32>) {
  ^bb0(%x: tensor<2xf32>):
    // expected-error @+1 {{block with no terminator}}
    %z = kiln.exp %x : tensor<2xf32>
  }
  return
}

// -----

// The body is a single block.
func.func @scan_two_blocks(%a: tensor<5x2xf32>) {
  // expected-error @+1 {{expects region #0 to have 0 or 1 blocks}}
  %y = kiln.scan over(%a : tensor<5x2xf32>) -> (tensor<5x2xf32>) {
  ^bb0(%x: tensor<2xf32>):
    kiln.yield %x : tensor<2xf32>
  ^bb1:
    kiln.yield %x : tensor<2xf32>
  }
  return
}

// -----

// kiln.yield only terminates a kiln.scan or kiln.fusion body.
func.func @yield_outside_scan(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.yield' op expects parent op to be one of 'kiln.scan, kiln.fusion'}}
  kiln.yield %x : tensor<4xf32>
}

// -----

// A fusion body takes one argument per input.
func.func @fusion_arity(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.fusion' op body has 0 arguments for 1 inputs}}
  %y = kiln.fusion "elementwise"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
    %c = kiln.constant dense<1.0> : tensor<4xf32>
    kiln.yield %c : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// A fusion body argument has its input's type.
func.func @fusion_arg_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.fusion' op body argument 0 has type 'tensor<2xf32>' but input 0 has type 'tensor<4xf32>'}}
  %y = kiln.fusion "elementwise"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<2xf32>):
    %c = kiln.constant dense<1.0> : tensor<4xf32>
    kiln.yield %c : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// A fusion yields one value of each result type.
func.func @fusion_yield_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.fusion' op yielded value 0 has type 'tensor<4xi32>' but result 0 has type 'tensor<4xf32>'}}
  %y = kiln.fusion "elementwise"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %c = kiln.constant dense<1> : tensor<4xi32>
    kiln.yield %c : tensor<4xi32>
  }
  return %y : tensor<4xf32>
}

// -----

// A fusion body sees nothing from outside: values come in as inputs.
func.func @fusion_isolated(%x: tensor<4xf32>, %z: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = kiln.fusion "elementwise"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = kiln.add %a, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    kiln.yield %s : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// A convolution gradient's grad must have the forward result's type.
func.func @backprop_input_grad_shape(%dy: tensor<2x10x11x64xf32>, %w: tensor<3x3x32x64xf32>) {
  // expected-error @+2 {{operand 'grad' ('tensor<2x10x11x64xf32>') must have the convolution result's type 'tensor<2x11x11x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d_backprop_input %dy, %w {input_shape = array<i64: 2, 13, 13, 32>}
      : (tensor<2x10x11x64xf32>, tensor<3x3x32x64xf32>) -> tensor<2x13x13x32xf32>
  return
}

// -----

// filter_shape is a 4-D shape.
func.func @backprop_filter_shape(%x: tensor<2x13x13x32xf32>, %dy: tensor<2x11x11x64xf32>) {
  // expected-error @+2 {{attribute 'filter_shape' must be 4 sizes >= 0, got [3, 3, 32]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv2d_backprop_filter %x, %dy {filter_shape = array<i64: 3, 3, 32>}
      : (tensor<2x13x13x32xf32>, tensor<2x11x11x64xf32>) -> tensor<3x3x32xf32>
  return
}
