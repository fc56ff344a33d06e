"""check-ode.py POINTS PREDICTIONS BOUND: max |g(x) - (1 + x^2)| <= BOUND."""
import sys

xs = [float(v) for v in open(sys.argv[1]).read().split()]
gs = [float(v) for v in open(sys.argv[2]).read().split()]
assert len(xs) == len(gs), (len(xs), len(gs))
err = max(abs(g - (1 + x * x)) for x, g in zip(xs, gs))
print("max |g - u| = %.4f" % err)
assert err <= float(sys.argv[3]), err
