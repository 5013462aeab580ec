// --kiln-opt-report prints, per pass of the pipeline, the kiln ops before
// and after (a fusion counts once), then what the fusion pass fused and why
// it stopped where it did. With =FILE it writes the report to FILE.
//
// RUN: kiln-opt %s --kiln-optimize --kiln-opt-report -o /dev/null 2>&1 | FileCheck %s
// RUN: kiln-opt %s --kiln-optimize --kiln-opt-report=%t.txt -o /dev/null
// RUN: FileCheck %s < %t.txt
// RUN: kiln-opt %s --kiln-optimize --kiln-opt-report=%t.missing/dir/report.txt -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADPATH

// CHECK: kiln optimizer report
// CHECK: #    pass before after
// CHECK-NEXT: 1 kiln-prune 6 5
// CHECK: kiln-fold-batch-norm 5 4
// CHECK: kiln-fuse 4 2
// CHECK: kiln-fuse:
// CHECK-NEXT: @predict: fuses kiln.matmul 'dense' with add relu into a "matmul" fusion; stops at kiln.softmax 'softmax': not an elementwise op
// CHECK-NEXT: @predict: leaves kiln.softmax 'softmax' alone: nothing to fuse with
// BADPATH: kiln-opt: error: cannot write report to

func.func @predict(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = kiln.constant dense<[[1.0, 0.0, -1.0], [0.5, 0.5, 0.5], [2.0, -2.0, 0.0], [0.0, 1.0, 1.0]]> : tensor<4x3xf32>
  %b = kiln.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %scale = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %offset = kiln.constant dense<[0.0, 0.0, 0.0]> : tensor<3xf32>
  %mean = kiln.constant dense<[0.0, 1.0, 0.0]> : tensor<3xf32>
  %var = kiln.constant dense<[1.0, 1.0, 1.0]> : tensor<3xf32>
  %d = kiln.dropout %x {rate = 0.2 : f64} : tensor<2x4xf32> loc("dropout")
  %m = kiln.matmul %d, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("dense")
  %a = kiln.add %m, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("bias")
  %n = kiln.batch_norm %a, %scale, %offset, %mean, %var {epsilon = 0.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("bn")
  %r = kiln.relu %n : tensor<2x3xf32> loc("relu")
  %s = kiln.softmax %r : tensor<2x3xf32> loc("softmax")
  return %s : tensor<2x3xf32>
}
