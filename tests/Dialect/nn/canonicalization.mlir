// RUN: nnc-opt %s -canonicalize | FileCheck %s
// The folders of the nn dialect.

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @neg_neg(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.neg %x : tensor<?x3xf32>
  %1 = nn.neg %0 : tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_identity(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.reshape %x : tensor<?x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] : tensor<?x2x3xf32> -> tensor<?x3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<?x2x3xf32>) -> tensor<?x3x2xf32> {
  %0 = nn.reshape %x : tensor<?x2x3xf32> -> tensor<?x6xf32>
  %1 = nn.reshape %0 : tensor<?x6xf32> -> tensor<?x3x2xf32>
  return %1 : tensor<?x3x2xf32>
}

// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<?x6xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %0 = nn.reshape %x : tensor<?x6xf32> -> tensor<?x2x3xf32>
  %1 = nn.reshape %0 : tensor<?x2x3xf32> -> tensor<?x6xf32>
  return %1 : tensor<?x6xf32>
}

// Unused pure ops disappear.
// CHECK-LABEL: func.func @dead
// CHECK-NOT: nn.
func.func @dead(%x: tensor<?x3xf32>) {
  %0 = nn.tanh %x : tensor<?x3xf32>
  return
}

// A scan's per-step outputs: one nobody reads is not stacked, one that
// repeats an earlier one shares its stack.
// CHECK-LABEL: func.func @scan_outputs
// CHECK: %[[S:.*]]:2 = nn.scan carry(%arg0 : tensor<?x2xf32>) over(%arg1 : tensor<?x3x2xf32>) -> tensor<?x2xf32>, tensor<?x3x2xf32> {
// CHECK: nn.yield %[[T:.*]], %[[T]] : tensor<?x2xf32>, tensor<?x2xf32>
// CHECK: return %[[S]]#1, %[[S]]#1
func.func @scan_outputs(%h0: tensor<?x2xf32>, %x: tensor<?x3x2xf32>) -> (tensor<?x3x2xf32>, tensor<?x3x2xf32>) {
  %s:4 = nn.scan carry(%h0 : tensor<?x2xf32>) over(%x : tensor<?x3x2xf32>) -> tensor<?x2xf32>, tensor<?x3x2xf32>, tensor<?x3x2xf32>, tensor<?x3x2xf32> {
  ^bb0(%h: tensor<?x2xf32>, %xt: tensor<?x2xf32>):
    %t = nn.add %h, %xt : tensor<?x2xf32>, tensor<?x2xf32>
    nn.yield %t, %h, %t, %t : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
  }
  return %s#2, %s#3 : tensor<?x3x2xf32>, tensor<?x3x2xf32>
}

// The sum of the gradients of a recurrent cell's gate slices: disjoint
// pieces, summed in any order, become one nn.unslice of all pieces in
// offset order (no zero-filled tensor per piece, no sums).
// CHECK-LABEL: func.func @add_disjoint_unslices
// CHECK-SAME: (%[[I:.*]]: tensor<?x2xf32>, %[[F:.*]]: tensor<?x2xf32>, %[[G:.*]]: tensor<?x2xf32>, %[[O:.*]]: tensor<?x2xf32>)
// CHECK-NEXT: %[[U:.*]] = nn.unslice %[[I]], %[[F]], %[[G]], %[[O]] axis = 1 offsets = [0, 2, 4, 6] full = 8
// CHECK-NEXT: return %[[U]]
func.func @add_disjoint_unslices(%i: tensor<?x2xf32>, %f: tensor<?x2xf32>, %g: tensor<?x2xf32>, %o: tensor<?x2xf32>) -> tensor<?x8xf32> {
  %uo = nn.unslice %o axis = 1 offsets = [6] full = 8 : tensor<?x2xf32>
  %ug = nn.unslice %g axis = 1 offsets = [4] full = 8 : tensor<?x2xf32>
  %uf = nn.unslice %f axis = 1 offsets = [2] full = 8 : tensor<?x2xf32>
  %ui = nn.unslice %i axis = 1 offsets = [0] full = 8 : tensor<?x2xf32>
  %0 = nn.add %uo, %ug : tensor<?x8xf32>, tensor<?x8xf32>
  %1 = nn.add %0, %uf : tensor<?x8xf32>, tensor<?x8xf32>
  %2 = nn.add %ui, %1 : tensor<?x8xf32>, tensor<?x8xf32>
  return %2 : tensor<?x8xf32>
}

// Overlapping pieces add up: they stay sums.
// CHECK-LABEL: func.func @add_unslices_kept
// CHECK-COUNT-2: nn.add
// CHECK-NOT: nn.add
func.func @add_unslices_kept(%a: tensor<?x2xf32>, %b: tensor<?x4xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %ua = nn.unslice %a axis = 1 offsets = [2] full = 8 : tensor<?x2xf32>
  %ub = nn.unslice %b axis = 1 offsets = [0] full = 8 : tensor<?x4xf32>
  %overlap = nn.add %ua, %ub : tensor<?x8xf32>, tensor<?x8xf32>
  %twice = nn.add %ua, %ua : tensor<?x8xf32>, tensor<?x8xf32>
  return %overlap, %twice : tensor<?x8xf32>, tensor<?x8xf32>
}
