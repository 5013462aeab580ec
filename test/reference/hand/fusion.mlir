// Hand-computed reference-interpreter tests: kiln.fusion evaluates its body
// once on its inputs (matmul epilogue; a fusion inside a scan body).
//
// RUN: kiln-run %s --function epilogue --print | FileCheck %s --match-full-lines --check-prefix=EPI
// RUN: kiln-run %s --function in_scan --print | FileCheck %s --match-full-lines --check-prefix=SCAN

// [[1, 2]] x [[1, -1], [2, -3]] = [[5, -7]]; + [1, 1] = [[6, -6]]; relu.
// EPI: result0: tensor<1x2xf32>
// EPI-NEXT: {{\[\[}}6, 0]]
func.func @epilogue() -> tensor<1x2xf32> {
  %x = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %w = kiln.constant dense<[[1.0, -1.0], [2.0, -3.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %y = kiln.fusion "matmul"(%x, %w, %b) : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> {
  ^bb0(%a: tensor<1x2xf32>, %c: tensor<2x2xf32>, %d: tensor<2xf32>):
    %m = kiln.matmul %a, %c : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
    %s = kiln.add %m, %d : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
    %r = kiln.relu %s : tensor<1x2xf32>
    kiln.yield %r : tensor<1x2xf32>
  }
  return %y : tensor<1x2xf32>
}

// Running sum of 2 * x over [1, 2, 3]: 2, 6, 12.
// SCAN: result0: tensor<3xf32>
// SCAN-NEXT: [2, 6, 12]
func.func @in_scan() -> tensor<3xf32> {
  %xs = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s0 = kiln.constant dense<0.0> : tensor<f32>
  %s, %ys = kiln.scan init(%s0 : tensor<f32>) over(%xs : tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%c: tensor<f32>, %x: tensor<f32>):
    %n = kiln.fusion "elementwise"(%c, %x) : (tensor<f32>, tensor<f32>) -> tensor<f32> {
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      %two = kiln.constant dense<2.0> : tensor<f32>
      %d = kiln.mul %b, %two : (tensor<f32>, tensor<f32>) -> tensor<f32>
      %e = kiln.add %a, %d : (tensor<f32>, tensor<f32>) -> tensor<f32>
      kiln.yield %e : tensor<f32>
    }
    kiln.yield %n, %n : tensor<f32>, tensor<f32>
  }
  return %ys : tensor<3xf32>
}
