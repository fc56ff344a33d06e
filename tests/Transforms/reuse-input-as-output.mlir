// RUN: nnc-opt %s -split-input-file -nnc-reuse-input-as-output | FileCheck %s

#id = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>

// p - lr * g returned as the new value of %p (nn.updates = 0): the kernel
// writes over %p itself, not over the gradient (a produced value the
// general rule would reuse), and runs after the other reader of %p.
// CHECK-LABEL: func.func @step
// CHECK: %[[READ:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<4xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: %[[NEW:.*]] = linalg.generic {{.*}} ins(%arg1, %{{.*}} : tensor<f32>, tensor<4xf32>) outs(%arg0 : tensor<4xf32>)
// CHECK-NEXT: ^bb0(%[[LR:.*]]: f32, %[[G:.*]]: f32, %[[P:.*]]: f32):
// CHECK: return %[[NEW]], %[[READ]]
func.func @step(%p: tensor<4xf32>, %lr: tensor<f32>, %x: tensor<4xf32>)
    -> (tensor<4xf32> {nn.updates = 0 : i64}, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.mulf %a, %a : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %new = linalg.generic {indexing_maps = [#id, #scalar, #id, #id], iterator_types = ["parallel"]}
      ins(%p, %lr, %g : tensor<4xf32>, tensor<f32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%pv: f32, %l: f32, %gv: f32, %o: f32):
    %s = arith.mulf %l, %gv : f32
    %d = arith.subf %pv, %s : f32
    linalg.yield %d : f32
  } -> tensor<4xf32>
  %read = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%p : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  return %new, %read : tensor<4xf32>, tensor<4xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// The general rule: an elementwise kernel whose output is a fresh empty
// writes over a dead input of its type produced by another linalg op: the
// bias add updates the matmul's accumulator, which it now reads as its
// output.
// CHECK-LABEL: func.func @epilogue
// CHECK: %[[MM:.*]] = linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%arg2 : tensor<8xf32>) outs(%[[MM]] : tensor<2x8xf32>)
// CHECK-NEXT: ^bb0(%[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:   arith.addf %[[ACC]], %[[B]]
func.func @epilogue(%x: tensor<2x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8xf32>) -> tensor<2x8xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x8xf32>) outs(%acc : tensor<2x8xf32>) -> tensor<2x8xf32>
  %e2 = tensor.empty() : tensor<2x8xf32>
  %y = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<2x8xf32>, tensor<8xf32>) outs(%e2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %s = arith.addf %a, %bb : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
