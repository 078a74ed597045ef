"""Fits ExactMath's exp polynomial and checks it the way the Java code computes it.

exp(r) on |r| <= ln2/2 is 1 + r + r^2 q(r), q cubic, q's coefficients (C2..C5) chosen by a linear
program to minimise the largest relative error of exp on a dense grid; the first two terms stay exact.
Then the whole float32 exp (clamp, range reduction in two parts, Horner with fused multiply-adds, 2^k)
is evaluated in numpy and compared with float64 exp, in float32 ulps, next to the degree-6 Taylor form it
replaced. Needs numpy and scipy. Usage: python3 scripts/fit_exp_polynomial.py
"""
import math

import numpy as np
from scipy.optimize import linprog

F = np.float32


def fit():
    a = math.log(2) / 2 * 1.0005
    r = np.linspace(-a, a, 4001)
    r = r[np.abs(r) > 1e-6]
    target = (np.expm1(r) - r) / r**2
    weight = r**2 / np.exp(r)  # error in q times this = relative error of exp
    columns = np.vstack([r**i for i in range(4)]).T * weight[:, None]
    ones = np.ones((len(r), 1))
    a_ub = np.vstack([np.hstack([columns, -ones]), np.hstack([-columns, -ones])])
    b_ub = np.concatenate([weight * target, -weight * target])
    res = linprog(np.r_[np.zeros(4), 1], A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * 5, method="highs")
    return [F(c) for c in res.x[:4]], res.x[-1]


def fma(x, y, z):
    """float32 fused multiply-add: the exact product and sum in float64, rounded once (exact for float32 inputs)."""
    return F(np.float64(x) * np.float64(y) + np.float64(z))


def exp32(x, horner):
    """ExactMath.exp in float32, with the polynomial's coefficients highest first (ending 1, 1)."""
    rounder = F(12582912.0 + 127.0)
    c = np.minimum(np.maximum(x, F(-88.0)), F(88.5))
    t = fma(c, F(1.44269504088896341), rounder)
    k = F(t - rounder)
    r = fma(k, F(-0.693145751953125), c)
    r = fma(k, F(-1.42860682030941723212e-6), r)
    p = horner[0]
    for coefficient in horner[1:]:
        p = fma(p, r, coefficient)
    return F(p * np.exp2(k.astype(np.float64)))


def main():
    (c2, c3, c4, c5), worst = fit()
    print(f"C5 = {c5!r}, C4 = {c4!r}, C3 = {c3!r}, C2 = {c2!r}; largest relative error {worst:.3g}")
    x = np.linspace(-87.3, 88.3, 2_000_001).astype(F)
    exact = np.exp(x.astype(np.float64))
    ulp = np.spacing(exact.astype(F)).astype(np.float64)
    taylor = [F(1 / 720), F(1 / 120), F(1 / 24), F(1 / 6), F(0.5), F(1), F(1)]
    for name, horner in (("minimax degree 5", [c5, c4, c3, c2, F(1), F(1)]), ("Taylor degree 6", taylor)):
        err = np.abs(exp32(x, horner) - exact) / ulp
        print(f"{name}: worst {err.max():.2f} ulps, mean {err.mean():.2f} over [-87.3, 88.3]")


if __name__ == "__main__":
    main()
