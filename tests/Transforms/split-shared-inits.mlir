// RUN: nnc-opt %s -nnc-split-shared-inits | FileCheck %s

// A zero-filled init shared by two destinations (CSE merged two fills):
// each user gets a fill of an empty of its own, right before it; the
// original fill and empty are gone.
// CHECK-LABEL: func.func @shared_fill
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4xf32>, %[[N:.*]]: index)
// CHECK:         %[[Z:.*]] = arith.constant 0.0
// CHECK-NEXT:    %[[E1:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK-NEXT:    %[[F1:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E1]] : tensor<?x4xf32>)
// CHECK-NEXT:    %[[A:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x4xf32>) outs(%[[F1]] : tensor<?x4xf32>)
// CHECK:         %[[E2:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK-NEXT:    %[[F2:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E2]] : tensor<?x4xf32>)
// CHECK-NEXT:    %[[B:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<?x4xf32>) outs(%[[F2]] : tensor<?x4xf32>)
// CHECK-NOT:     tensor.empty
// CHECK:         return %[[A]], %[[B]]
#id = affine_map<(i, j) -> (i, j)>
func.func @shared_fill(%x: tensor<?x4xf32>, %n: index) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x4xf32>) outs(%z : tensor<?x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<?x4xf32>) outs(%z : tensor<?x4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %a, %b : tensor<?x4xf32>, tensor<?x4xf32>
}

// An empty shared by a fill and another destination: the fill keeps one
// clone, the other user gets its own empty; a use inside a loop gets its
// clone before the loop, not in the body.
// CHECK-LABEL: func.func @shared_empty
// CHECK:         %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT:    %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4xf32>)
// CHECK:         %[[E2:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT:    scf.for {{.*}} iter_args(%{{.*}} = %[[F]])
// CHECK:           linalg.generic {{.*}} outs(%[[E2]] : tensor<4xf32>)
// CHECK-NOT:     tensor.empty
func.func @shared_empty(%x: tensor<4xf32>, %n: index) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (tensor<4xf32>) {
    %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x, %acc : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %a: f32, %out: f32):
      %s = arith.addf %a, %in : f32
      linalg.yield %s : f32
    } -> tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// One use: left alone.
// CHECK-LABEL: func.func @single_use
// CHECK:         %[[E:.*]] = tensor.empty
// CHECK-NEXT:    linalg.fill ins(%{{.*}} : f32) outs(%[[E]]
// CHECK-NOT:     tensor.empty
func.func @single_use(%n: index) -> tensor<?x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %z : tensor<?x4xf32>
}
