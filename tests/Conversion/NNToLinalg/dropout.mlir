// RUN: nnc-opt %s --convert-nn-to-linalg | FileCheck %s

// The mask is one parallel generic over the element index: the step's key
// (seed half folded at compile time) is mixed once outside it, each element
// hashes its row-major index twice with lowbias32, keeps when the top 24
// bits reach ceil(0.25 * 2^24) = 4194304, and yields 1 / (1 - 0.25) or 0.
// CHECK-LABEL: func.func @mask
// CHECK: %[[S:.*]] = tensor.extract %arg1[]
// CHECK: %[[SI:.*]] = arith.fptoui %[[S]] : f32 to i32
// CHECK: arith.xori %[[SI]], %{{.*}} : i32
// CHECK-COUNT-2: arith.constant {{2146121005|-2073254261}} : i32
// CHECK: %[[KEY:.*]] = arith.xori
// CHECK: tensor.dim %arg0, %c0
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} outs(
// CHECK: %[[I0:.*]] = linalg.index 0
// CHECK: arith.muli %[[I0]], %c3
// CHECK: linalg.index 1
// CHECK: arith.muli %{{.*}}, %c4
// CHECK: linalg.index 2
// CHECK: %[[I:.*]] = arith.index_cast %{{.*}} : index to i32
// CHECK: arith.xori %[[I]], %[[KEY]]
// CHECK: arith.addi %{{.*}}, %[[KEY]] : i32
// CHECK: %[[TOP:.*]] = arith.shrui %{{.*}}, %c8_i32
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %[[TOP]], %c4194304_i32
// CHECK: arith.select %[[KEEP]], %cst{{.*}}, %cst
// CHECK-SAME: : f32
func.func @mask(%x: tensor<?x3x4xf32>, %step: tensor<f32>) -> tensor<?x3x4xf32> {
  %m = nn.dropout_mask %x, %step {rate = 0.25 : f64, seed = 7 : i64} : tensor<?x3x4xf32>, tensor<f32>
  return %m : tensor<?x3x4xf32>
}
