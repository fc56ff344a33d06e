"""Differential tests: each model below is compiled with `nnc --shared` and
compared by nnc-difftest with the naive reference evaluator at batch sizes 1,
7, 64 and 200. Usage: run-models.py NNC DIFFTEST WORKDIR

Each entry: (name, input range, .nn source). One model per op of the nn
dialect, plus whole models."""
import os
import subprocess
import sys

nnc, difftest, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)

UNARY = ["exp", "tanh", "sigmoid", "relu", "elu", "abs", "sin", "cos"]
MODELS = [(op, (-2, 2), "model m(x: f32[5]) -> f32[5] { return %s(x) }" % op)
          for op in UNARY]
MODELS += [
    ("log", (0.1, 3), "model m(x: f32[5]) -> f32[5] { return log(x) }"),
    ("sqrt", (0.1, 3), "model m(x: f32[5]) -> f32[5] { return sqrt(x) }"),
    ("neg", (-2, 2), "model m(x: f32[5]) -> f32[5] { return -x }"),
    ("add", (-2, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return x + y }"),
    ("sub", (-2, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return x - y }"),
    ("mul", (-2, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return x * y }"),
    ("div", (0.5, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return x / y }"),
    ("pow", (0.5, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return x ^ y }"),
    ("maximum", (-2, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return maximum(x, y) }"),
    ("minimum", (-2, 2), "model m(x: f32[5], y: f32[5]) -> f32[5] { return minimum(x, y) }"),
    ("broadcast", (-2, 2), "model m(x: f32[3, 4]) -> f32[3, 4] { return x * 2.0 + 1.5 }"),
    ("softmax", (-3, 3), "model m(x: f32[6]) { activation(softmax) }"),
    ("sum", (-2, 2), "model m(x: f32[3, 4]) -> f32[3] { return sum(x, axis: -1) }"),
    ("mean", (-2, 2), "model m(x: f32[3, 4]) -> f32[4] { return mean(x, axis: 1) }"),
    ("max", (-2, 2), "model m(x: f32[3, 4]) -> f32[3] { return max(x, axis: -1) }"),
    # Over the batch axis: these once failed to link (memrefCopy).
    ("batch-axis", (-2, 2), "model m(x: f32[3]) {\n h = dense(x, 4, activation: tanh)\n"
                            " return h - mean(h, 0) + softmax(h, axis: 0) + max(h, 0)"
                            " + sum(h, 0)\n}"),
    ("flatten", (-2, 2), "model m(x: f32[3, 4]) { flatten()\n dense(2) }"),
    ("dense", (-2, 2), "model m(x: f32[7]) { dense(5) }"),
    ("dense-relu", (-2, 2), "model m(x: f32[33]) { dense(70, activation: relu) }"),
    # Rows of W a page long (1030 floats): packed for every batch; 1030 =
    # 32 x 32 + 6 leaves a masked last vector. (Its output is the wide layer:
    # a following layer would sum 1030 f32 terms, beyond the 1e-5 bound.)
    ("dense-wide", (-1, 1), "model m(x: f32[40]) { dense(1030, activation: tanh) }"),
    ("dense-tanh", (-2, 2), "model m(x: f32[6]) { dense(4, activation: tanh) }"),
    ("iris", (-2, 2), open(os.path.join(os.path.dirname(__file__), "..", "..",
                                        "examples", "iris", "iris.nn")).read()),
    ("mlp", (-1, 1), "model m(x: f32[20]) {\n dense(64, activation: relu)\n"
                     " dense(32, activation: sigmoid)\n dense(10, activation: softmax)\n}"),
    # Image ops (issue 14): each layer's kernel on its own, then a network.
    ("conv2d-same-strided", (-1, 1), "model m(x: f32[9, 8, 3]) {\n"
     " conv2d(5, [3, 2], strides: [2, 1], padding: same, activation: relu)\n}"),
    ("conv2d-dilated", (-1, 1), "model m(x: f32[9, 9, 2]) {\n"
     " conv2d(4, 3, dilation_rate: 2, padding: same)\n}"),
    ("conv2d-transpose", (-1, 1), "model m(x: f32[4, 5, 3]) {\n"
     " conv2d_transpose(2, 3, strides: 2, padding: same, activation: tanh)\n"
     " conv2d_transpose(2, 2, strides: 3)\n}"),
    ("max-pooling", (-2, 2), "model m(x: f32[7, 6, 3]) { max_pooling2d(3, strides: 2, padding: same) }"),
    ("min-pooling", (-2, 2), "model m(x: f32[7, 6, 3]) { min_pooling2d([2, 3]) }"),
    ("average-pooling", (-2, 2), "model m(x: f32[7, 6, 3]) { average_pooling2d(3, strides: 1, padding: same) }"),
    ("global-pooling", (-2, 2), "model m(x: f32[5, 6, 3]) -> f32[3] {\n"
     " return global_average_pooling2d(x) + global_max_pooling2d(x)\n}"),
    ("resample", (-2, 2), "model m(x: f32[3, 4, 2]) {\n up_sampling2d([2, 3])\n"
     " zero_padding2d([[1, 0], [2, 1]])\n cropping2d([1, 2])\n}"),
    ("cnn", (0, 1), "model m(x: f32[12, 12, 1]) {\n"
     " conv2d(8, 3, padding: same, activation: relu)\n max_pooling2d()\n"
     " conv2d(8, 3, activation: relu)\n average_pooling2d()\n flatten()\n"
     " dense(10, activation: softmax)\n}"),
]

failed = 0
for name, (lo, hi), src in MODELS:
    path = os.path.join(work, name + ".nn")
    lib = os.path.join(work, name + ".so")
    with open(path, "w") as f:
        f.write(src + "\n")
    subprocess.run([nnc, path, "--shared", "-o", lib], check=True)
    proc = subprocess.run([difftest, path, lib, "--range", str(lo), str(hi)],
                          capture_output=True, text=True)
    print("== %s\n%s%s" % (name, proc.stdout, proc.stderr), end="")
    if proc.returncode != 0:
        failed += 1
print("%d models, %d failed" % (len(MODELS), failed))
sys.exit(1 if failed else 0)
