//===- NNBase.td - the nn dialect and its type constraints -*- tablegen -*-===//
//
// The `nn` dialect holds neural-network programs at the level a user writes
// them: layers (matmul, bias_add, activations), elementwise arithmetic with
// NumPy broadcasting, reductions, losses and derivatives. Values are ranked
// tensors with value semantics; the leading batch dimension may be dynamic.
//
//===----------------------------------------------------------------------===//

#ifndef NN_BASE_TD
#define NN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nnc::nn";
  let summary = "Neural-network programs: layers, losses and derivatives on tensors";
  let description = [{
    The `nn` dialect is what nnc's front end produces from a `.nn` file. A model
    is a `func.func` marked `nn.model`; its trainable and fixed parameters are
    ordinary function arguments that carry `nn.param` (the parameter's name),
    `nn.init` (its initialiser) and optionally `nn.trainable = false`, so the
    runtime owns parameter storage and passes it in as buffers. Ops are pure
    and work on ranked tensors of f32 or f64.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasOperationAttrVerify = 1;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

// Floating-point tensors: the values networks compute on.
def NN_FloatTensor : RankedTensorOf<[F32, F64]>;

// Class labels for sparse cross-entropy may be integers or floats.
def NN_LabelTensor : RankedTensorOf<[F32, F64, I32, I64]>;

// Losses produce a rank-0 tensor: the mean over the batch.
def NN_ScalarTensor : 0DTensorOf<[F32, F64]>;

#endif // NN_BASE_TD
