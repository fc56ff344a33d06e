// RUN: nnc-opt %s -nnc-results-to-arguments | FileCheck %s

#id = affine_map<(d0) -> (d0)>

// A model's result gets a caller-owned output argument, and the kernel that
// produced it writes there: its tensor.empty init is replaced.
// CHECK-LABEL: func.func private @m(
// CHECK-SAME:    %[[X:.*]]: tensor<?xf32> {nn.input = "x"}
// CHECK-SAME:    %[[OUT:.*]]: tensor<?xf32> {nn.output = "output_0"}
// CHECK:         %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?xf32>) outs(%[[OUT]] : tensor<?xf32>)
// CHECK:         return %[[Y]]
func.func private @m(%x: tensor<?xf32> {nn.input = "x"}) -> tensor<?xf32> attributes {nn.model} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %y : tensor<?xf32>
}

// In a train step a result tagged nn.updates = k is written into argument
// k (the parameter updates in place); a named result gets an output
// argument of that name; a result no kernel produces (an argument itself)
// is copied with materialize_in_destination.
// CHECK-LABEL: func.func private @m_train(
// CHECK-SAME:    %[[W:[^:]*]]: tensor<4xf32> {nn.param = "w"}
// CHECK-SAME:    %[[LR:[^:]*]]: tensor<f32> {nn.hyper = "learning_rate"}
// CHECK-SAME:    %[[LOSS:[^:]*]]: tensor<f32> {nn.output = "loss"}
// CHECK:         %[[NEW:.*]] = linalg.generic {{.*}} outs(%[[W]] : tensor<4xf32>)
// CHECK:         %[[COPY:.*]] = bufferization.materialize_in_destination %[[LR]] in %[[LOSS]]
// CHECK:         return %[[NEW]], %[[COPY]]
func.func private @m_train(%w: tensor<4xf32> {nn.param = "w"}, %lr: tensor<f32> {nn.hyper = "learning_rate"}) -> (tensor<4xf32> {nn.updates = 0 : i64}, tensor<f32> {nn.result = "loss"}) attributes {nn.entry = {kind = "train", model = "m"}} {
  %e = tensor.empty() : tensor<4xf32>
  %new = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%w : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %new, %lr : tensor<4xf32>, tensor<f32>
}
