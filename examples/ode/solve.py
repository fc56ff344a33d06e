#!/usr/bin/env python3
"""Solves the course's three ODEs with nnc, ten seeds each, and measures them.

For each ODE (du/dx = 2x, x^2, x^2 - 2x on [0, 2], u(0) = 1):
  - the physics-informed model odeN.nn trains on 100 collocation points of
    [0, 2] with no labels; `predict --function g` gives the trial solution
    g(x) = 1 + x * net(x);
  - the supervised model supervised.nn trains on (x, u(x)) at the same points;
  - both are evaluated on [0, 2] (max |g - u|) and extrapolated to [0, 5].
Prints the median and range of the max error over the seeds, writes the
curves of seed 0 to ode-extrapolation.svg, and, with --keras PYTHON (a Python
with Keras 3 and JAX, e.g. the one scripts/install-python.sh prints), runs
keras_ode.py with the same networks and settings in the same run.

Standard library only (Keras runs in its own process).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ODES = {  # name: (right-hand side, exact solution, title)
    "ode1": (lambda x: 2 * x, lambda x: 1 + x * x, "du/dx = 2x"),
    "ode2": (lambda x: x * x, lambda x: 1 + x ** 3 / 3, "du/dx = x²"),
    "ode3": (lambda x: x * x - 2 * x, lambda x: 1 + x ** 3 / 3 - x * x,
             "du/dx = x² − 2x"),
}
POINTS = [2 * i / 99 for i in range(100)]      # collocation / training points
WIDE = [5 * i / 250 for i in range(251)]       # [0, 5] for the extrapolation


def write_column(path, xs, ys=None):
    with open(path, "w") as f:
        for i, x in enumerate(xs):
            f.write("%r\n" % x if ys is None else "%r,%r\n" % (x, ys[i]))


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout[-2000:],
                                        r.stderr[-2000:]))
    return r.stdout


def predict(exe, weights, inputs, function=None):
    cmd = [exe, "predict", "--weights", weights, "--input", inputs]
    if function:
        cmd += ["--function", function]
    return [float(v) for v in run(cmd).split()]


def max_error(ys, xs, exact):
    return max(abs(y - exact(x)) for x, y in zip(xs, ys))


def summary(errors):
    return "%.4f (%.4f-%.4f)" % (statistics.median(errors), min(errors),
                                 max(errors))


def svg(curves, path):
    """One panel per ODE: exact u, PINN g and supervised s on [0, 5]."""
    w, h, pad = 300, 240, 40
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (w * len(curves), h + 30)]
    colors = {"exact u(x)": "#000", "physics-informed g(x)": "#d62728",
              "supervised": "#1f77b4"}
    for k, (title, series) in enumerate(curves):
        ys = [y for _, pts in series for _, y in pts]
        lo, hi = min(ys), max(ys)
        lo, hi = max(lo, -20), min(hi, 60)  # keep a diverging fit readable
        x0 = k * w

        def px(x):
            return x0 + pad + x / 5 * (w - pad - 10)

        def py(y):
            y = min(max(y, lo), hi)
            return 20 + (hi - y) / (hi - lo) * (h - 40)
        out.append('<rect x="%.1f" y="20" width="%.1f" height="%d" '
                   'fill="#eee"/>' % (px(0), px(2) - px(0), h - 40))
        out.append('<text x="%.1f" y="14">%s</text>' % (x0 + pad, title))
        out.append('<text x="%.1f" y="%d">training interval [0, 2]</text>'
                   % (px(0) + 3, h - 24))
        for x in range(6):
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>'
                       % (px(x), h - 6, x))
        for v in (lo, (lo + hi) / 2, hi):
            out.append('<text x="%.1f" y="%.1f" text-anchor="end">%.1f</text>'
                       % (x0 + pad - 4, py(v) + 4, v))
        for name, pts in series:
            d = " ".join("%s%.1f,%.1f" % ("M" if i == 0 else "L", px(x), py(y))
                         for i, (x, y) in enumerate(pts))
            dash = ' stroke-dasharray="4,3"' if name.startswith("sup") else ""
            out.append('<path d="%s" fill="none" stroke="%s" stroke-width="1.5"%s/>'
                       % (d, colors[name], dash))
    for i, (name, color) in enumerate(colors.items()):
        out.append('<text x="%d" y="%d" fill="%s">— %s</text>'
                   % (pad + i * 170, h + 22, color, name))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nnc", default=os.path.join(HERE, "../../build/bin/nnc"))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--work", default="ode-work")
    ap.add_argument("--keras", help="a Python with Keras 3 + JAX")
    ap.add_argument("--svg", default="ode-extrapolation.svg")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    pts, wide = (os.path.join(args.work, n) for n in ("points.csv", "wide.csv"))
    write_column(pts, POINTS)
    write_column(wide, WIDE)

    exes = {}
    for name in list(ODES) + ["supervised"]:
        exes[name] = os.path.join(args.work, name)
        run([args.nnc, os.path.join(HERE, name + ".nn"), "-o", exes[name]])

    results, curves = {}, []
    for name, (rhs, exact, title) in ODES.items():
        sup_data = os.path.join(args.work, name + "-supervised.csv")
        write_column(sup_data, POINTS, [exact(x) for x in POINTS])
        r = results[name] = {"pinn": [], "pinn_wide": [], "sup": [],
                             "sup_wide": [], "title": title}
        for seed in range(args.seeds):
            w = os.path.join(args.work, "%s-%d.safetensors" % (name, seed))
            run([exes[name], "train", "--data", pts, "--seed", str(seed),
                 "--save", w])
            g = predict(exes[name], w, pts, "g")
            g_wide = predict(exes[name], w, wide, "g")
            r["pinn"].append(max_error(g, POINTS, exact))
            r["pinn_wide"].append(max_error(g_wide, WIDE, exact))
            ws = os.path.join(args.work, "%s-sup-%d.safetensors" % (name, seed))
            run([exes["supervised"], "train", "--data", sup_data, "--seed",
                 str(seed), "--save", ws])
            s = predict(exes["supervised"], ws, pts)
            s_wide = predict(exes["supervised"], ws, wide)
            r["sup"].append(max_error(s, POINTS, exact))
            r["sup_wide"].append(max_error(s_wide, WIDE, exact))
            if seed == 0:
                curves.append((title, [
                    ("exact u(x)", [(x, exact(x)) for x in WIDE]),
                    ("physics-informed g(x)", list(zip(WIDE, g_wide))),
                    ("supervised", list(zip(WIDE, s_wide)))]))
    svg(curves, args.svg)

    keras = {}
    if args.keras:
        out = run([args.keras, os.path.join(HERE, "keras_ode.py"), "--seeds",
                   str(args.seeds), "--points", pts])
        keras = json.loads(out.strip().splitlines()[-1])

    print("max |g(x) - u(x)|, median (min-max) over %d seeds" % args.seeds)
    print("%-18s %-26s %-26s %-26s %s" % (
        "ODE", "nnc PINN on [0, 2]", "Keras PINN on [0, 2]",
        "nnc supervised on [0, 2]", "on [0, 5]: PINN / supervised"))
    for name, r in results.items():
        k = summary(keras[name]) if name in keras else "-"
        print("%-18s %-26s %-26s %-26s %.2f / %.2f" % (
            r["title"], summary(r["pinn"]), k, summary(r["sup"]),
            statistics.median(r["pinn_wide"]), statistics.median(r["sup_wide"])))
    print("curves of seed 0: " + args.svg)
    worst = max(statistics.median(r["pinn"]) for r in results.values())
    return 0 if worst <= 0.01 else 1


if __name__ == "__main__":
    sys.exit(main())
