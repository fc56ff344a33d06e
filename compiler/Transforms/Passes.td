//===- Passes.td - nnc's tensor-level transformations -------*- tablegen -*-===//
//
// The passes between convert-nn-to-linalg and bufferization that decide what
// the CPU kernels look like: which loops are fused, which buffers are reused,
// and which way the innermost loop runs.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_TRANSFORMS_PASSES_TD
#define NNC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BuildTraining : Pass<"nnc-build-training", "::mlir::ModuleOp"> {
  let summary = "Build the train-step and eval entry points of nn.train_config";
  let description = [{
    For each `nn.train_config`, adds `@<model>_train` (loss, an `nn.grad` of
    it with respect to the trainable parameters, the optimizer's update, and
    the metrics) and `@<model>_eval` (loss and metrics), tagged `nn.entry`.
    New parameter and optimizer-state values are results tagged
    `nn.updates = <argument>`: they are written back in place. The learning
    rate and step number are run-time scalar arguments.

    ```mlir
    nn.train_config @m {loss = "mse", optimizer = "sgd", ...}
      =>
    func.func @m_train(%x {nn.input}, %y {nn.target}, %w {nn.param},
                       %lr {nn.hyper}, %t {nn.hyper})
        -> (tensor<..> {nn.updates = 2}, tensor<f32> {nn.result = "loss"}) {
      %p = call @m(%x, %w)
      %l = nn.mse %p, %y
      %g = nn.grad %w { ^bb0(%w2): ... call @m(%x, %w2) ... nn.yield }
      %w3 = nn.sub %w, (nn.mul %lr, %g)
    }
    func.func @m_eval(...) -> (loss, metrics...)   func.func @m_grad(...)
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def Autodiff : Pass<"nnc-autodiff", "::mlir::ModuleOp"> {
  let summary = "Replace every nn.grad by its reverse-mode derivative";
  let description = [{
    Expands each `nn.grad` (innermost first, so a gradient of a gradient sees
    plain ops): the body is inlined in front of the op, then walked in
    reverse, asking each op's `GradientOpInterface` for the gradients of its
    operands and summing them per value. The op's results become the
    gradients of its operands (zeros where the body does not depend on one).
    The pass knows no op by name; an op without a rule on the path from an
    input to the output is an error. Loss ops must have been expanded
    (`nnc-expand-losses`) first.

    ```mlir
    %g = nn.grad %x { ^bb0(%a): %y = nn.tanh %a; nn.yield %y }
      =>
    %y = nn.tanh %x
    %one = nn.broadcast 1.0, %y
    %g = nn.mul %one, (nn.sub 1.0, (nn.mul %y, %y))   // tanh's rule
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def HoistScanWork : Pass<"nnc-hoist-scan-work", "::mlir::ModuleOp"> {
  let summary = "A scan's work that does not depend on its state, for all steps at once";
  let description = [{
    Runs after autodiff. In each `nn.scan`, values computed from the step's
    inputs and the consts only (an input projection `x_t W + b`) are
    computed for the whole sequence before the loop (when a matrix product
    moves out) and scanned over instead; a carried accumulator that adds
    `a_t^T b_t` or the batch sum of `v_t` each step (a weight's or bias's
    gradient in a reverse scan) becomes per-step outputs and one product
    (or sum) over all steps after the loop; a per-step output `v_t K` with
    `K` the same at every step becomes `v_t` and one product after the
    loop. Small per-step products become large ones on the contraction
    path.

    ```mlir
    %h, %hs = nn.scan carry(%h0 : ...) over(%x : tensor<?x5x4xf32>)
        with(%w, %u : ...) -> ... {
    ^bb0(%h1: ..., %xt: tensor<?x4xf32>, %w1: ..., %u1: ...):
      %a = nn.matmul %xt, %w1 ...
      ...
    }
    =>
    %xw = nn.matmul %x, %w : tensor<?x5x4xf32>, tensor<4x8xf32>
    %h, %hs = nn.scan carry(%h0 : ...) over(%x, %xw : ...) ... {
    ^bb0(%h1: ..., %xt: ..., %a: tensor<?x8xf32>, ...):
      ...
    }
    ```
  }];
}

def ResolveDropout : Pass<"nnc-resolve-dropout", "::mlir::ModuleOp"> {
  let summary = "Dropout masks in train steps, the identity in prediction";
  let description = [{
    Runs after inlining, before autodiff. In a train step (`nn.entry` kind
    "train") every `nn.dropout` becomes its input times an
    `nn.dropout_mask` of the step's `step` argument, so the forward pass, the
    metrics and the gradient's copy of the forward pass share one mask (CSE
    merges them) and the gradient is the mask times the incoming gradient.
    The gradient check's entry (`nn.entry` kind "grad") uses the masks of
    step 1, so `--gradcheck` checks the gradient a train step computes. In
    every other function (the model's prediction, evaluation) it is the
    identity, as in Keras outside `fit`.

    ```mlir
    func.func @m_train(..., %step: tensor<f32> {nn.hyper = "step"}) {
      %y = nn.dropout %x {rate = 0.5 : f64, seed = 7 : i64} : tensor<?x8xf32>
      =>
      %m = nn.dropout_mask %x, %step {rate = 0.5 : f64, seed = 7 : i64}
      %y = nn.mul %x, %m
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ExpandLosses : Pass<"nnc-expand-losses", "::mlir::ModuleOp"> {
  let summary = "Rewrite Keras losses as nn arithmetic, fusing the stable forms";
  let description = [{
    Each loss op becomes the elementwise ops and reductions of its Keras
    definition (mean over the batch; probabilities clipped to
    [1e-7, 1 - 1e-7] as Keras does). A softmax feeding categorical
    cross-entropy is folded into the log-sum-exp form on the logits, and a
    sigmoid feeding binary cross-entropy into the logits form
    `max(z, 0) - z t + log(1 + exp(-|z|))`: stable forward, and stable
    backward once differentiated.

    ```mlir
    %l = nn.mse %p, %t
      =>
    %d = nn.sub %p, %t
    %l = nn.reduce_mean (nn.mul %d, %d)
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def KeepArtifactFunctions
    : Pass<"nnc-keep-artifact-functions", "::mlir::ModuleOp"> {
  let summary = "Keep the models and their train, eval and def entries";
  let description = [{
    Erases every function that is neither a model (`nn.model`) nor an
    exported entry (`nn.entry` of kind train, eval or def): loss functions
    and the gradcheck-only grad entry go. Each `nn.train_config` becomes an
    `nn.train` dictionary on its model function (the manifest describes it)
    and is erased. All functions become private; the artifact exports
    generated entry points instead.

    ```mlir
    func.func @m(...) attributes {nn.model}            func.func private @m(...)
    func.func @m_loss(...)                        =>       attributes {nn.model, nn.train = {...}}
    nn.train_config @m {loss = @m_loss, ...}
    ```
  }];
}

def SplitSharedInits
    : Pass<"nnc-split-shared-inits", "::mlir::ModuleOp"> {
  let summary = "Give each use of an empty or zero-filled tensor its own";
  let description = [{
    CSE merges identical `tensor.empty` ops and identical fills of them; as
    the destination of two ops whose results are both live, one shared init
    makes one-shot bufferization allocate one buffer and copy to resolve
    the conflict (and hides a fill from the kernels that fold it into their
    accumulators). Runs right before bufferization, where no CSE follows:
    each use of an empty, or of a `linalg.fill` of an empty, gets a clone
    right before its user (a fill with an empty of its own), so that a fill
    sits next to the contraction that folds it.

    ```mlir
    %e = tensor.empty(%n) : tensor<?x4xf32>
    %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<?x4xf32>)
    %a = linalg.generic ... outs(%z)
    %b = linalg.generic ... outs(%z)
      =>
    %e1 = tensor.empty(%n) : tensor<?x4xf32>
    %z1 = linalg.fill ins(%c0 : f32) outs(%e1 : tensor<?x4xf32>)
    %a = linalg.generic ... outs(%z1)
    %e2 = tensor.empty(%n) : tensor<?x4xf32>
    %z2 = linalg.fill ins(%c0 : f32) outs(%e2 : tensor<?x4xf32>)
    %b = linalg.generic ... outs(%z2)
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def ResultsToArguments
    : Pass<"nnc-results-to-arguments", "::mlir::ModuleOp"> {
  let summary = "Write every result of a model or entry into an argument";
  let description = [{
    The runtime owns every buffer, outputs included. In each function tagged
    `nn.model` or `nn.entry`, a result tagged `nn.updates = k` is written
    into argument k (parameters and optimizer state update in place); any
    other result gets a new argument tagged `nn.output` (its `nn.result`
    name, or `output_<i>`). It runs right before bufferization.
    When the result comes out of a chain of destination-style ops and loops that starts at a `tensor.empty`, that
    empty is replaced by the new argument, so the last kernel writes the
    caller's buffer directly; otherwise (a result that is a reshape or an
    input) it is copied there with `bufferization.materialize_in_destination`.
    `drop-equivalent-buffer-results` later removes the returned memref.

    ```mlir
    func.func @m(%x) -> tensor<?x3xf32> {
      %e = tensor.empty(%n)
      %y = linalg.generic ins(%x) outs(%e)
      return %y
    }
      =>
    func.func @m(%x, %out {nn.output = "output_0"}) -> tensor<?x3xf32> {
      %y = linalg.generic ins(%x) outs(%out)
      return %y
    }
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def FoldTransposesIntoContractions
    : Pass<"nnc-fold-transposes-into-contractions", "::mlir::func::FuncOp"> {
  let summary = "Contractions read transposed operands in place";
  let description = [{
    A matrix transpose that feeds a contraction (the W^T and x^T of a dense
    layer's backward pass) is not materialised: the contraction becomes a
    generic that reads the transpose's input through the swapped indexing
    map. The transpose itself is left to dead-code elimination.

    ```mlir
    %t = linalg.transpose ins(%w : tensor<8x4xf32>) outs(%e) permutation = [1, 0]
    linalg.matmul ins(%dy, %t : tensor<?x8xf32>, tensor<8x4xf32>) outs(%c)
      =>
    linalg.generic {indexing_maps = [(i, j, k) -> (i, k), (i, j, k) -> (j, k),
                                     (i, j, k) -> (i, j)]}
        ins(%dy, %w : tensor<?x8xf32>, tensor<4x8xf32>) outs(%c)
    ```
  }];
}

def FuseElementwise : Pass<"nnc-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuse chains of elementwise linalg ops into one generic";
  let description = [{
    Upstream's elementwise fusion patterns, applied only where the producer
    has a single use (so nothing is computed twice) and without upstream's
    reshape propagation.

    ```mlir
    %a = linalg.generic ins(%x) outs(..) { addf }
    %b = linalg.generic ins(%a) outs(..) { maximumf }
      =>
    %b = linalg.generic ins(%x) outs(..) { addf; maximumf }
    ```
  }];
}

def ReuseInputAsOutput
    : Pass<"nnc-reuse-input-as-output", "::mlir::func::FuncOp"> {
  let summary = "Let elementwise kernels overwrite a dead input in place";
  let description = [{
    An elementwise `linalg.generic` whose output is a fresh `tensor.empty`
    (its value never read) may instead write into one of its inputs when that
    input has the output's type and indexing map, is produced by another
    linalg op, and has no other use. After bufferization the kernel updates
    that buffer in place: a dense layer's bias add and activation write the
    matmul's accumulator instead of a second buffer of the same size.

    ```mlir
    %mm = linalg.matmul ... outs(%acc)
    %y = linalg.generic ins(%mm, %b) outs(%empty) { addf }
      =>
    %y = linalg.generic ins(%b) outs(%mm) { ^bb0(%bi, %acc): addf %acc, %bi }
    ```
  }];
}

def TileAndFuseContractions
    : Pass<"nnc-tile-and-fuse-contractions", "::mlir::func::FuncOp"> {
  let summary = "Tile contractions with their epilogue and fuse the producers";
  let description = [{
    For every contraction (linalg.matmul and contraction generics) the root
    is its elementwise consumer when there is exactly one (the bias add and
    activation of a dense layer), else the contraction itself. The root is
    tiled along its parallel loops with `scf.for` and the contraction and its
    `linalg.fill` initialisation are fused into the tile loops, so that
    initialisation, accumulation and epilogue of one output tile run back to
    back while the tile is in cache: one loop nest, no extra pass over the
    output.

    A contraction without epilogue whose reduction loop is long (dynamic:
    the batch of a weight gradient, or at least two blocks) is also blocked
    along the reduction, outermost: an `scf.for` marked
    `nn.reduction_blocks` whose iterations accumulate one block of the
    reduction into the whole output after the fill, so the blocks of both
    operands stay in cache while every output tile reads them.

    ```mlir
    %f = linalg.fill; %mm = linalg.matmul outs(%f); %y = linalg.generic ins(%mm)
      =>
    scf.for %i step 16 { scf.for %j step 64 {
      linalg.fill (tile); linalg.matmul (tile); linalg.generic (tile)
      tensor.insert_slice
    } }
    ```
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"16",
           "Tile size of the second-to-last parallel loop (rows)">,
    Option<"tileCols", "tile-cols", "int64_t", /*default=*/"64",
           "Tile size of the last parallel loop (output features)">,
    Option<"reductionBlock", "reduction-block", "int64_t", /*default=*/"256",
           "Block size of a long reduction loop of a contraction without "
           "epilogue (0: never blocked)">,
    Option<"smallOutputReductionBlock", "small-output-reduction-block",
           "int64_t", /*default=*/"64",
           "The block when the output is 256 KiB or smaller (0: never "
           "blocked)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect"];
}

def TileAndFuseReductions
    : Pass<"nnc-tile-and-fuse-reductions", "::mlir::func::FuncOp"> {
  let summary = "Fuse a row statistic and its users into one row-tiled loop";
  let description = [{
    The last all-parallel generic that reads the result of a reduction (the
    divide of a softmax) is tiled along the dimensions the reduction keeps,
    and every non-contraction producer is fused into that loop: softmax's
    max, exp, sum and divide run one row tile at a time.

    ```mlir
    %m = max-reduce %x; %e = exp(%x - %m); %s = sum-reduce %e; %y = %e / %s
      =>
    scf.for %i step 16 { the same four kernels on rows [%i, %i + 16) }
    ```
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"16",
           "Rows per tile">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect"];
}

def ContractionLoopOrder
    : Pass<"nnc-contraction-loop-order", "::mlir::func::FuncOp"> {
  let summary = "Put the output's contiguous dimension in the innermost loop";
  let description = [{
    Generalizes `linalg.matmul` and interchanges its loops from (i, j, k) to
    (i, k, j): the innermost loop then reads B and updates C with unit
    stride, which LLVM's loop vectorizer turns into full-width vector FMAs
    without reassociating the reduction (results stay bit-identical from one
    vector width to another).

    ```mlir
    linalg.matmul ins(%a, %b) outs(%c)
      =>
    linalg.generic {indexing_maps = [(i, k, j) -> (i, k), (i, k, j) -> (k, j),
                                     (i, k, j) -> (i, j)],
                    iterator_types = ["parallel", "reduction", "parallel"]}
    ```
  }];
}

def VectorizeContractions
    : Pass<"nnc-vectorize-contractions", "::mlir::func::FuncOp"> {
  let summary = "Register-blocked FMA micro-kernels for contractions on buffers";
  let description = [{
    Each contraction `C[m, n] += A[m, k] * B[k, n]` on buffers (a generic
    with a multiply-add body and one m, n and k loop; A in either layout, B
    and C contiguous along n) becomes loops over `rows` x (`cols` vectors)
    blocks of C whose accumulators stay in registers for the whole k loop:
    per k, `cols` vector loads of B, `rows` broadcasts of A and
    `rows * cols` vector FMAs. Rows left over run one at a time, columns
    left over one masked vector at a time. Each element's sum
    runs over k in ascending order, as in the scalar loop. A fill of C right
    before the contraction becomes the accumulators' initial value.

    ```mlir
    linalg.fill ins(%zero) outs(%c)
    linalg.generic {(i, k, j): A(i, k), B(k, j), C(i, j)} ins(%a, %b) outs(%c)
      =>
    scf.for %i step rows { scf.for %j step cols * V {
      %acc = scf.for %k iter_args(rows * cols vectors) {
        vector.load %b[%k, %j + c*V]; vector.broadcast %a[%i + r, %k];
        vector.fma ...
      }
      vector.store %acc ... } }
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "Width of the target's vector registers in bits">,
    Option<"rows", "rows", "int64_t", /*default=*/"6",
           "Rows of C per micro-kernel">,
    Option<"cols", "cols", "int64_t", /*default=*/"2",
           "Vectors of C per row of the micro-kernel">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowerImplicitConvolutions
    : Pass<"nnc-lower-implicit-convolutions", "::mlir::func::FuncOp"> {
  let summary = "Micro-kernels for convolutions read from the input itself";
  let description = [{
    A generic marked `nn.implicit_convolution` (C channels; from
    convert-nn-to-linalg, unit-stride convolutions on the CPU),

    ```
    y[n, i, j, f] += x[n, i + a, j*C + q] * w[a, q, f]
    ```

    over loops (n, i, j, f, a, q), x as [N, H, W*C], w as [KH, KW*C, F],
    y as [N, OH, OW, F], becomes the loops of an im2col product without
    the window copy: tiles of whole output rows (as many as fit `rows`
    positions, dividing OH) in parallel; in a tile, blocks of `cols`
    vectors of filters, then masked single vectors; per block, the tile's
    positions in near-equal groups of at most `rows`, each a micro-kernel
    whose accumulators stay in registers over the window (a, q): per
    window value, `cols` vector loads of w, one broadcast of x per
    position (a window row's values are contiguous in NHWC, at offsets
    known at compile time within a tile) and `rows * cols` FMAs. A zero
    fill of y right before it becomes the accumulators' initial value, and
    a bias add in place on y right after it (`y[n, i, j, f] += b[f]`, a
    generic of its own) is added to the accumulators before the store and
    erased: the same rounding, one pass over y fewer.
    Each element's sum runs over (a, q) in ascending order, as in the
    im2col product, so the results are the same bits. Other element types
    than f32 and f64 are left to the generic lowering.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "Width of the target's vector registers in bits">,
    Option<"rows", "rows", "int64_t", /*default=*/"6",
           "Output positions per micro-kernel, at most">,
    Option<"cols", "cols", "int64_t", /*default=*/"2",
           "Vectors of filters per micro-kernel">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowerImplicitKernelGradients
    : Pass<"nnc-lower-implicit-kernel-gradients", "::mlir::func::FuncOp"> {
  let summary = "Micro-kernels for convolution kernel gradients read from "
                "the input itself";
  let description = [{
    A generic marked `nn.implicit_kernel_gradient` (C channels; from
    convert-nn-to-linalg, unit-stride convolutions on the CPU),

    ```
    dw[a, q, f] += x[n, i + a, j*C + q] * dy[n, i, j, f]
    ```

    over loops (a, q, f, n, i, j), x as [N, H, W*C], dy as [N, OH, OW, F],
    dw as [KH, KW*C, F], becomes the loops of an im2col product's kernel
    gradient without the window copy: images in blocks (in order, each
    accumulating into dw), blocks of `rows` window values x (`cols`
    vectors of filters) in parallel inside a block, and per kernel row a
    micro-kernel whose accumulators stay in registers over the block's
    positions (n, i, j): per position `cols` vector loads of dy, `rows`
    broadcasts of x (a window row's values are contiguous in NHWC) and
    `rows * cols` FMAs. Each element's sum runs over (n, i, j) in
    ascending order, as in the generic. Other element types than f32 and
    f64 are left to the generic lowering.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "Width of the target's vector registers in bits">,
    Option<"rows", "rows", "int64_t", /*default=*/"6",
           "Window values (rows of dw) per micro-kernel">,
    Option<"cols", "cols", "int64_t", /*default=*/"2",
           "Vectors of filters per micro-kernel">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def CheckInPlaceUpdates
    : Pass<"nnc-check-in-place-updates", "::mlir::ModuleOp"> {
  let summary = "Fail when an nn.updates result is not written in place";
  let description = [{
    Runs after bufferization and drop-equivalent-buffer-results. A function
    result tagged `nn.updates = k` that is still returned was not proven to
    alias argument k: the update would be lost. That is reported as an
    error at the function, never left to the runtime.

    Before (an update that went into a temporary):
      func.func @m_train(%p: memref<4xf32> {nn.param = "d.bias"}, ...)
          -> (memref<4xf32> {nn.updates = 0 : i64})
    After: an error, "the new value of 'd.bias' is not written into its
    buffer in place".

    ```mlir
    func.func @m_train(%w: memref<4xf32>, ...) -> (memref<4xf32> {nn.updates = 0})
      =>  error: the new value of 'w' is not written into its buffer in place
    func.func @m_train(%w: memref<4xf32>, ...)      // result dropped: fine
    ```
  }];
}

def LowerCopies : Pass<"nnc-lower-copies", "::mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy as linalg.copy, to become loops";
  let description = [{
    The LLVM lowering calls `memrefCopy` (MLIR's C runner library, which
    artifacts do not link) for copies that are not between contiguous
    buffers. As `linalg.copy` every copy lowers to loops.

    Before: memref.copy %a, %b : memref<4xf32, strided<[1], offset: ?>> to memref<4xf32>
    After:  linalg.copy ins(%a : ...) outs(%b : memref<4xf32>)

    ```mlir
    memref.copy %a, %b : memref<?x3xf32> to memref<?x3xf32>
      =>
    linalg.copy ins(%a) outs(%b)     // then loops, no runtime library call
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def OutlineKernels : Pass<"nnc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Give every top-level loop nest a function of its own";
  let description = [{
    Runs on loops, after the export step. Each `scf.for`, `scf.parallel` or
    `scf.forall` directly in a function body (one fused kernel) moves into
    a private function `<function>.kernel<i>`, marked `noinline` for LLVM,
    and is replaced by a call. The values the nest uses from outside become
    arguments, except constants and `memref.get_global`, which are cloned
    into the kernel so that loop bounds and steps stay known.

    Why: LLVM's function passes (jump threading, loop rotation, unrolling,
    strength reduction) cost more than linear time in the size of one
    function, and a deep model's train step is one function of hundreds of
    loop nests: 100 dense layers took 108 s at -O3. Per-kernel functions
    keep each unit small, as XLA and IREE do with one function per fusion.
    Each kernel is tagged `nn.kernel` (nnc-deduplicate-kernels merges equal
    ones), and `nn.noalias_memrefs` lists its memref arguments that view a
    buffer no other argument views (distinct allocations, or distinct
    buffers of the entry, which the ABI keeps apart): nnc-mark-noalias
    makes them LLVM `noalias` so that loops vectorize without run-time
    overlap checks.

    ```mlir
    func.func @m_train(%a: memref<?x8xf32>, %n: index) {
      scf.for %i = %c0 to %n step %c1 { ... %a ... }
    }
      =>
    func.func @m_train(%a: memref<?x8xf32>, %n: index) {
      call @m_train.kernel0(%n, %a) : (index, memref<?x8xf32>) -> ()
    }
    func.func private @m_train.kernel0(%n: index, %a: memref<?x8xf32>)
        attributes {nn.kernel, passthrough = ["noinline"]} {
      %c0 = arith.constant 0 : index     // cloned, not passed
      %c1 = arith.constant 1 : index
      scf.for %i = %c0 to %n step %c1 { ... %a ... }
    }
    ```

    Parallel kernels. A nest whose outer loop is parallel (an
    `scf.parallel` from linalg-to-parallel-loops, or an `scf.for` marked
    `nn.parallel`: the tile loops of tile-and-fuse, the block loops of
    vectorize-contractions) is first collapsed with the parallel loops
    perfectly nested in it into one loop over their iterations, outer
    loops slowest. The kernel then takes that loop's range as two leading
    arguments, and its call runs [0, count): with `nn.parallel_dispatch`
    (the runtime's thread pool, nnc-dispatch-parallel-kernels) when an
    estimate of the nest's work, computed before the call from the loop
    bounds, reaches kMinParallelWork (ParallelNest.h), and as a plain
    call otherwise.

    ```mlir
    scf.for %j = %c0 to %c256 step %c64 {          // nn.parallel
      scf.for %i = %c0 to %n step %c16 { ... }     // nn.parallel
    }
      =>
    %count = ...  %work = ...
    scf.if (%work >= kMinParallelWork) {
      call @m_train.kernel1(%c0, %count, ...) {nn.parallel_dispatch}
    } else {
      call @m_train.kernel1(%c0, %count, ...)
    }
    func.func private @m_train.kernel1(%lo: index, %hi: index, ...) {
      scf.for %t = %lo to %hi step %c1 {
        %j = (%t / tiles(%n)) * 64   %i = (%t mod tiles(%n)) * 16   ...
      }
    }
    ```
  }];
  let options = [
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"nnc::kMinParallelWork",
           "Estimated work from which a parallel kernel goes to the thread pool">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def DispatchParallelKernels
    : Pass<"nnc-dispatch-parallel-kernels", "::mlir::ModuleOp"> {
  let summary = "Run the calls marked nn.parallel_dispatch on the runtime's thread pool";
  let description = [{
    Runs after func-to-llvm. Each `llvm.call @k(%lo, %hi, %args...)`
    marked `nn.parallel_dispatch` (nnc-outline-kernels) becomes a call of
    the runtime's `nnc_parallel_for(@k.task, %ctx, %lo, %hi)`: %ctx points
    to a struct of the other arguments on the caller's stack, and
    `@k.task(%ctx, %a, %b)` loads them and calls `@k(%a, %b, ...)`. The
    runtime cuts [lo, hi) into one contiguous part per thread
    (runtime/src/Parallel.cpp). Without this pass the marked call runs the
    whole range on the calling thread, which computes the same values.

    ```mlir
    llvm.call @k(%lo, %hi, %p, %q) {nn.parallel_dispatch}
      =>
    %ctx = llvm.alloca %c1 x !llvm.struct<(ptr, i64)>   // at the entry
    llvm.store %s, %ctx        // %s = {%p, %q}
    llvm.call @nnc_parallel_for(@k.task, %ctx, %lo, %hi)
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DeduplicateKernels
    : Pass<"nnc-deduplicate-kernels", "::mlir::ModuleOp"> {
  let summary = "Merge outlined kernels whose bodies are identical";
  let description = [{
    Compares the private functions tagged `nn.kernel` (nnc-outline-kernels)
    by type and body, ignoring locations; of each set of identical kernels
    the first stays and every call to the others calls it. A stack of equal
    layers then compiles each distinct kernel once: 100 dense(64) layers
    go from 1,441 kernels to a few dozen.

    ```mlir
    call @m_train.kernel3(%n, %a, %b)       call @m_train.kernel3(%n, %a, %b)
    call @m_train.kernel7(%n, %c, %d)  =>   call @m_train.kernel3(%n, %c, %d)
    func.func private @m_train.kernel3 {..} func.func private @m_train.kernel3 {..}
    func.func private @m_train.kernel7 {..}  // same body: erased
    ```
  }];
}

def MarkNoAlias : Pass<"nnc-mark-noalias", "::mlir::ModuleOp"> {
  let summary = "Make the data pointers of non-overlapping kernel buffers noalias";
  let description = [{
    Runs right after func-to-llvm. On each `llvm.func` with
    `nn.noalias_memrefs` (set by nnc-outline-kernels, on memref arguments
    that overlap no other argument), the aligned pointer of each listed
    memref gets `llvm.noalias`, and the attribute goes. Memref k's
    descriptor starts at the function's pointer arguments 2k (allocated)
    and 2k+1 (aligned): kernels take no other pointers.

    ```mlir
    llvm.func @k(%a0: !llvm.ptr, %a1: !llvm.ptr, %off: i64, ...,
                 %b0: !llvm.ptr, %b1: !llvm.ptr, ...)
        attributes {nn.noalias_memrefs = array<i64: 1>}
      =>
    llvm.func @k(%a0: !llvm.ptr, %a1: !llvm.ptr, %off: i64, ...,
                 %b0: !llvm.ptr, %b1: !llvm.ptr {llvm.noalias}, ...)
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def StripNNAttributes : Pass<"nnc-strip-nn-attributes", "::mlir::ModuleOp"> {
  let summary = "Remove nn.* function and argument attributes";
  let description = [{
    Run after the manifest has been read from the module and before lowering
    to the LLVM dialect, whose verifier does not know these attributes.

    ```mlir
    func.func private @m(%x: memref<?x4xf32> {nn.input = "x"}) attributes {nn.model}
      =>
    func.func private @m(%x: memref<?x4xf32>)
    ```
  }];
}

def ApproximateMath : Pass<"nnc-approximate-math", "::mlir::ModuleOp"> {
  let summary = "Replace exp, log and tanh by inline polynomial approximations";
  let description = [{
    MLIR's polynomial approximations of `math.exp`, `math.expm1`,
    `math.log`, `math.log1p`, `math.log2` and `math.tanh` (f32, with range
    reduction and the special values: overflow to inf, log(0) = -inf,
    log(x < 0) = NaN) as arith ops, so that a loop that computes them has no
    call to libm and LLVM vectorises it. Measured error against libm over
    every f32 in the courses' ranges is in docs/numerics.md; the Keras
    parity test holds with them. `nnc --exact-math` skips this pass.
    `sin`, `cos` and the others keep their libm calls (MLIR's sine loses
    accuracy far from zero).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}


def MapLoopsToGPU : Pass<"nnc-map-loops-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Turn every host-level loop nest into a GPU launch";
  let description = [{
    The CUDA pipeline's counterpart of outline-kernels. After linalg has
    become loops, each top-level `scf.parallel` is collapsed to one
    dimension (so that any shape fills the threads alike), tiled by
    `block-size` (the threads of a block; the tail guarded by an `scf.if`)
    and mapped to blocks and threads; memory work outside any parallel loop
    (a reduction to one value, a single store) is wrapped in a one-thread
    launch, because the host never dereferences device buffers. Loops whose
    bodies contain parallel loops (a scan over steps) stay on the host and
    launch their bodies' kernels each iteration. The `gpu.launch` ops come
    from MLIR's convert-parallel-loops-to-gpu, run by this pass.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect"];
}

def ParallelDimsFirst
    : Pass<"nnc-parallel-dims-first", "::mlir::func::FuncOp"> {
  let summary = "Order each generic's loops parallel first, reductions last";
  let description = [{
    linalg-to-parallel-loops emits a generic's loops in iterator order: a
    reduction over the batch before the features (a bias gradient) becomes
    a sequential loop around a parallel one, which on the GPU is one launch
    per batch row. Interchanged, the parallel dimensions form the kernel's
    threads and each thread runs the reduction. The CPU keeps its own order
    (nnc-contraction-loop-order).
  }];
}


def PrefetchSequenceSteps
    : Pass<"nnc-prefetch-sequence-steps", "::mlir::func::FuncOp"> {
  let summary = "Prefetch the next step's rows of a scan's sequences";
  let description = [{
    A scan's loop (`nn.sequence_steps`) reads its step's slice of each
    sequence `[batch, steps, features]` (an input projection hoisted out of
    the loop) and writes its slice of each stack of per-step outputs: one
    row per sample, each `steps * features` elements from the next. Those
    rows are pages apart, which the hardware prefetchers do not follow, so
    every step waits on a few hundred cache misses. At the start of each
    step this issues a prefetch of every cache line of the next step's
    slices (read, or write for a stack the step stores into), guarded by
    the next step being in range; prefetches never fault and change no
    result.

    ```mlir
    scf.for %t = %c0 to %T step %c1 {            // {nn.sequence_steps}
      %x = memref.subview %seq[0, %t, 0] [%B, 1, 256] [1, 1, 1] ...
      =>
      scf.if (%t + 1 < %T) {
        scf.for %b = 0 to %B { scf.for %e = 0 to 256 step 16 {
          memref.prefetch %seq[%b, %t + 1, %e], read, locality<3>, data
        } }
      }
      %x = memref.subview %seq[0, %t, 0] ...
    ```
  }];
}

def MergeKernelModules
    : Pass<"nnc-merge-kernel-modules", "::mlir::ModuleOp"> {
  let summary = "All outlined kernels in one gpu.module";
  let description = [{
    gpu-kernel-outlining gives every kernel a gpu.module of its own; each
    becomes one PTX module that the driver JIT-compiles and loads
    separately (an LSTM's train step has hundreds). Here they move into one
    module, `nnc_kernels`, each kernel renamed after its old module (names
    are unique there), and every gpu.launch_func is pointed at it: one PTX
    module per artifact, one JIT compilation, one ptxas run to check it.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // NNC_TRANSFORMS_PASSES_TD
