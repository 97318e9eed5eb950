"""Time to solution: `md.minimize` against scipy with JAX derivatives and hand-written L-BFGS.

Four problems, each solved from zero to a gradient norm of about 1e-8 (trust regions: `gtol`
1e-8; Newton-CG, the default: a relative step of 1e-9), in one process. The norm reached is
printed, computed afterwards with matdiff's gradient; near 1e-8 the value has no digits
left to show progress, so solvers stop within a few times of it either side.

    matdiff        md.minimize(expr, wrt, values, method=METHOD): generated value+gradient
                   and Hessian-vector products (derivation and code generation included)
    scipy+jax      scipy.optimize.minimize, same METHOD, with jax.jit(jax.value_and_grad(f))
                   and jax.jit of jax.jvp of jax.grad(f) as hessp (compilation included in
                   the first solve)
    l-bfgs hand    scipy's L-BFGS-B with a hand-written NumPy value and gradient

Each solver runs `--repeat` times interleaved; the first solve (setup and compilation
included) and the median of the later ones are printed, with their ratios to matdiff's.
Run:

    python benchmarks/bench_optimize.py [--n 1000] [--method Newton-CG] [--problem NAME ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.optimize import minimize as scipy_minimize

import matdiff as md

GTOL = 1e-8
XTOL = 1e-9  # Newton-CG: relative step; its last steps take the gradient to about 1e-8
K = 10  # classes of the softmax regression, rank of the factorization


@dataclass
class Problem:
    name: str
    expr: str
    wrt: str
    decls: dict
    make: Callable          # make(n, rng) -> values (without wrt)
    f: Callable             # f(xp, x, **values): the objective in any array module
    grad: Callable          # hand-written gradient(x, **values)


def _logistic_values(n, rng):
    X = rng.standard_normal((n, n // 2)) / np.sqrt(n)
    y = np.sign(X @ rng.standard_normal(n // 2) + 0.1 * rng.standard_normal(n))
    return {"X": X, "y": y, "c": 0.1}


def _logistic_grad(w, X, y, c):
    s = 1 / (1 + np.exp(y * (X @ w)))
    return -(X.T @ (y * s)) + 2 * c * w


def _softmax_values(n, rng):
    X = rng.standard_normal((n, n // 10))
    labels = np.argmax(X @ rng.standard_normal((n // 10, K)) + rng.standard_normal((n, K)), 1)
    return {"X": X, "Y": np.eye(K)[labels], "c": 0.1}


def _softmax_f(xp, W, X, Y, c):
    Z = X @ W
    top = xp.max(Z, axis=1, keepdims=True)
    lse = xp.log(xp.sum(xp.exp(Z - top), axis=1)) + top[:, 0]
    return xp.sum(lse) - xp.sum(Y * Z) + c * xp.sum(W * W)


def _softmax_grad(W, X, Y, c):
    Z = X @ W
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return X.T @ (P - Y) + 2 * c * W


PROBLEMS = [
    Problem("logistic", "sum(log(exp(-y.*(X*w)) + vector(1))) + c*norm2(w)^2", "w", {},
            _logistic_values,
            lambda xp, w, X, y, c: xp.sum(xp.logaddexp(0.0, -y * (X @ w))) + c * (w @ w),
            _logistic_grad),
    Problem("ridge", "norm2(A*x - b)^2 + c*norm2(x)^2", "x", {"b": "vector(m)"},
            lambda n, r: {"A": r.standard_normal((n, n)) / np.sqrt(n),
                          "b": r.standard_normal(n), "c": 0.1},
            lambda xp, x, A, b, c: (lambda r: r @ r)(A @ x - b) + c * (x @ x),
            lambda x, A, b, c: 2 * (A.T @ (A @ x - b) + c * x)),
    Problem("softmax", "sum(log(exp(X*W)*vector(1))) - tr(Y'*X*W) + c*norm2(W)^2", "W", {},
            _softmax_values, _softmax_f, _softmax_grad),
    Problem("factorization", "norm2(T - U*V')^2 + c*norm2(U)^2", "U", {},
            lambda n, r: {"T": r.standard_normal((n, n // 10)) / np.sqrt(n),
                          "V": r.standard_normal((n // 10, K)) / np.sqrt(K), "c": 0.1},
            lambda xp, U, T, V, c: (lambda R: xp.sum(R * R))(T - U @ V.T) + c * xp.sum(U * U),
            lambda U, T, V, c: 2 * ((U @ V.T - T) @ V + c * U)),
]


# --- the three solvers ----------------------------------------------------------------------

def solver_options(method: str) -> dict:
    """The stopping rule: the gradient norm for trust regions; Newton-CG stops on the step."""
    if method.lower() == "newton-cg":
        return {"xtol": XTOL, "maxiter": 1000}
    return {"gtol": GTOL, "maxiter": 1000}


def start(p: Problem, values: dict) -> np.ndarray:
    """Zeros of the variable's shape (the sizes the other values fix)."""
    variables = md.derivative(p.expr, p.wrt, p.decls).variables
    sizes = {d: k for name, v in variables.items() if name in values
             for d, k in zip(v.dims, np.shape(values[name]))}
    return np.zeros(tuple(sizes[d] for d in variables[p.wrt].dims))


def solve_matdiff(p: Problem, values: dict, method: str):
    res = md.minimize(p.expr, p.wrt, values, method=method, vars=p.decls,
                      options=solver_options(method))
    return res.x, res.nit


class JaxSolver:
    """scipy.optimize.minimize with jax.jit derivatives; built once per problem."""

    def __init__(self, p: Problem, values: dict):
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        self.shape = start(p, values).shape
        fixed = {k: jnp.asarray(v) for k, v in values.items()}

        def f(x):
            return p.f(jnp, x.reshape(self.shape), **fixed)

        self.value_and_grad = jax.jit(jax.value_and_grad(f))
        self.hvp = jax.jit(lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1])

    def fun(self, x):
        value, grad = self.value_and_grad(x)
        return float(value), np.asarray(grad)

    def hessp(self, x, v):
        return np.asarray(self.hvp(x, v))

    def __call__(self, method: str):
        x0 = np.zeros(int(np.prod(self.shape)))
        res = scipy_minimize(self.fun, x0, jac=True, hessp=self.hessp, method=method,
                             options=solver_options(method))
        return res.x.reshape(self.shape), res.nit


def solve_lbfgs(p: Problem, values: dict):
    x0 = start(p, values)
    shape = x0.shape

    def fun(x):
        x = x.reshape(shape)
        return float(p.f(np, x, **values)), p.grad(x, **values).reshape(-1)

    res = scipy_minimize(fun, x0.reshape(-1), jac=True, method="L-BFGS-B",
                         options={"gtol": GTOL / 10, "ftol": 0.0, "maxiter": 100000,
                                  "maxfun": 100000, "maxcor": 20})
    return res.x.reshape(shape), res.nit


# --- running ---------------------------------------------------------------------------------

def gradient_norm(p: Problem, values: dict, x) -> float:
    g = md.derivative(p.expr, p.wrt, p.decls).compile()
    return float(np.linalg.norm(g(**values, **{p.wrt: x})))


def run(p: Problem, n: int, method: str, repeat: int, rng) -> None:
    values = p.make(n, rng)
    solvers: dict[str, Callable] = {
        "matdiff": lambda: solve_matdiff(p, values, method),
        "l-bfgs hand": lambda: solve_lbfgs(p, values),
    }
    try:
        jax_solver = None
        import jax  # noqa: F401

        def with_jax():
            nonlocal jax_solver
            jax_solver = jax_solver or JaxSolver(p, values)
            return jax_solver(method)

        solvers["scipy+jax"] = with_jax
    except ImportError:
        print("  jax not installed: scipy+jax skipped")
    times = {name: [] for name in solvers}
    results = {}
    for _ in range(repeat):
        for name, solve in solvers.items():
            t = time.perf_counter()
            results[name] = solve()
            times[name].append(time.perf_counter() - t)
    shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in values.items() if np.ndim(v))
    print(f"\n{p.name}  n={n}  ({p.expr} by {p.wrt}; {shapes}; method {method})")
    print(f"    {'solver':<12} {'first s':>9} {'repeat s':>9} {'iters':>6} {'|gradient|':>11}"
          f" {'|x - x_matdiff|':>16}")
    base = results["matdiff"][0]
    for name in solvers:
        x, nit = results[name]
        later = statistics.median(times[name][1:]) if repeat > 1 else times[name][0]
        print(f"    {name:<12} {times[name][0]:9.3f} {later:9.3f} {nit:6d} "
              f"{gradient_norm(p, values, x):11.2e} {np.abs(x - base).max():16.2e}")
    md_later = statistics.median(times["matdiff"][1:]) if repeat > 1 else times["matdiff"][0]
    for name in solvers:
        if name != "matdiff":
            later = statistics.median(times[name][1:]) if repeat > 1 else times[name][0]
            verdict = "ok" if later >= md_later else "MISSED" if name == "scipy+jax" else ""
            print(f"    {name} / matdiff (repeat): {later / md_later:6.2f}x"
                  + (f"  target ≥ 1: {verdict}" if name == "scipy+jax" else ""))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--method", default="Newton-CG")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--problem", nargs="+", choices=[p.name for p in PROBLEMS])
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(0)
    for p in PROBLEMS:
        if not args.problem or p.name in args.problem:
            run(p, args.n, args.method, args.repeat, rng)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
