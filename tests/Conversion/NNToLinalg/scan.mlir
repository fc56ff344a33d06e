// RUN: nnc-opt %s --convert-nn-to-linalg -cse --split-input-file | FileCheck %s

// A scan is one serial scf.for over the steps (marked nn.sequence_steps)
// on tensors: the carried value is an iter_arg, the step's input a
// rank-reducing extract_slice at axis 1, the per-step output an
// insert_slice into a stacked iter_arg allocated before the loop with its
// batch size traced to the input's. The body's ops are converted as
// anywhere else.
// CHECK-LABEL: func.func @forward
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[T:.*]] = tensor.dim %arg0, %[[C1]] : tensor<?x5x4xf32>
// CHECK: %[[B:.*]] = tensor.dim %arg0, %[[C0]] : tensor<?x5x4xf32>
// CHECK: %[[STACK:.*]] = tensor.empty(%[[B]]) : tensor<?x5x8xf32>
// CHECK: %[[L:.*]]:2 = scf.for %[[I:.*]] = %[[C0]] to %[[T]] step %[[C1]] iter_args(%[[H:.*]] = %arg1, %[[S:.*]] = %[[STACK]]) -> (tensor<?x8xf32>, tensor<?x5x8xf32>) {
// CHECK: %[[XT:.*]] = tensor.extract_slice %arg0[0, %[[I]], 0] [%{{.*}}, 1, 4] [1, 1, 1] : tensor<?x5x4xf32> to tensor<?x4xf32>
// CHECK: linalg.matmul ins(%[[XT]], %arg2
// CHECK: linalg.matmul ins(%[[H]], %arg3
// CHECK: linalg.generic
// CHECK: %[[N:.*]] = linalg.generic
// CHECK: math.tanh
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[N]] into %[[S]][0, %[[I]], 0] [%{{.*}}, 1, 8] [1, 1, 1] : tensor<?x8xf32> into tensor<?x5x8xf32>
// CHECK: scf.yield %[[N]], %[[INS]]
// CHECK: } {nn.sequence_steps}
// CHECK: return %[[L]]#0, %[[L]]#1
func.func @forward(%x: tensor<?x5x4xf32>, %h0: tensor<?x8xf32>, %w: tensor<4x8xf32>, %u: tensor<8x8xf32>) -> (tensor<?x8xf32>, tensor<?x5x8xf32>) {
  %h, %hs = nn.scan carry(%h0 : tensor<?x8xf32>) over(%x : tensor<?x5x4xf32>) with(%w, %u : tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>, tensor<?x5x8xf32> {
  ^bb0(%h1: tensor<?x8xf32>, %xt: tensor<?x4xf32>, %w1: tensor<4x8xf32>, %u1: tensor<8x8xf32>):
    %a = nn.matmul %xt, %w1 : tensor<?x4xf32>, tensor<4x8xf32>
    %b = nn.matmul %h1, %u1 : tensor<?x8xf32>, tensor<8x8xf32>
    %s = nn.add %a, %b : tensor<?x8xf32>, tensor<?x8xf32>
    %h2 = nn.tanh %s : tensor<?x8xf32>
    nn.yield %h2, %h2 : tensor<?x8xf32>, tensor<?x8xf32>
  }
  return %h, %hs : tensor<?x8xf32>, tensor<?x5x8xf32>
}

// -----

// reverse: step t of the loop reads and writes position T - 1 - t. The
// stacked output's batch size comes through a slice of a gate (the slice's
// size) back to the step's input.
// CHECK-LABEL: func.func @reverse
// CHECK: %[[T:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[B:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[B]]) : tensor<?x3x2xf32>
// CHECK: scf.for %[[I:.*]] = %c0 to %[[T]]
// CHECK: %[[LAST:.*]] = arith.subi %[[T]], %c1
// CHECK: %[[P:.*]] = arith.subi %[[LAST]], %[[I]]
// CHECK: tensor.extract_slice %arg0[0, %[[P]], 0]
// CHECK: %[[G:.*]] = tensor.extract_slice %{{.*}}[0, 2] [%{{.*}}, 2] [1, 1] : tensor<?x4xf32> to tensor<?x2xf32>
// CHECK: tensor.insert_slice %[[G]] into %{{.*}}[0, %[[P]], 0]
// CHECK: } {nn.sequence_steps}
func.func @reverse(%x: tensor<?x3x4xf32>) -> tensor<?x3x2xf32> {
  %hs = nn.scan over(%x : tensor<?x3x4xf32>) reverse -> tensor<?x3x2xf32> {
  ^bb0(%xt: tensor<?x4xf32>):
    %g = nn.slice %xt axis = 1 offset = 2 size = 2 : tensor<?x4xf32>
    nn.yield %g : tensor<?x2xf32>
  }
  return %hs : tensor<?x3x2xf32>
}

// -----

// nn.unslice places its operand into zeros; nn.batch_zeros is a fill of
// the operand's batch size.
// CHECK-LABEL: func.func @unslice_and_zeros
// CHECK: %[[B:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[B]]) : tensor<?x8xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x8xf32>)
// CHECK: tensor.insert_slice %arg0 into %[[Z]][0, 2] [%{{.*}}, 4] [1, 1] : tensor<?x4xf32> into tensor<?x8xf32>
// CHECK: %[[B2:.*]] = tensor.dim %arg1, %c0
// CHECK: %[[E2:.*]] = tensor.empty(%[[B2]]) : tensor<?x3xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<?x3xf32>)
func.func @unslice_and_zeros(%x: tensor<?x4xf32>, %y: tensor<?x5x2xf32>) -> (tensor<?x8xf32>, tensor<?x3xf32>) {
  %u = nn.unslice %x axis = 1 offsets = [2] full = 8 : tensor<?x4xf32>
  %z = nn.batch_zeros %y : tensor<?x5x2xf32> -> tensor<?x3xf32>
  return %u, %z : tensor<?x8xf32>, tensor<?x3xf32>
}

// -----

// Pieces that fill the axis go into an empty tensor (no zeros written);
// pieces that leave a gap go into zeros.
// CHECK-LABEL: func.func @unslice_pieces
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x8xf32>
// CHECK-NOT: linalg.fill
// CHECK: %[[P:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [%{{.*}}, 3] [1, 1] : tensor<?x3xf32> into tensor<?x8xf32>
// CHECK: %[[Q:.*]] = tensor.insert_slice %arg1 into %[[P]][0, 3] [%{{.*}}, 5] [1, 1] : tensor<?x5xf32> into tensor<?x8xf32>
// CHECK: %[[E2:.*]] = tensor.empty(%{{.*}}) : tensor<?x9xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<?x9xf32>)
// CHECK: %[[P2:.*]] = tensor.insert_slice %arg0 into %[[Z]][0, 0] [%{{.*}}, 3] [1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[P2]][0, 4] [%{{.*}}, 5] [1, 1]
func.func @unslice_pieces(%a: tensor<?x3xf32>, %b: tensor<?x5xf32>) -> (tensor<?x8xf32>, tensor<?x9xf32>) {
  %full = nn.unslice %a, %b axis = 1 offsets = [0, 3] full = 8 : tensor<?x3xf32>, tensor<?x5xf32>
  %gap = nn.unslice %a, %b axis = 1 offsets = [0, 4] full = 9 : tensor<?x3xf32>, tensor<?x5xf32>
  return %full, %gap : tensor<?x8xf32>, tensor<?x9xf32>
}

// -----

// nn.reverse reads step n - 1 - i.
// CHECK: #[[FLIP:.*]] = affine_map<(d0, d1, d2) -> (d0, -d1 + 4, d2)>
// CHECK-LABEL: func.func @reverse_steps
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<?x5x3xf32>)
func.func @reverse_steps(%x: tensor<?x5x3xf32>) -> tensor<?x5x3xf32> {
  %r = nn.reverse %x axis = 1 : tensor<?x5x3xf32>
  return %r : tensor<?x5x3xf32>
}

// -----

// nn.sparse_matmul: a parallel generic over (row, unit) whose body sums the
// unit's entries in a loop (the sum an iter_arg, in a register), each
// reading x at its column (tensor.extract), NaN for a column outside the
// inputs. Its transpose scatters in a serial loop nest on tensors
// (tensor.insert into the iter_arg).
// CHECK-LABEL: func.func @sparse
// CHECK: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<?x6xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: %[[UNIT:.*]] = linalg.index 1
// CHECK: %[[SUM:.*]] = scf.for %[[E:.*]] = %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK: tensor.extract %arg1[%[[UNIT]], %[[E]]] : tensor<6x2xf32>
// CHECK: tensor.extract %arg2[%[[UNIT]], %[[E]]] : tensor<6x2xf32>
// CHECK: %[[IN:.*]] = arith.andi
// CHECK: %[[X:.*]] = tensor.extract %arg0[%[[ROW]], %{{.*}}] : tensor<?x4xf32>
// CHECK: arith.select %[[IN]]
// CHECK: linalg.yield %[[SUM]]
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.insert %{{.*}} into %{{.*}} : tensor<?x4xf32>
func.func @sparse(%x: tensor<?x4xf32>, %c: tensor<6x2xf32>, %v: tensor<6x2xf32>, %dy: tensor<?x6xf32>) -> (tensor<?x6xf32>, tensor<?x4xf32>) {
  %y = nn.sparse_matmul %x, %c, %v : tensor<?x4xf32>, tensor<6x2xf32>, tensor<6x2xf32>
  %dx = nn.sparse_matmul_t %dy, %c, %v inputs = 4 : tensor<?x6xf32>, tensor<6x2xf32>, tensor<6x2xf32>
  return %y, %dx : tensor<?x6xf32>, tensor<?x4xf32>
}

// -----

// A per-step output of another shape than the step's input (a reshape,
// lowered to expand_shape): its stack is sized before the loop from the
// sizes the expand_shape names, traced to the input's batch.
// CHECK-LABEL: func.func @reshaped
// CHECK: %[[B:.*]] = tensor.dim %arg0, %c0 : tensor<?x5x4xf32>
// CHECK: %[[STACK:.*]] = tensor.empty(%[[B]]) : tensor<?x5x2x2xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[STACK]])
// CHECK: tensor.expand_shape
func.func @reshaped(%x: tensor<?x5x4xf32>, %h0: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x5x2x2xf32>) {
  %h, %hs = nn.scan carry(%h0 : tensor<?x8xf32>) over(%x : tensor<?x5x4xf32>) -> tensor<?x8xf32>, tensor<?x5x2x2xf32> {
  ^bb0(%h1: tensor<?x8xf32>, %xt: tensor<?x4xf32>):
    %r = nn.reshape %xt : tensor<?x4xf32> -> tensor<?x2x2xf32>
    nn.yield %h1, %r : tensor<?x8xf32>, tensor<?x2x2xf32>
  }
  return %h, %hs : tensor<?x8xf32>, tensor<?x5x2x2xf32>
}

// -----

// A scan in a scan's body whose stacked outputs are the outer per-step
// output: the inner loop (lowered first) keeps its stack's size, that of
// the stack's tensor.empty, traced to the outer carried value's batch.
// CHECK-LABEL: func.func @nested
// CHECK: %[[B:.*]] = tensor.dim %arg1, %c0 : tensor<?x4xf32>
// CHECK: %[[STACK:.*]] = tensor.empty(%[[B]]) : tensor<?x3x5x4xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[STACK]])
// CHECK: scf.for
// CHECK: } {nn.sequence_steps}
// CHECK: } {nn.sequence_steps}
func.func @nested(%x: tensor<?x3x5x4xf32>, %h0: tensor<?x4xf32>) -> tensor<?x3x5x4xf32> {
  %h, %hs = nn.scan carry(%h0 : tensor<?x4xf32>) over(%x : tensor<?x3x5x4xf32>) -> tensor<?x4xf32>, tensor<?x3x5x4xf32> {
  ^bb0(%h1: tensor<?x4xf32>, %xt: tensor<?x5x4xf32>):
    %g, %gs = nn.scan carry(%h1 : tensor<?x4xf32>) over(%xt : tensor<?x5x4xf32>) -> tensor<?x4xf32>, tensor<?x5x4xf32> {
    ^bb0(%c: tensor<?x4xf32>, %s: tensor<?x4xf32>):
      %n = nn.add %c, %s : tensor<?x4xf32>, tensor<?x4xf32>
      nn.yield %n, %n : tensor<?x4xf32>, tensor<?x4xf32>
    }
    nn.yield %g, %gs : tensor<?x4xf32>, tensor<?x5x4xf32>
  }
  return %hs : tensor<?x3x5x4xf32>
}
