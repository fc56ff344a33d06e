//===- Passes.td - the artifact's ABI -------------------------*- tablegen -*-===//

#ifndef NNC_TARGET_PASSES_TD
#define NNC_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExportArtifact : Pass<"nnc-export-artifact", "::mlir::ModuleOp"> {
  let summary = "Write the entry wrappers and the manifest from the final "
                "signatures";
  let description = [{
    The one place the artifact's ABI is decided. Runs after bufferization,
    when every model and entry function takes memrefs only (results are
    caller-owned arguments) and still carries its nn attributes. For each,
    it adds `void nnc_<model>_<kind>[_<def>](i64 batch, ptr buffers)`: it
    loads one data pointer per argument from `buffers`, builds the memref
    descriptor (dense row-major, every dynamic size is `batch`) and calls
    the function. The buffers' roles, names, shapes and element types, the
    parameters' initialisers, the layer tables and the train settings become
    the manifest JSON, stored as the module attribute `nn.manifest`.

    ```mlir
    func.func private @m(%x: memref<?x4xf32> {nn.input = "x"},
                         %y: memref<?x3xf32> {nn.output = "output_0"})
      =>
    func.func @nnc_m_infer(%batch: i64, %buffers: !llvm.ptr) {
      // llvm.getelementptr/load: the data pointers; llvm.insertvalue: the
      // descriptors; builtin.unrealized_conversion_cast to memref
      call @m(%0, %1) : (memref<?x4xf32>, memref<?x3xf32>) -> ()
    }
    module attributes {nn.manifest = "{\"format\":\"nnc-artifact\",...}"}
    ```
  }];
  let options = [
    Option<"device", "device", "std::string", /*default=*/"\"\"",
           "The device the entries run on: \"\" (the CPU) or \"cuda\"; a "
           "device's entries get the symbol suffix _<device>">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // NNC_TARGET_PASSES_TD
