//===- NNOps.td - operations of the nn dialect -------------*- tablegen -*-===//
//
// One op per concept a network is built from. Every op infers its result type
// from its operands (InferTypeOpInterface) through the shape functions in
// NNShapes.h, which the front end also calls to report shape mismatches in the
// user's terms before any op is built.
//
//===----------------------------------------------------------------------===//

#ifndef NN_OPS_TD
#define NN_OPS_TD

include "dialects/nn/IR/NNBase.td"
include "dialects/nn/IR/NNGradientInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string desc, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
                                           DeclareOpInterfaceMethods<NN_GradientOpInterface>])> {
  let summary = desc;
  let description = "Applies " # desc # " to every element of `x`.\n\n"
      # "Example:\n\n```mlir\n%y = nn." # mnemonic
      # " %x : tensor<?x8xf32>\n```";
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
}

def NN_NegOp : NN_UnaryOp<"neg", "negation (-x)"> { let hasFolder = 1; }
def NN_ExpOp : NN_UnaryOp<"exp", "the exponential e^x">;
def NN_LogOp : NN_UnaryOp<"log", "the natural logarithm">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "the square root">;
def NN_AbsOp : NN_UnaryOp<"abs", "the absolute value">;
def NN_SinOp : NN_UnaryOp<"sin", "the sine">;
def NN_CosOp : NN_UnaryOp<"cos", "the cosine">;
def NN_ReluOp : NN_UnaryOp<"relu", "the rectified linear unit max(x, 0)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "the logistic sigmoid 1 / (1 + e^-x)">;
def NN_TanhOp : NN_UnaryOp<"tanh", "the hyperbolic tangent">;
def NN_EluOp : NN_UnaryOp<"elu",
    "the exponential linear unit: x if x > 0, else e^x - 1 (Keras' elu, "
    "alpha 1)">;

def NN_SoftmaxOp : NN_Op<"softmax", [Pure, SameOperandsAndResultType,
                                     DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (negative counts
    from the last dimension). Lowerings compute it in the max-subtracted,
    numerically stable form.

    Example:

    ```mlir
    %p = nn.softmax %logits {axis = -1 : i64} : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops with NumPy broadcasting
//===----------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic, string desc>
    : NN_Op<mnemonic, [Pure, SameOperandsElementType,
                       InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = desc;
  let description = "Elementwise " # desc # " with NumPy broadcasting: "
      # "dimensions are aligned from the right and a dimension of size 1 "
      # "stretches to match. A dynamic dimension (the batch) matches any "
      # "size.\n\nExample:\n\n```mlir\n%z = nn." # mnemonic
      # " %x, %b : tensor<?x8xf32>, tensor<8xf32>\n```";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
}

def NN_AddOp : NN_BinaryOp<"add", "addition"> { let hasCanonicalizer = 1; }
def NN_SubOp : NN_BinaryOp<"sub", "subtraction">;
def NN_MulOp : NN_BinaryOp<"mul", "multiplication">;
def NN_DivOp : NN_BinaryOp<"div", "division">;
def NN_PowOp : NN_BinaryOp<"pow", "power lhs^rhs">;
def NN_MaximumOp : NN_BinaryOp<"maximum", "maximum">;
def NN_MinimumOp : NN_BinaryOp<"minimum", "minimum">;

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

def NN_MatmulOp : NN_Op<"matmul", [Pure, SameOperandsElementType,
                                   InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "matrix product of a batch of rows with a weight matrix";
  let description = [{
    `result[b, n] = sum_k x[b, k] * w[k, n]`: the kernel product of a dense
    layer. `x` is `[batch, k]` and `w` is `[k, n]`.

    Example:

    ```mlir
    %h = nn.matmul %x, %w : tensor<?x4xf32>, tensor<4x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$w);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `,` $w attr-dict `:` type($x) `,` type($w)";
}

def NN_BiasAddOp : NN_Op<"bias_add", [Pure, SameOperandsElementType,
                                      AllTypesMatch<["x", "result"]>,
                                      DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "adds a bias vector along the last dimension";
  let description = [{
    `result[..., n] = x[..., n] + bias[n]`.

    Example:

    ```mlir
    %z = nn.bias_add %h, %b : tensor<?x8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, 1DTensorOf<[F32, F64]>:$bias);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `,` $bias attr-dict `:` type($x) `,` type($bias)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Images: convolutions, pooling, resampling (NHWC, Keras' layouts)
//===----------------------------------------------------------------------===//

// Every op here works on `[batch, height, width, channels]` with static
// height, width and channels. Window geometry is explicit: `strides`,
// `dilations` and `padding` = [top, bottom, left, right]; the front end turns
// Keras' `valid`/`same` into padding with nn::samePadding (NNShapes.h). A pad
// is at most the window's reach minus one, as both of Keras' modes give, so
// that every output position sees at least one real input element.

class NN_WindowOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsElementType,
        InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>])>;

def NN_Conv2DOp : NN_WindowOp<"conv2d"> {
  let summary = "2-D convolution (cross-correlation), Keras' Conv2D";
  let description = [{
    `y[n, i, j, f] = sum_{a, b, c} xp[n, i*sh + a*dh, j*sw + b*dw, c] * w[a, b, c, f]`
    where `xp` is `x` padded with zeros. `x` is `[batch, H, W, C]`, `w` is
    `[KH, KW, C, F]` (Keras' kernel layout), the result
    `[batch, (H + pt + pb - (KH-1)*dh - 1) / sh + 1, ..., F]`.

    Example:

    ```mlir
    %y = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1]
        padding = [1, 1, 1, 1] : tensor<?x28x28x1xf32>, tensor<3x3x1x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$w,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $w `strides` `=` $strides `dilations` `=` $dilations
    `padding` `=` $padding attr-dict `:` type($x) `,` type($w)
  }];
}

def NN_Conv2DBackpropInputOp : NN_WindowOp<"conv2d_backprop_input"> {
  let summary = "the transpose of conv2d with respect to its input";
  let description = [{
    The input gradient of `nn.conv2d` with the same geometry: for `dy` of the
    convolution's result shape and the kernel `w`, the `[batch, H, W, C]`
    tensor `dx` with `sum(dx * x) = sum(dy * conv2d(x, w))` for every `x`.
    `input_size` = [H, W] names the convolution's input size, which the
    result size alone does not determine. Keras' Conv2DTranspose is this op.

    Example:

    ```mlir
    %dx = nn.conv2d_backprop_input %dy, %w input_size = [28, 28]
        strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1]
        : tensor<?x28x28x8xf32>, tensor<3x3x1x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$dy, NN_FloatTensor:$w,
                       DenseI64ArrayAttr:$input_size,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $dy `,` $w `input_size` `=` $input_size `strides` `=` $strides
    `dilations` `=` $dilations `padding` `=` $padding attr-dict
    `:` type($dy) `,` type($w)
  }];
}

def NN_Conv2DBackpropFilterOp : NN_WindowOp<"conv2d_backprop_filter"> {
  let summary = "the kernel gradient of conv2d";
  let description = [{
    `dw[a, b, c, f] = sum_{n, i, j} xp[n, i*sh + a*dh, j*sw + b*dw, c] * dy[n, i, j, f]`:
    for the convolution's input `x` and `dy` of its result shape, the
    `[KH, KW, C, F]` gradient of the kernel (`kernel_size` = [KH, KW]).

    Example:

    ```mlir
    %dw = nn.conv2d_backprop_filter %x, %dy kernel_size = [3, 3]
        strides = [1, 1] dilations = [1, 1] padding = [1, 1, 1, 1]
        : tensor<?x28x28x1xf32>, tensor<?x28x28x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$dy,
                       DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $dy `kernel_size` `=` $kernel_size `strides` `=` $strides
    `dilations` `=` $dilations `padding` `=` $padding attr-dict
    `:` type($x) `,` type($dy)
  }];
}

def NN_Pool2DOp : NN_WindowOp<"pool2d"> {
  let hasVerifier = 1;
  let summary = "max, min or average pooling over 2-D windows";
  let description = [{
    `kind` is `max`, `min` or `avg`. Padded positions never count: they hold
    -inf for max, +inf for min, and an average divides by the number of real
    elements in its window (Keras' `same` average pooling).

    Example:

    ```mlir
    %y = nn.pool2d %x kind = "max" window = [2, 2] strides = [2, 2]
        padding = [0, 0, 0, 0] : tensor<?x28x28x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, StrAttr:$kind,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `kind` `=` $kind `window` `=` $window `strides` `=` $strides
    `padding` `=` $padding attr-dict `:` type($x)
  }];
}

def NN_Pool2DGradOp : NN_WindowOp<"pool2d_grad"> {
  let hasVerifier = 1;
  let summary = "the input gradient of pool2d";
  let description = [{
    For pooling's input `x` and `dy` of its result shape, the gradient with
    respect to `x`: max and min pooling send each window's gradient to the
    first element (in row-major window order) that holds the window's
    extreme, as XLA's select-and-scatter does; average pooling spreads it
    evenly over the window's real elements.

    Example:

    ```mlir
    %dx = nn.pool2d_grad %x, %dy kind = "max" window = [2, 2]
        strides = [2, 2] padding = [0, 0, 0, 0]
        : tensor<?x28x28x8xf32>, tensor<?x14x14x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$dy, StrAttr:$kind,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $dy `kind` `=` $kind `window` `=` $window `strides` `=` $strides
    `padding` `=` $padding attr-dict `:` type($x) `,` type($dy)
  }];
}

def NN_Pool2DGatherOp : NN_WindowOp<"pool2d_gather"> {
  let hasVerifier = 1;
  let summary = "picks g where max or min pooling of x picks its element";
  let description = [{
    For each window of `x`, the element of `g` (same shape as `x`) at the
    position that `nn.pool2d_grad` sends the window's gradient to. It is that
    op's transpose, so second derivatives through max and min pooling exist.

    Example:

    ```mlir
    %z = nn.pool2d_gather %x, %g kind = "max" window = [2, 2]
        strides = [2, 2] padding = [0, 0, 0, 0]
        : tensor<?x28x28x8xf32>, tensor<?x28x28x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$g, StrAttr:$kind,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $g `kind` `=` $kind `window` `=` $window `strides` `=` $strides
    `padding` `=` $padding attr-dict `:` type($x) `,` type($g)
  }];
}

def NN_Upsample2DOp : NN_WindowOp<"upsample2d"> {
  let summary = "nearest-neighbour upsampling, Keras' UpSampling2D";
  let description = [{
    `y[n, i, j, c] = x[n, i / sh, j / sw, c]` with `size` = [sh, sw].

    Example:

    ```mlir
    %y = nn.upsample2d %x size = [2, 2] : tensor<?x7x7x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$size);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `size` `=` $size attr-dict `:` type($x)";
}

def NN_ResampleOp : NN_Op<"resample", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "a fixed linear map along one axis (interpolation)";
  let description = [{
    `y[..., i, ...] = sum_p weights[i, p] * x[..., p, ...]` along `axis`
    (not the batch axis): the axis' size becomes the number of rows of
    `weights`. Bilinear upsampling is one per spatial axis, with the
    interpolation weights as the matrix. Linear in `x`, so its gradient is
    the same op with the transposed matrix, and so on to any order.

    Example:

    ```mlir
    %y = nn.resample %x axis = 1 weights = dense<[[1.0, 0.0], [0.75, 0.25],
        [0.25, 0.75], [0.0, 1.0]]> : tensor<4x2xf64> : tensor<?x2x3x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis,
                       F64ElementsAttr:$weights);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$x `axis` `=` $axis `weights` `=` $weights attr-dict `:` type($x)";
}

def NN_Pad2DOp : NN_WindowOp<"pad2d"> {
  let summary = "zero padding of height and width, Keras' ZeroPadding2D";
  let description = [{
    Adds `padding` = [top, bottom, left, right] rows and columns of zeros.

    Example:

    ```mlir
    %y = nn.pad2d %x padding = [1, 1, 2, 2] : tensor<?x28x28x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `padding` `=` $padding attr-dict `:` type($x)";
}

def NN_Crop2DOp : NN_WindowOp<"crop2d"> {
  let summary = "removes rows and columns at the borders, Keras' Cropping2D";
  let description = [{
    Drops `cropping` = [top, bottom, left, right] rows and columns: the
    transpose of `nn.pad2d`.

    Example:

    ```mlir
    %y = nn.crop2d %x cropping = [1, 1, 2, 2] : tensor<?x30x32x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$cropping);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `cropping` `=` $cropping attr-dict `:` type($x)";
}

//===----------------------------------------------------------------------===//
// Reductions and shape changes
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string desc>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = desc # " over some axes";
  let description = "Reduces `x` by " # desc # " over `axes` (all axes when "
      # "empty; negative axes count from the end). With `keepdims` the "
      # "reduced axes stay as size 1.\n\nExample:\n\n```mlir\n%s = nn."
      # mnemonic # " %x axes = [1] : tensor<?x8xf32>\n```";
  // Named in the format (not left to attr-dict) so the parser stores them as
  // properties before it infers the result type.
  let arguments = (ins NN_FloatTensor:$x,
                       OptionalAttr<DenseI64ArrayAttr>:$axes,
                       UnitAttr:$keepdims);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x (`axes` `=` $axes^)? (`keepdims` $keepdims^)? attr-dict `:` type($x)
  }];
}

def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "the sum">;
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "the mean">;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "the maximum">;

def NN_ReshapeOp : NN_Op<"reshape", [Pure, SameOperandsAndResultElementType,
                                     DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "reinterprets a tensor with another shape";
  let description = [{
    Keeps the elements in row-major order. The leading (batch) dimension may
    be dynamic in both types; the other dimensions must hold as many elements
    in the result as in the operand.

    Example:

    ```mlir
    %f = nn.reshape %img : tensor<?x28x28x1xf32> -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Sequences
//===----------------------------------------------------------------------===//

def NN_EmbeddingOp : NN_Op<"embedding", [Pure, SameOperandsElementType,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "rows of a table picked by token ids, Keras' Embedding";
  let description = [{
    `y[..., :] = table[ids[...], :]`: `ids` holds token ids as floats (the
    data files' element type), truncated toward zero; `table` is
    `[vocabulary, features]` and the result is `ids`' shape plus `features`.
    An id outside `[0, vocabulary)` gives a row of NaN, as Keras 3 on JAX
    (`jnp.take`'s fill mode) does, so a bad id shows in the loss. The
    gradient reaches the table only (`nn.embedding_grad`).

    Example:

    ```mlir
    %y = nn.embedding %ids, %table : tensor<?x200xf32>, tensor<1000x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$ids, 2DTensorOf<[F32, F64]>:$table);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$ids `,` $table attr-dict `:` type($ids) `,` type($table)";
}

def NN_EmbeddingGradOp : NN_Op<"embedding_grad", [Pure, SameOperandsElementType,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the table gradient of nn.embedding: rows summed by id";
  let description = [{
    `result[v, :] = sum of dy[..., :] over the positions whose id is v`, a
    `[vocabulary, features]` tensor; out-of-range ids add nothing. Linear in
    `dy`: its gradient is `nn.embedding` of the same ids, so higher
    derivatives stay in the pair.

    Example:

    ```mlir
    %g = nn.embedding_grad %ids, %dy vocabulary = 1000
        : tensor<?x200xf32>, tensor<?x200x16xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$ids, NN_FloatTensor:$dy,
                       I64Attr:$vocabulary);
  let results = (outs 2DTensorOf<[F32, F64]>:$result);
  let assemblyFormat = [{
    $ids `,` $dy `vocabulary` `=` $vocabulary attr-dict `:` type($ids) `,` type($dy)
  }];
}

//===----------------------------------------------------------------------===//
// Slices along one axis (the gates of recurrent cells)
//===----------------------------------------------------------------------===//

def NN_SliceOp : NN_Op<"slice", [Pure, SameOperandsAndResultElementType,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "a contiguous range of one axis";
  let description = [{
    `result[..., i, ...] = x[..., offset + i, ...]` for `i` in `[0, size)`
    along `axis` (static, counted from the front); other axes are kept. A
    recurrent cell cuts its gate pre-activations, computed by one matrix
    product, into one slice per gate. The gradient is `nn.unslice`.

    Example:

    ```mlir
    %f = nn.slice %z axis = 1 offset = 8 size = 8 : tensor<?x32xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis, I64Attr:$offset,
                       I64Attr:$size);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $x `axis` `=` $axis `offset` `=` $offset `size` `=` $size attr-dict `:` type($x)
  }];
}

def NN_UnsliceOp : NN_Op<"unslice", [Pure, SameOperandsElementType,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the transpose of nn.slice: pieces placed into zeros";
  let description = [{
    A tensor like the pieces `xs` whose `axis` (static) has `full`
    elements: each piece `xs[k]` at `[offsets[k], offsets[k] + its size)`,
    zero elsewhere. The pieces' ranges are disjoint; they agree on every
    other axis. One piece is the gradient of `nn.slice`; several are what
    a sum of such gradients folds to (the gates of a recurrent cell, whose
    pre-activations are one tensor cut into slices), and a concatenation
    (a bidirectional layer's halves). Its gradient is one `nn.slice` per
    piece.

    Example:

    ```mlir
    %dz = nn.unslice %df axis = 1 offsets = [8] full = 32 : tensor<?x8xf32>
    %cat = nn.unslice %a, %b axis = 1 offsets = [0, 4] full = 8
        : tensor<?x4xf32>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_FloatTensor>:$xs, I64Attr:$axis,
                       DenseI64ArrayAttr:$offsets, I64Attr:$full);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $xs `axis` `=` $axis `offsets` `=` $offsets `full` `=` $full attr-dict `:` type($xs)
  }];
  let extraClassDeclaration = [{
    /// Whether the pieces fill the whole axis (no element stays zero).
    bool coversAxis();
  }];
}

def NN_ReverseOp : NN_Op<"reverse", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the elements of one axis in reverse order";
  let description = [{
    `result[..., i, ...] = x[..., n - 1 - i, ...]` along `axis` (static,
    counted from the front, of static size n). A recurrent layer that
    scans backwards returns its steps in the order it ran them, as Keras'
    go_backwards does. Its own gradient.

    Example:

    ```mlir
    %r = nn.reverse %x axis = 1 : tensor<?x5x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `axis` `=` $axis attr-dict `:` type($x)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Recurrence
//===----------------------------------------------------------------------===//

def NN_BatchZerosOp : NN_Op<"batch_zeros", [Pure,
    DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "zeros for each sample of a batch: a recurrent initial state";
  let description = [{
    A tensor of the result type filled with zeros, whose leading (batch)
    axis has `x`'s leading size; `x`'s values are not read and get no
    gradient. Recurrent layers start from it, as Keras' do.

    Example:

    ```mlir
    %h0 = nn.batch_zeros %x : tensor<?x5x4xf32> -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasVerifier = 1;
}

def NN_SparseMatmulOp : NN_Op<"sparse_matmul", [Pure, SameOperandsElementType,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "rows times a sparse matrix with a fixed number of entries per output";
  let description = [{
    `result[b, i] = sum_j values[i, j] * x[b, columns[i, j]]`: output unit
    `i` reads `k` inputs, `columns[i, :]` (indices held as floats), with
    weights `values[i, :]`; `columns` and `values` are `[units, k]`. A
    reservoir's fixed recurrent matrix is stored this way (k = density *
    units connections into each unit) and applied in `k` multiply-adds per
    output instead of `units`. The gradient reaches `x` only
    (`nn.sparse_matmul_t`): the matrix is never trained.

    Example:

    ```mlir
    %y = nn.sparse_matmul %h, %cols, %vals
        : tensor<?x100xf32>, tensor<100x10xf32>, tensor<100x10xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, F64]>:$x, 2DTensorOf<[F32, F64]>:$columns,
                       2DTensorOf<[F32, F64]>:$values);
  let results = (outs 2DTensorOf<[F32, F64]>:$result);
  let assemblyFormat = [{
    $x `,` $columns `,` $values attr-dict `:` type($x) `,` type($columns) `,` type($values)
  }];
}

def NN_SparseMatmulTOp : NN_Op<"sparse_matmul_t", [Pure, SameOperandsElementType,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the transpose of nn.sparse_matmul: rows scattered back";
  let description = [{
    `result[b, columns[i, j]] += values[i, j] * dy[b, i]` over all `i, j`,
    a `[batch, inputs]` tensor: the gradient of `nn.sparse_matmul` with
    respect to its rows. Its gradient is `nn.sparse_matmul`.

    Example:

    ```mlir
    %dx = nn.sparse_matmul_t %dy, %cols, %vals inputs = 100
        : tensor<?x100xf32>, tensor<100x10xf32>, tensor<100x10xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, F64]>:$dy, 2DTensorOf<[F32, F64]>:$columns,
                       2DTensorOf<[F32, F64]>:$values, I64Attr:$inputs);
  let results = (outs 2DTensorOf<[F32, F64]>:$result);
  let assemblyFormat = [{
    $dy `,` $columns `,` $values `inputs` `=` $inputs attr-dict `:` type($dy) `,` type($columns) `,` type($values)
  }];
}

def NN_ScanOp : NN_Op<"scan", [RecursiveMemoryEffects, IsolatedFromAbove,
    SingleBlock, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "a loop over the steps of sequences, carrying state";
  let description = [{
    The recurrence of every recurrent layer. The sequences `xs` are
    `[batch, steps, ...]` (Keras' layout; time is axis 1) with the same
    number of steps. The body runs once per step `t` (`0, 1, ...`, or from
    the last step down with `reverse`) on block arguments: the carried
    values (`init` at the first step), each sequence's slice at `t` (axis 1
    dropped) and the `consts` (weights, the same at every step). It yields
    the carried values of the next step (same types) and then any number
    of per-step outputs. The results are the carried values after the last
    step, then each per-step output stacked along a new axis 1, at its
    step's position (`[batch, steps, ...]` for an output `[batch, ...]`).
    Carried values and outputs keep their shape from step to step.

    The body is isolated from above, so everything a step reads is an
    operand and its gradient is accounted for. The gradient is a reverse
    scan (backpropagation through time) whose body differentiates this
    body with its own rules (an `nn.grad` with seeds), after a forward
    scan that also records each step's carried values.

    Example (a SimpleRNN step, `h = tanh(x W + h U)`):

    ```mlir
    %h, %hs = nn.scan carry(%h0 : tensor<?x8xf32>)
        over(%x : tensor<?x5x4xf32>)
        with(%w, %u : tensor<4x8xf32>, tensor<8x8xf32>)
        -> tensor<?x8xf32>, tensor<?x5x8xf32> {
    ^bb0(%h1: tensor<?x8xf32>, %xt: tensor<?x4xf32>, %w1: tensor<4x8xf32>,
         %u1: tensor<8x8xf32>):
      %a = nn.matmul %xt, %w1 : tensor<?x4xf32>, tensor<4x8xf32>
      %b = nn.matmul %h1, %u1 : tensor<?x8xf32>, tensor<8x8xf32>
      %s = nn.add %a, %b : tensor<?x8xf32>, tensor<?x8xf32>
      %h2 = nn.tanh %s : tensor<?x8xf32>
      nn.yield %h2, %h2 : tensor<?x8xf32>, tensor<?x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<NN_FloatTensor>:$init,
                       Variadic<NN_FloatTensor>:$xs,
                       Variadic<NN_FloatTensor>:$consts,
                       UnitAttr:$reverse);
  let results = (outs Variadic<NN_FloatTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`carry` `(` $init^ `:` type($init) `)`)?
    `over` `(` $xs `:` type($xs) `)`
    (`with` `(` $consts^ `:` type($consts) `)`)?
    (`reverse` $reverse^)? attr-dict-with-keyword
    `->` type($results) $body
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The carried values after the last step.
    ::mlir::ValueRange getFinalCarries() {
      return getResults().take_front(getInit().size());
    }
    /// The per-step outputs, stacked along axis 1.
    ::mlir::ValueRange getStacked() {
      return getResults().drop_front(getInit().size());
    }
    /// The body's arguments: carried values, step slices, consts.
    ::mlir::Block::BlockArgListType getCarryArgs() {
      return getBody().front().getArguments().take_front(getInit().size());
    }
    ::mlir::Block::BlockArgListType getSliceArgs() {
      return getBody().front().getArguments().slice(getInit().size(),
                                                    getXs().size());
    }
    ::mlir::Block::BlockArgListType getConstArgs() {
      return getBody().front().getArguments().take_back(getConsts().size());
    }
    /// The type of one step's slice of a `[batch, steps, ...]` sequence.
    static ::mlir::RankedTensorType stepType(::mlir::Type sequence);
    /// The type of per-step values `[batch, ...]` stacked over `steps`.
    static ::mlir::RankedTensorType stackedType(::mlir::Type step,
                                                int64_t steps);
  }];
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

def NN_DropoutOp : NN_Op<"dropout", [Pure, SameOperandsAndResultType]> {
  let summary = "Keras' Dropout: random zeros in a train step, else identity";
  let description = [{
    What the `dropout(rate)` layer builds in the model function. Whether it
    drops depends on the entry that runs the model, so nnc-resolve-dropout
    (after inlining, before autodiff) replaces it: in a train step by
    `x * nn.dropout_mask(x, step)`, in every other entry (prediction,
    evaluation, the gradient check) by `x` itself. No pass after that one
    sees it.

    Example:

    ```mlir
    %y = nn.dropout %x {rate = 0.5 : f64, seed = 42 : i64} : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, F64Attr:$rate, I64Attr:$seed);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
  let hasVerifier = 1;
}

def NN_DropoutMaskOp : NN_Op<"dropout_mask", [Pure,
    AllTypesMatch<["like", "result"]>,
    DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the kept-element mask of a dropout layer at one step";
  let description = [{
    A tensor shaped like `like` (whose values are not read) holding
    `1 / (1 - rate)` where an element is kept and 0 where it is dropped.
    Element `i` (row-major) is kept when the top 24 bits of a 32-bit hash of
    (`seed`, `step`, `i`) are at least `ceil(rate * 2^24)`: each element is
    kept with probability 1 - rate, independently of the others, and the
    mask of a step is the same on every machine, for every thread count and
    in the reference evaluator. The hash is written out in docs/numerics.md.
    `step` is the train step's 1-based step number. No gradient flows
    through the mask.

    Example:

    ```mlir
    %m = nn.dropout_mask %x, %step {rate = 0.5 : f64, seed = 42 : i64}
        : tensor<?x8xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$like, NN_ScalarTensor:$step,
                       F64Attr:$rate, I64Attr:$seed);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$like `,` $step attr-dict `:` type($like) `,` type($step)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Ops that gradient rules are built from
//===----------------------------------------------------------------------===//

def NN_StepOp : NN_UnaryOp<"step",
    "the Heaviside step (1 where x > 0, else 0; its gradient is zero)">;
def NN_StopGradientOp : NN_UnaryOp<"stop_gradient",
    "the identity, through which no gradient flows">;

def NN_TransposeOp : NN_Op<"transpose", [Pure, SameOperandsAndResultElementType,
                                         InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "swaps the two dimensions of a matrix";
  let description = [{
    `result[j, i] = x[i, j]`. Matmul's gradients multiply by transposes.

    Example:

    ```mlir
    %t = nn.transpose %x : tensor<?x8xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, F64]>:$x);
  let results = (outs 2DTensorOf<[F32, F64]>:$result);
  let assemblyFormat = "$x attr-dict `:` type($x)";
}

def NN_BroadcastOp : NN_Op<"broadcast", [Pure, AllTypesMatch<["like", "result"]>,
    DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "broadcasts a tensor to the shape of another";
  let description = [{
    Stretches `x` with NumPy's rules (aligned from the right, size-1 and
    missing dimensions repeat) to the type of `like`, whose values are not
    read. Gradients of reductions spread back over the reduced axes with it;
    `like` supplies the run-time batch size.

    Example:

    ```mlir
    %b = nn.broadcast %g, %x : tensor<?x1xf32>, tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$like);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x `,` $like attr-dict `:` type($x) `,` type($like)";
  let hasVerifier = 1;
}

def NN_CountOp : NN_Op<"count", [Pure, InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_GradientOpInterface>]> {
  let summary = "the number of elements over some axes, as a scalar";
  let description = [{
    The product of `x`'s dimension sizes over `axes` (all when absent), as a
    rank-0 tensor of `x`'s element type; `x`'s values are not read. Means
    divide by it, so a batch of any size gets the right denominator.

    Example:

    ```mlir
    %n = nn.count %x axes = [0] : tensor<?x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, OptionalAttr<DenseI64ArrayAttr>:$axes);
  let results = (outs NN_ScalarTensor:$result);
  let assemblyFormat = "$x (`axes` `=` $axes^)? attr-dict `:` type($x)";
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

class NN_LossOp<string mnemonic, string desc, Type labelType = NN_FloatTensor>
    : NN_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = desc # ", averaged over the batch";
  let description = desc # " between predictions `y_pred` and targets "
      # "`y_true`, with Keras' definition, reduced to the mean over the batch "
      # "(a rank-0 tensor).\n\nExample:\n\n```mlir\n%l = nn." # mnemonic
      # " %y_pred, %y_true : tensor<?x3xf32>, tensor<?x3xf32>\n```";
  let arguments = (ins NN_FloatTensor:$y_pred, labelType:$y_true);
  let results = (outs NN_ScalarTensor:$result);
  let assemblyFormat =
      "$y_pred `,` $y_true attr-dict `:` type($y_pred) `,` type($y_true)";
  let hasVerifier = 1;
}

def NN_MseOp : NN_LossOp<"mse", "mean squared error">;
def NN_MaeOp : NN_LossOp<"mae", "mean absolute error">;
def NN_BinaryCrossentropyOp
    : NN_LossOp<"binary_crossentropy", "binary cross-entropy">;
def NN_CategoricalCrossentropyOp
    : NN_LossOp<"categorical_crossentropy", "categorical cross-entropy">;
def NN_SparseCategoricalCrossentropyOp
    : NN_LossOp<"sparse_categorical_crossentropy",
                "categorical cross-entropy with integer class labels",
                NN_LabelTensor>;

//===----------------------------------------------------------------------===//
// Derivatives
//===----------------------------------------------------------------------===//

def NN_GradOp : NN_Op<"grad", [RecursiveMemoryEffects, SingleBlock,
                                AttrSizedOperandSegments, InferTypeOpAdaptor]> {
  let summary = "derivative of a computation with respect to its inputs";
  let description = [{
    The body computes `y = f(x0, x1, ...)` from its block arguments (bound to
    the operands); the op's i-th value is the gradient of `sum(y)` with
    respect to `xi`, which has `xi`'s type. For a per-sample model output and
    one input this is `dy/dx` for every sample, the quantity
    physics-informed losses put in their residual; for a scalar loss and the
    model's parameters it is what a training step needs. The body may use
    values defined above it. The autodiff pass replaces the op by the
    reverse-mode derivative of its body.

    With `seeds` (one per value the body yields, of its type), the op's
    values are instead the vector-Jacobian product: the gradient of
    `sum_k sum(seed_k * y_k)` for the yielded `y_k`. The gradient of
    `nn.scan` differentiates its body this way, one step at a time.

    Example:

    ```mlir
    %dg = nn.grad %x : tensor<?x1xf32> {
    ^bb0(%a: tensor<?x1xf32>):
      %y = nn.tanh %a : tensor<?x1xf32>
      nn.yield %y : tensor<?x1xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<NN_FloatTensor>:$x,
                       Variadic<NN_FloatTensor>:$seeds);
  let results = (outs Variadic<NN_FloatTensor>:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $x `:` type($x) (`seeds` `(` $seeds^ `:` type($seeds) `)`)?
    attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator,
                                 ParentOneOf<["GradOp", "ScanOp"]>]> {
  let summary = "returns the values computed by an enclosing region";
  let description = [{
    Terminates the body of `nn.grad` (the values it differentiates) or of
    `nn.scan` (the next step's carried values, then the step's outputs).

    Example:

    ```mlir
    nn.yield %y : tensor<?x1xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_FloatTensor>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

//===----------------------------------------------------------------------===//
// Training configuration
//===----------------------------------------------------------------------===//

def NN_TrainConfigOp : NN_Op<"train_config",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "how a model is trained: loss, optimizer, metrics, schedule";
  let description = [{
    Records a `.nn` file's `train` section for the training pipeline. `loss`
    is the name of a built-in loss (applied to every output of a model with
    several, as Keras applies one loss), an array of built-in loss names (one
    per output), or a symbol reference to a `func.func` that computes a
    custom loss (models with one output). With several outputs the loss is
    `sum_k loss_weights[k] * loss_k` (every weight 1 when `loss_weights` is
    absent). `optimizer_config` holds every
    hyper-parameter with the user's values and Keras' defaults filled in.

    Example:

    ```mlir
    nn.train_config @iris {loss = "categorical_crossentropy",
        optimizer = "adam", optimizer_config = {learning_rate = 1.0e-03 : f64},
        metrics = ["accuracy"], batch_size = 8 : i64, epochs = 200 : i64,
        validation_split = 2.0e-01 : f64}
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$model,
                       AnyAttrOf<[StrAttr, FlatSymbolRefAttr,
                                  StrArrayAttr]>:$loss,
                       OptionalAttr<DenseF64ArrayAttr>:$loss_weights,
                       StrAttr:$optimizer,
                       DictionaryAttr:$optimizer_config,
                       StrArrayAttr:$metrics,
                       I64Attr:$batch_size,
                       I64Attr:$epochs,
                       F64Attr:$validation_split);
  let assemblyFormat = "$model attr-dict";
  let hasVerifier = 1;
}

#endif // NN_OPS_TD
