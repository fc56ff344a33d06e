// RUN: nnc-opt %s -nnc-lower-copies | FileCheck %s

// A copy out of a strided view would become a call to memrefCopy, which
// artifacts do not link; as a linalg.copy it becomes loops.
// CHECK-LABEL: func.func @column
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<4xf32, strided<[3]>>) outs(%{{.*}} : memref<4xf32>)
func.func @column(%a: memref<4x3xf32>, %out: memref<4xf32>) {
  %col = memref.subview %a[0, 0] [4, 1] [1, 1] : memref<4x3xf32> to memref<4xf32, strided<[3]>>
  memref.copy %col, %out : memref<4xf32, strided<[3]>> to memref<4xf32>
  return
}
