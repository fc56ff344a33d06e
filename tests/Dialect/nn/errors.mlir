// RUN: nnc-opt %s -split-input-file -verify-diagnostics
// One case per verifier message of the nn dialect.

func.func @broadcast(%a: tensor<?x3xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+1 {{operands of shapes (None, 3) and (None, 4) do not broadcast}}
  %0 = nn.add %a, %b : tensor<?x3xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @element_types(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{requires the same element type for all operands}}
  %0 = "nn.mul"(%a, %b) : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return
}

// -----

func.func @integer_tensor(%a: tensor<3xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 64-bit float values}}
  %0 = "nn.relu"(%a) : (tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @wrong_result_type(%a: tensor<?x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x3xf32>' are incompatible with return type(s) of operation 'tensor<?x4xf32>'}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = "nn.add"(%a, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @matmul(%x: tensor<?x4xf32>, %w: tensor<5x8xf32>) {
  // expected-error @+1 {{cannot multiply shapes (None, 4) and (5, 8): need [..., k] and [k, n]}}
  %0 = nn.matmul %x, %w : tensor<?x4xf32>, tensor<5x8xf32>
  return
}

// -----

func.func @bias(%x: tensor<?x8xf32>, %b: tensor<7xf32>) {
  // expected-error @+1 {{'nn.bias_add' op bias of size 7 does not match the last dimension of (None, 8)}}
  %0 = nn.bias_add %x, %b : tensor<?x8xf32>, tensor<7xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'nn.softmax' op axis 2 is out of range for rank 2}}
  %0 = nn.softmax %x {axis = 2} : tensor<?x8xf32>
  return
}

// -----

func.func @reduce_axes(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{reduction axes out of range or repeated for rank 2}}
  %0 = nn.reduce_sum %x axes = [0, -2] : tensor<?x8xf32>
  return
}

// -----

func.func @reshape(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.reshape' op cannot reshape (None, 4) into (None, 3, 2)}}
  %0 = nn.reshape %x : tensor<?x4xf32> -> tensor<?x3x2xf32>
  return
}

// -----

func.func @loss_shapes(%p: tensor<?x3xf32>, %t: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.mse' op needs y_true and y_pred of one shape, got (None, 4) and (None, 3)}}
  %0 = nn.mse %p, %t : tensor<?x3xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @loss_types(%p: tensor<?x3xf32>, %t: tensor<?x3xf64>) {
  // expected-error @+1 {{'nn.categorical_crossentropy' op needs y_true and y_pred of one element type}}
  %0 = nn.categorical_crossentropy %p, %t : tensor<?x3xf32>, tensor<?x3xf64>
  return
}

// -----

func.func @sparse_labels(%p: tensor<?x3xf32>, %t: tensor<?x3xi32>) {
  // expected-error @+1 {{'nn.sparse_categorical_crossentropy' op needs y_pred of shape (batch, classes) and labels of shape (batch,) or (batch, 1), got (None, 3) and (None, 3)}}
  %0 = nn.sparse_categorical_crossentropy %p, %t : tensor<?x3xf32>, tensor<?x3xi32>
  return
}

// -----

func.func @grad_arg(%x: tensor<?x1xf32>) {
  // expected-error @+1 {{'nn.grad' op body must take one argument per operand, of the operands' types}}
  %0 = nn.grad %x : tensor<?x1xf32> {
  ^bb0(%a: tensor<?x2xf32>):
    nn.yield %x : tensor<?x1xf32>
  }
  return
}

// -----

func.func @yield_outside(%x: tensor<?x1xf32>) {
  // expected-error @+1 {{'nn.yield' op expects parent op to be one of 'nn.grad, nn.scan'}}
  nn.yield %x : tensor<?x1xf32>
}

// -----

// expected-error @+1 {{argument #1: 'nn.init' must name a known initializer}}
func.func @bad_init(%x: tensor<?x2xf32>, %w: tensor<2x2xf32> {nn.param = "w", nn.init = "xavier"}) {
  return
}

// -----

// expected-error @+1 {{argument #0: 'nn.param' must be a non-empty string}}
func.func @bad_param(%w: tensor<2x2xf32> {nn.param = ""}) {
  return
}

// -----

// expected-error @+1 {{argument #0: 'nn.trainable' must be a boolean}}
func.func @bad_trainable(%w: tensor<2x2xf32> {nn.param = "w", nn.trainable = 1 : i32}) {
  return
}

// -----

// expected-error @+1 {{argument #0: unknown nn argument attribute 'nn.weight'}}
func.func @unknown_arg_attr(%w: tensor<2x2xf32> {nn.weight = "w"}) {
  return
}

// -----

// expected-error @+1 {{'nn.model' must be a unit attribute}}
func.func @bad_model_attr() attributes {nn.model = 1 : i32} {
  return
}

// -----

// expected-error @+1 {{'nn.model' applies to func.func only}}
module attributes {nn.model} {
}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op 'm' does not name a func.func marked nn.model}}
nn.train_config @m {loss = "mse", optimizer = "adam", optimizer_config = {}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op custom loss @nowhere does not name a func.func}}
nn.train_config @m {loss = @nowhere, optimizer = "adam", optimizer_config = {}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op unknown loss 'hinge'}}
nn.train_config @m {loss = "hinge", optimizer = "adam", optimizer_config = {}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op unknown optimizer 'rmsprop'}}
nn.train_config @m {loss = "mse", optimizer = "rmsprop", optimizer_config = {}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op optimizer 'sgd' has no hyper-parameter 'beta_1'}}
nn.train_config @m {loss = "mse", optimizer = "sgd", optimizer_config = {beta_1 = 0.9 : f64}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op hyper-parameter 'nesterov' has the wrong kind of value}}
nn.train_config @m {loss = "mse", optimizer = "sgd", optimizer_config = {nesterov = 1.0 : f64}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op unknown metric "auc"}}
nn.train_config @m {loss = "mse", optimizer = "sgd", optimizer_config = {}, metrics = ["auc"], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op batch_size must be positive}}
nn.train_config @m {loss = "mse", optimizer = "sgd", optimizer_config = {}, metrics = [], batch_size = -4 : i64, epochs = 2 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op epochs must be positive}}
nn.train_config @m {loss = "mse", optimizer = "sgd", optimizer_config = {}, metrics = [], batch_size = 4 : i64, epochs = 0 : i64, validation_split = 0.0 : f64}

// -----

func.func @m(%x: tensor<?x2xf32>) -> tensor<?x2xf32> attributes {nn.model} {
  return %x : tensor<?x2xf32>
}
// expected-error @+1 {{'nn.train_config' op validation_split must be in [0, 1)}}
nn.train_config @m {loss = "mse", optimizer = "sgd", optimizer_config = {}, metrics = [], batch_size = 4 : i64, epochs = 2 : i64, validation_split = 1.0 : f64}

// -----

func.func @broadcast_to_smaller(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'nn.broadcast' op cannot broadcast (2, 3) to the lower rank of (3,)}}
  %0 = nn.broadcast %a, %b : tensor<2x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @broadcast_mismatch(%a: tensor<2xf32>, %b: tensor<?x3xf32>) {
  // expected-error @+1 {{'nn.broadcast' op cannot broadcast (2,) to (None, 3)}}
  %0 = nn.broadcast %a, %b : tensor<2xf32>, tensor<?x3xf32>
  return
}

// -----

func.func @count_axes(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{count axes out of range or repeated for rank 2}}
  %0 = nn.count %a axes = [2] : tensor<?x3xf32>
  return
}

// -----

func.func @grad_nothing() {
  // expected-error @+1 {{'nn.grad' op needs at least one value to differentiate by}}
  "nn.grad"() ({
    %c = arith.constant dense<1.0> : tensor<f32>
    nn.yield %c : tensor<f32>
  }) : () -> ()
  return
}

// -----

// expected-error @+1 {{argument #0: 'nn.hyper' must be "learning_rate" or "step"}}
func.func @hyper(%lr: tensor<f32> {nn.hyper = "momentum"}) {
  return
}

// -----

// expected-error @+1 {{result #0: 'nn.updates' must be the index of an argument of the result's type}}
func.func @updates(%p: tensor<3xf32>) -> (tensor<4xf32> {nn.updates = 0 : i64}) {
  %c = arith.constant dense<1.0> : tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0: 'nn.result' must be a non-empty string}}
func.func @result_name() -> (tensor<f32> {nn.result = ""}) {
  %c = arith.constant dense<1.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{result #0: unknown nn result attribute 'nn.weight'}}
func.func @result_attr() -> (tensor<f32> {nn.weight = "x"}) {
  %c = arith.constant dense<1.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'nn.entry' must be {kind = "train" | "eval" | "grad" | "def", model = "..."} on a func.func}}
func.func @entry() attributes {nn.entry = {kind = "fit", model = "m"}} {
  return
}

// -----

// expected-error @+1 {{'nn.entry' of kind "def" needs the def's name}}
func.func @entry() attributes {nn.entry = {kind = "def", model = "m"}} {
  return
}

// -----

func.func @conv_channels(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+1 {{'nn.conv2d' kernel (3, 3, 2, 4) expects 2 input channels, the input (None, 8, 8, 3) has 3}}
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<3x3x2x4xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{'nn.conv2d' padding must be between 0 and the window's reach minus one (2)}}
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1] padding = [3, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_dynamic_height(%x: tensor<?x?x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{'nn.conv2d' needs an input of shape (batch, height, width, channels) with known height, width and channels, got (None, None, 8, 3)}}
  %0 = nn.conv2d %x, %w strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x?x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{'nn.conv2d' window sizes, strides and dilations must be positive}}
  %0 = nn.conv2d %x, %w strides = [0, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @backprop_input_shape(%dy: tensor<?x5x6x4xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+1 {{'nn.conv2d_backprop_input' gradient of shape (None, 5, 6, 4) does not match the forward result (None, 6, 6, 4)}}
  %0 = nn.conv2d_backprop_input %dy, %w input_size = [8, 8] strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x5x6x4xf32>, tensor<3x3x3x4xf32>
  return
}

// -----

func.func @backprop_filter_shape(%x: tensor<?x8x8x3xf32>, %dy: tensor<?x6x6x4xf32>) {
  // expected-error @+1 {{'nn.conv2d_backprop_filter' gradient of shape (None, 6, 6, 4) does not match the forward result (None, 7, 7, 4)}}
  %0 = nn.conv2d_backprop_filter %x, %dy kernel_size = [2, 2] strides = [1, 1] dilations = [1, 1] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<?x6x6x4xf32>
  return
}

// -----

func.func @pool_kind(%x: tensor<?x8x8x3xf32>) {
  // expected-error @+1 {{'nn.pool2d' op kind must be max, min or avg, got 'sum'}}
  %0 = nn.pool2d %x kind = "sum" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>
  return
}

// -----

func.func @pool_window(%x: tensor<?x2x8x3xf32>) {
  // expected-error @+1 {{'nn.pool2d' the height of (None, 2, 8, 3) is smaller than the window (3)}}
  %0 = nn.pool2d %x kind = "max" window = [3, 3] strides = [1, 1] padding = [0, 0, 0, 0] : tensor<?x2x8x3xf32>
  return
}

// -----

func.func @pool_grad_shape(%x: tensor<?x8x8x3xf32>, %dy: tensor<?x3x4x3xf32>) {
  // expected-error @+1 {{'nn.pool2d_grad' gradient of shape (None, 3, 4, 3) does not match the forward result (None, 4, 4, 3)}}
  %0 = nn.pool2d_grad %x, %dy kind = "max" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<?x3x4x3xf32>
  return
}

// -----

func.func @gather_kind(%x: tensor<?x8x8x3xf32>) {
  // expected-error @+1 {{'nn.pool2d_gather' op kind must be max or min, got 'avg'}}
  %0 = nn.pool2d_gather %x, %x kind = "avg" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<?x8x8x3xf32>
  return
}

// -----

func.func @gather_shape(%x: tensor<?x8x8x3xf32>, %g: tensor<?x8x8x2xf32>) {
  // expected-error @+1 {{'nn.pool2d_gather' needs g of x's shape}}
  %0 = nn.pool2d_gather %x, %g kind = "max" window = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<?x8x8x3xf32>, tensor<?x8x8x2xf32>
  return
}

// -----

func.func @upsample_size(%x: tensor<?x8x8x3xf32>) {
  // expected-error @+1 {{'nn.upsample2d' needs 2 positive sizes}}
  %0 = nn.upsample2d %x size = [0, 2] : tensor<?x8x8x3xf32>
  return
}

// -----

func.func @crop_all(%x: tensor<?x4x8x3xf32>) {
  // expected-error @+1 {{'nn.crop2d' crops all of (None, 4, 8, 3)}}
  %0 = nn.crop2d %x cropping = [2, 2, 0, 0] : tensor<?x4x8x3xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<?x4x8x3xf32>) {
  // expected-error @+1 {{'nn.pad2d' needs 4 amounts between 0 and 2^32}}
  %0 = nn.pad2d %x padding = [1, -1, 0, 0] : tensor<?x4x8x3xf32>
  return
}

// -----

func.func @dropout_rate_one(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.dropout' op rate must be in [0, 1), got 1.000000e+00}}
  %0 = nn.dropout %x {rate = 1.0 : f64, seed = 0 : i64} : tensor<?x4xf32>
  return
}

// -----

func.func @dropout_mask_negative_rate(%x: tensor<?x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'nn.dropout_mask' op rate must be in [0, 1), got -5.000000e-01}}
  %0 = nn.dropout_mask %x, %s {rate = -0.5 : f64, seed = 0 : i64} : tensor<?x4xf32>, tensor<f32>
  return
}

// -----

func.func @dropout_mask_step_type(%x: tensor<?x4xf32>, %s: tensor<f64>) {
  // expected-error @+1 {{'nn.dropout_mask' op step must have the element type of 'like'}}
  %0 = nn.dropout_mask %x, %s {rate = 0.5 : f64, seed = 0 : i64} : tensor<?x4xf32>, tensor<f64>
  return
}

// -----

func.func @resample_batch_axis(%x: tensor<?x2x3xf32>) {
  // expected-error @+1 {{'nn.resample' axis 0 is not a non-batch axis of (None, 2, 3)}}
  %0 = nn.resample %x axis = 0 weights = dense<1.0> : tensor<1x1xf64> : tensor<?x2x3xf32>
  return
}

// -----

func.func @resample_columns(%x: tensor<?x2x3xf32>) {
  // expected-error @+1 {{'nn.resample' weights of shape (4, 3) do not map axis 1 of (None, 2, 3) (they need 2 columns)}}
  %0 = nn.resample %x axis = 1 weights = dense<0.5> : tensor<4x3xf64> : tensor<?x2x3xf32>
  return
}

// -----

func.func @embedding_grad_shape(%ids: tensor<?x3xf32>, %dy: tensor<?x4x4xf32>) {
  // expected-error @+1 {{'nn.embedding_grad' needs dy of the ids' shape plus features, got (None, 4, 4) for ids (None, 3)}}
  %0 = nn.embedding_grad %ids, %dy vocabulary = 10 : tensor<?x3xf32>, tensor<?x4x4xf32>
  return
}

// -----

func.func @embedding_grad_vocabulary(%ids: tensor<?x3xf32>, %dy: tensor<?x3x4xf32>) {
  // expected-error @+1 {{'nn.embedding_grad' needs a vocabulary between 1 and 2^32}}
  %0 = nn.embedding_grad %ids, %dy vocabulary = 0 : tensor<?x3xf32>, tensor<?x3x4xf32>
  return
}

// -----

func.func @embedding_dynamic_table(%ids: tensor<?x3xf32>, %t: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.embedding' needs a table of known size, got (None, 4)}}
  %0 = nn.embedding %ids, %t : tensor<?x3xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @slice_range(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'nn.slice' range [6, 10) is outside [0, 8)}}
  %0 = nn.slice %x axis = 1 offset = 6 size = 4 : tensor<?x8xf32>
  return
}

// -----

func.func @slice_dynamic_axis(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'nn.slice' needs a static size along axis 0}}
  %0 = nn.slice %x axis = 0 offset = 0 size = 1 : tensor<?x8xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'nn.slice' axis 2 is outside a tensor of rank 2}}
  %0 = nn.slice %x axis = 2 offset = 0 size = 1 : tensor<?x8xf32>
  return
}

// -----

func.func @unslice_range(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'nn.unslice' range [6, 10) is outside [0, 8)}}
  %0 = nn.unslice %x axis = 1 offsets = [6] full = 8 : tensor<?x4xf32>
  return
}

// -----

func.func @unslice_overlap(%x: tensor<?x4xf32>, %y: tensor<?x2xf32>) {
  // expected-error @+1 {{'nn.unslice' pieces overlap: [1, 3) and [2, 6)}}
  %0 = nn.unslice %x, %y axis = 1 offsets = [2, 1] full = 8 : tensor<?x4xf32>, tensor<?x2xf32>
  return
}

// -----

func.func @unslice_offsets(%x: tensor<?x4xf32>, %y: tensor<?x2xf32>) {
  // expected-error @+1 {{'nn.unslice' needs one offset per piece and at least one piece (2 pieces, 1 offsets)}}
  %0 = nn.unslice %x, %y axis = 1 offsets = [0] full = 8 : tensor<?x4xf32>, tensor<?x2xf32>
  return
}

// -----

func.func @unslice_ranks(%x: tensor<?x4xf32>, %y: tensor<?x2x5xf32>) {
  // expected-error @+1 {{'nn.unslice' pieces of ranks 2 and 3}}
  %0 = nn.unslice %x, %y axis = 1 offsets = [0, 4] full = 8 : tensor<?x4xf32>, tensor<?x2x5xf32>
  return
}

// -----

func.func @unslice_pieces_differ(%x: tensor<?x4x3xf32>, %y: tensor<?x2x5xf32>) {
  // expected-error @+1 {{'nn.unslice' pieces differ along axis 2}}
  %0 = nn.unslice %x, %y axis = 1 offsets = [0, 4] full = 8 : tensor<?x4x3xf32>, tensor<?x2x5xf32>
  return
}

// -----

func.func @batch_zeros_batch(%x: tensor<3x5xf32>) {
  // expected-error @+1 {{'nn.batch_zeros' op result must have the operand's batch size, got (3, 5) and (None, 2)}}
  %0 = nn.batch_zeros %x : tensor<3x5xf32> -> tensor<?x2xf32>
  return
}

// -----

func.func @scan_no_sequence(%h: tensor<?x2xf32>) {
  // expected-error @+1 {{'nn.scan' op needs at least one sequence to scan over}}
  %0 = "nn.scan"(%h) <{operandSegmentSizes = array<i32: 1, 0, 0>}> ({
  ^bb0(%a: tensor<?x2xf32>):
    nn.yield %a : tensor<?x2xf32>
  }) : (tensor<?x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @scan_steps(%x: tensor<?x5x2xf32>, %y: tensor<?x4x2xf32>) {
  // expected-error @+1 {{'nn.scan' op sequences have 5 and 4 steps}}
  %0 = nn.scan over(%x, %y : tensor<?x5x2xf32>, tensor<?x4x2xf32>) -> tensor<?x5x2xf32> {
  ^bb0(%a: tensor<?x2xf32>, %b: tensor<?x2xf32>):
    nn.yield %a : tensor<?x2xf32>
  }
  return
}

// -----

func.func @scan_rank(%x: tensor<?xf32>) {
  // expected-error @+1 {{'nn.scan' op sequences must be [batch, steps, ...], got (None,)}}
  %0 = nn.scan over(%x : tensor<?xf32>) -> tensor<?x1xf32> {
  ^bb0(%a: tensor<f32>):
    nn.yield %a : tensor<f32>
  }
  return
}

// -----

func.func @scan_body_arguments(%h: tensor<?x2xf32>, %x: tensor<?x5x3xf32>) {
  // expected-error @+1 {{'nn.scan' op body must take the carried values, one step of each sequence and the consts, of their types}}
  %0 = nn.scan carry(%h : tensor<?x2xf32>) over(%x : tensor<?x5x3xf32>) -> tensor<?x2xf32> {
  ^bb0(%a: tensor<?x2xf32>, %b: tensor<?x5x3xf32>):
    nn.yield %a : tensor<?x2xf32>
  }
  return
}

// -----

func.func @scan_carry_type(%h: tensor<?x2xf32>, %x: tensor<?x5x3xf32>) {
  // expected-error @+1 {{'nn.scan' op body must yield the next carried values first, of the carried values' types}}
  %0 = nn.scan carry(%h : tensor<?x2xf32>) over(%x : tensor<?x5x3xf32>) -> tensor<?x2xf32> {
  ^bb0(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>):
    nn.yield %b : tensor<?x3xf32>
  }
  return
}

// -----

func.func @scan_results(%h: tensor<?x2xf32>, %x: tensor<?x5x3xf32>) {
  // expected-error @+1 {{'nn.scan' op results must be the carried values and each per-step output stacked along axis 1}}
  %0:2 = nn.scan carry(%h : tensor<?x2xf32>) over(%x : tensor<?x5x3xf32>) -> tensor<?x2xf32>, tensor<?x3xf32> {
  ^bb0(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>):
    nn.yield %a, %b : tensor<?x2xf32>, tensor<?x3xf32>
  }
  return
}

// -----

func.func @scan_rank0_carry(%h: tensor<f32>, %x: tensor<?x5x3xf32>) {
  // expected-error @+1 {{'nn.scan' op carried values need a batch axis (rank >= 1)}}
  %0 = nn.scan carry(%h : tensor<f32>) over(%x : tensor<?x5x3xf32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>, %b: tensor<?x3xf32>):
    nn.yield %a : tensor<f32>
  }
  return
}

// -----

func.func @scan_captures(%h: tensor<?x2xf32>, %x: tensor<?x5x2xf32>) {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = nn.scan carry(%h : tensor<?x2xf32>) over(%x : tensor<?x5x2xf32>) -> tensor<?x2xf32> {
  ^bb0(%a: tensor<?x2xf32>, %b: tensor<?x2xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %s = nn.add %a, %h : tensor<?x2xf32>, tensor<?x2xf32>
    nn.yield %s : tensor<?x2xf32>
  }
  return
}

// -----

func.func @grad_seeds(%x: tensor<?x2xf32>, %s: tensor<?x3xf32>) {
  // expected-error @+1 {{'nn.grad' op needs one seed per yielded value, of its type}}
  %0 = nn.grad %x : tensor<?x2xf32> seeds(%s : tensor<?x3xf32>) {
  ^bb0(%a: tensor<?x2xf32>):
    nn.yield %a : tensor<?x2xf32>
  }
  return
}

// -----

func.func @grad_two_values(%x: tensor<?x2xf32>) {
  // expected-error @+1 {{'nn.grad' op without seeds, the body must yield one value}}
  %0 = nn.grad %x : tensor<?x2xf32> {
  ^bb0(%a: tensor<?x2xf32>):
    nn.yield %a, %a : tensor<?x2xf32>, tensor<?x2xf32>
  }
  return
}

// -----

func.func @reverse_dynamic_axis(%x: tensor<?x5xf32>) {
  // expected-error @+1 {{'nn.reverse' op axis 0 must be a static axis of (None, 5)}}
  %0 = nn.reverse %x axis = 0 : tensor<?x5xf32>
  return
}

// -----

func.func @sparse_shapes(%h: tensor<?x8xf32>, %c: tensor<8x2xf32>, %v: tensor<8x3xf32>) {
  // expected-error @+1 {{'nn.sparse_matmul' needs columns and values of one static shape, got (8, 2) and (8, 3)}}
  %0 = nn.sparse_matmul %h, %c, %v : tensor<?x8xf32>, tensor<8x2xf32>, tensor<8x3xf32>
  return
}

// -----

func.func @sparse_t_units(%dy: tensor<?x5xf32>, %c: tensor<8x2xf32>, %v: tensor<8x2xf32>) {
  // expected-error @+1 {{'nn.sparse_matmul_t' needs dy of 8 units and inputs >= 1}}
  %0 = nn.sparse_matmul_t %dy, %c, %v inputs = 8 : tensor<?x5xf32>, tensor<8x2xf32>, tensor<8x2xf32>
  return
}

// -----

func.func @implicit_kernel_gradient_not_generic() {
  // expected-error @+1 {{'nn.implicit_kernel_gradient' must be a positive integer (the input's channels) on a linalg.generic}}
  %0 = arith.constant {nn.implicit_kernel_gradient = 3 : i64} 0 : index
  return
}

// -----

func.func @implicit_kernel_gradient_channels(%x: tensor<2x2xf32>, %y: tensor<2x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nn.implicit_kernel_gradient' must be a positive integer (the input's channels) on a linalg.generic}}
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x2xf32>) outs(%y : tensor<2x2xf32>) attrs = {nn.implicit_kernel_gradient = 0 : i64} {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @implicit_convolution_not_generic() {
  // expected-error @+1 {{'nn.implicit_convolution' must be a positive integer (the input's channels) on a linalg.generic}}
  %0 = arith.constant {nn.implicit_convolution = 3 : i64} 0 : index
  return
}

// -----

func.func @implicit_convolution_channels(%x: tensor<2x2xf32>, %y: tensor<2x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nn.implicit_convolution' must be a positive integer (the input's channels) on a linalg.generic}}
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x2xf32>) outs(%y : tensor<2x2xf32>) attrs = {nn.implicit_convolution = -1 : i64} {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
