#!/usr/bin/env python3
"""The compiled contraction kernels against oneDNN and OpenBLAS, one thread.

Writes the course's training contractions (forward x W, backward-data
dy W^T, backward-weight x^T dy, batch dimension dynamic as in a train
step) and square ones as linalg on tensors, compiles them with
`nnc-opt --nnc-contraction-kernels` (the CPU pipeline's own tiling, packing,
micro-kernel and lowering passes), links them into one Google Benchmark
binary with oneDNN's and OpenBLAS's sgemm and runs it. Every kernel's
result is first checked against oneDNN's. The table gives GFLOP/s and the
percentage of the FMA peak the binary measures itself.

    gemm.py [--build build] [--filter REGEX]

Needs libbenchmark-dev, libdnnl-dev, libopenblas-dev (installed with apt
when missing and run as root).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(root, "build"))
ap.add_argument("--filter", default="")
ap.add_argument("--repetitions", type=int, default=5,
                help="runs of each benchmark; the table has their median")
ap.add_argument("--llvm", default="/usr/lib/llvm-22")
ap.add_argument("--pipeline-options", default="",
                help="extra nnc-contraction-kernels options, e.g. "
                "micro-rows=12 tile-rows=24 (tuning experiments)")
args = ap.parse_args()

# (batch, in, out): the MLP's and the large MLP's layers, then squares, then
# the products the CIFAR-10 CNN's convolutions become at batch 64 (rows =
# 64 x output positions, in = KH*KW*C, out = filters): conv1, conv2, conv2's
# input gradient (the windows of the padded dy, 64 x 15 x 15 rows, with the
# flipped kernel) and conv3. Their bwd_weight is the kernel gradient (the
# reduction over the batch's positions, blocked); the other two directions
# of a conv are fwd products (nnc-lowered as above), so their bwd_data rows
# are for comparison only.
SHAPES = [(64, 784, 256), (64, 256, 128), (256, 784, 1024), (256, 1024, 1024),
          (256, 256, 256), (512, 512, 512), (1024, 1024, 1024),
          (57600, 27, 32), (10816, 288, 64), (14400, 576, 32),
          (1024, 576, 64)]

# The CIFAR-10 CNN's unit-stride convolutions and kernel gradients as nnc
# lowers them (implicit GEMM, nnc-lower-implicit-convolutions and
# nnc-lower-implicit-kernel-gradients: the input read in place, no window
# copy): (batch, input height, width, channels, kernel height, width,
# filters). Timed against oneDNN's and OpenBLAS's sgemm on the window rows
# (im2col) of the same input, made before timing: the libraries get the
# copy for free.
# The last entry is conv2's input gradient: dy padded by the kernel's reach
# (17 x 17 x 64) convolved with the flipped kernel ([3, 3, 64, 32]); only
# its conv_fwd row is a product the CNN computes.
CONVS = [(64, 32, 32, 3, 3, 3, 32), (64, 15, 15, 32, 3, 3, 64),
         (64, 6, 6, 64, 3, 3, 64), (64, 17, 17, 64, 3, 3, 32)]

OPENBLAS = "/usr/include/x86_64-linux-gnu/openblas-pthread"
PACKAGES = {"/usr/include/benchmark/benchmark.h": "libbenchmark-dev",
            "/usr/include/dnnl.h": "libdnnl-dev",
            # OpenBLAS' own header: the plain cblas.h may be netlib's
            # (libblas-dev), which has no openblas_set_num_threads.
            OPENBLAS + "/cblas.h": "libopenblas-dev"}
missing = [p for f, p in PACKAGES.items() if not os.path.exists(f)]
if missing:
    if os.geteuid() != 0:
        sys.exit("gemm.py: install " + " ".join(missing))
    subprocess.run(["apt-get", "install", "-y", "-qq",
                    "--no-install-recommends"] + missing, check=True)


def kernels(m, k, n):
    """The three contractions of a dense layer with `k` inputs and `n`
    outputs on a batch of m (dynamic in the IR). The output is a buffer the
    caller owns, written in place, as in a compiled step."""
    def t(rows, cols):
        return "tensor<%sx%sxf32>" % (rows, cols)

    def func(name, a, b, c, body):
        mc = c.replace("tensor", "memref")
        return ("  func.func @%s_%d_%d_%d(%%a0: %s, %%b0: %s, %%out: %s) "
                "attributes {llvm.emit_c_interface} {\n"
                "    %%c = bufferization.to_tensor %%out restrict writable : "
                "%s to %s\n"
                "    %%z = arith.constant 0.0 : f32\n"
                "    %%f = linalg.fill ins(%%z : f32) outs(%%c : %s) -> %s\n"
                "%s"
                "    bufferization.materialize_in_destination %%r in restrict "
                "writable %%out : (%s, %s) -> ()\n    return\n  }\n"
                % (name, m, k, n, a, b, mc, mc, c, c, c, body, c, mc))

    out = []
    # forward: C[m, n] = X[m, k] W[k, n]
    out.append(func("fwd", t("?", k), t(k, n), t("?", n),
                    "    %%r = linalg.matmul ins(%%a0, %%b0 : %s, %s) outs(%%f : "
                    "%s) -> %s\n" % (t("?", k), t(k, n), t("?", n), t("?", n))))
    # backward-data: dX[m, k] = dY[m, n] W[k, n]^T
    out.append(func("bwd_data", t("?", n), t(k, n), t("?", k),
                    "    %%e = tensor.empty() : %s\n"
                    "    %%wt = linalg.transpose ins(%%b0 : %s) outs(%%e : %s) "
                    "permutation = [1, 0]\n"
                    "    %%r = linalg.matmul ins(%%a0, %%wt : %s, %s) outs(%%f : "
                    "%s) -> %s\n" % (t(n, k), t(k, n), t(n, k), t("?", n),
                                      t(n, k), t("?", k), t("?", k))))
    # backward-weight: dW[k, n] = X[m, k]^T dY[m, n]
    out.append(func("bwd_weight", t("?", k), t("?", n), t(k, n),
                    "    %%c0 = arith.constant 0 : index\n"
                    "    %%m = tensor.dim %%a0, %%c0 : %s\n"
                    "    %%e = tensor.empty(%%m) : %s\n"
                    "    %%xt = linalg.transpose ins(%%a0 : %s) outs(%%e : %s) "
                    "permutation = [1, 0]\n"
                    "    %%r = linalg.matmul ins(%%xt, %%b0 : %s, %s) outs(%%f : "
                    "%s) -> %s\n" % (t("?", k), t(k, "?"), t("?", k), t(k, "?"),
                                      t(k, "?"), t("?", n), t(k, n), t(k, n))))
    return out


def implicit_generic(name, a, b, out, maps, parallel, reductions, attr):
    """A function computing out = the multiply-add generic over `maps` of
    `a` and `b` (tensor types), into a zero-filled `out` the caller owns,
    marked with `attr` as convert-nn-to-linalg marks it for the CPU."""
    mout = out.replace("tensor", "memref")
    iters = ", ".join(['"parallel"'] * parallel + ['"reduction"'] * reductions)
    return (
        "  func.func @%s(%%a0: %s, %%b0: %s, %%out: %s) "
        "attributes {llvm.emit_c_interface} {\n"
        "    %%c = bufferization.to_tensor %%out restrict writable : %s to %s\n"
        "    %%z = arith.constant 0.0 : f32\n"
        "    %%f = linalg.fill ins(%%z : f32) outs(%%c : %s) -> %s\n"
        "    %%r = linalg.generic {indexing_maps = [%s], iterator_types = "
        "[%s]} ins(%%a0, %%b0 : %s, %s) outs(%%f : %s) attrs = {%s} {\n"
        "    ^bb0(%%a: f32, %%b: f32, %%acc: f32):\n"
        "      %%p = arith.mulf %%a, %%b : f32\n"
        "      %%s = arith.addf %%acc, %%p : f32\n"
        "      linalg.yield %%s : f32\n"
        "    } -> %s\n"
        "    bufferization.materialize_in_destination %%r in restrict "
        "writable %%out : (%s, %s) -> ()\n    return\n  }\n"
        % (name, a, b, mout, mout, out, out, out, ", ".join(maps), iters, a, b,
           out, attr, out, out, mout))


def conv_kernel_gradient(n, h, w, c, kh, kw, f):
    """dw[a, q, f] = x[n, i + a, j*C + q] dy[n, i, j, f] over (n, i, j), as
    convert-nn-to-linalg writes a unit-stride kernel gradient for the CPU:
    x as [N, H, W*C], dw as [KH, KW*C, F], the batch dynamic."""
    oh, ow = h - kh + 1, w - kw + 1
    loops = "(a, q, f, n, i, j)"
    return implicit_generic(
        "conv_kgrad_%d_%d_%d_%d_%d_%d_%d" % (n, h, w, c, kh, kw, f),
        "tensor<?x%dx%dxf32>" % (h, w * c),
        "tensor<?x%dx%dx%dxf32>" % (oh, ow, f),
        "tensor<%dx%dx%dxf32>" % (kh, kw * c, f),
        ["affine_map<%s -> (n, i + a, j * %d + q)>" % (loops, c),
         "affine_map<%s -> (n, i, j, f)>" % loops,
         "affine_map<%s -> (a, q, f)>" % loops],
        3, 3, "nn.implicit_kernel_gradient = %d : i64" % c)


def conv_forward(n, h, w, c, kh, kw, f):
    """y[n, i, j, f] = x[n, i + a, j*C + q] w[a, q, f] over (a, q), as
    convert-nn-to-linalg writes a unit-stride convolution for the CPU: x as
    [N, H, W*C], the kernel as [KH, KW*C, F], the batch dynamic."""
    oh, ow = h - kh + 1, w - kw + 1
    loops = "(n, i, j, f, a, q)"
    return implicit_generic(
        "conv_fwd_%d_%d_%d_%d_%d_%d_%d" % (n, h, w, c, kh, kw, f),
        "tensor<?x%dx%dxf32>" % (h, w * c),
        "tensor<%dx%dx%dxf32>" % (kh, kw * c, f),
        "tensor<?x%dx%dx%dxf32>" % (oh, ow, f),
        ["affine_map<%s -> (n, i + a, j * %d + q)>" % (loops, c),
         "affine_map<%s -> (a, q, f)>" % loops,
         "affine_map<%s -> (n, i, j, f)>" % loops],
        4, 2, "nn.implicit_convolution = %d : i64" % c)


work = tempfile.mkdtemp(prefix="nnc-gemm-")
with open(os.path.join(work, "kernels.mlir"), "w") as f:
    f.write("module {\n")
    for s in SHAPES:
        f.write("".join(kernels(*s)))
    for cv in CONVS:
        f.write(conv_kernel_gradient(*cv))
        f.write(conv_forward(*cv))
    f.write("}\n")
with open(os.path.join(work, "convs.inc"), "w") as f:
    for cv in CONVS:
        f.write("CONV_KERNEL(%d, %d, %d, %d, %d, %d, %d)\n" % cv)
with open(os.path.join(work, "kernels.inc"), "w") as f:
    for m, k, n in SHAPES:
        f.write("KERNEL(%d, %d, %d)\n" % (m, k, n))

flags = open("/proc/cpuinfo").read()
bits = 512 if " avx512f" in flags else 256 if " avx" in flags else 128
opt = os.path.join(args.build, "bin", "nnc-opt")
llvm = os.path.join(work, "kernels.ll")
mlir_llvm = subprocess.run(
    [opt, os.path.join(work, "kernels.mlir"),
     "--nnc-contraction-kernels=vector-bits=%d %s" % (bits,
                                                      args.pipeline_options)],
    check=True, capture_output=True, text=True).stdout
subprocess.run([os.path.join(args.llvm, "bin", "mlir-translate"),
                "--mlir-to-llvmir", "-o", llvm], input=mlir_llvm, text=True,
               check=True)
exe = os.path.join(work, "gemm")
clang = os.path.join(args.llvm, "bin", "clang++")
subprocess.run([clang, "-O2", "-march=native", "-ffp-contract=fast", "-c",
                llvm, "-o", os.path.join(work, "kernels.o")], check=True)
subprocess.run([clang, "-O2", "-march=native", "-std=c++17", "-I", work,
                "-I", OPENBLAS,
                os.path.join(here, "gemm.cpp"), os.path.join(work, "kernels.o"),
                os.path.join(args.build, "lib", "libnnrt_scratch.a"),
                "-lbenchmark", "-ldnnl",
                "-L/usr/lib/x86_64-linux-gnu/openblas-pthread", "-lopenblas",
                "-Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread",
                "-lpthread", "-o", exe],
               check=True)
env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
           DNNL_VERBOSE="0")
cmd = ["taskset", "-c", "0", exe, "--benchmark_counters_tabular=true",
       "--benchmark_repetitions=%d" % args.repetitions,
       "--benchmark_report_aggregates_only=true"]
if args.filter:
    cmd.append("--benchmark_filter=" + args.filter)
print("vector width %d bits; kernels in %s" % (bits, work), flush=True)
sys.exit(subprocess.run(cmd, env=env).returncode)
