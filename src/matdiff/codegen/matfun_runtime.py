"""Matrix functions and their Fréchet derivatives for generated JAX and PyTorch code.

Generated code calls `value(xp, fn, X, p)` and `frechet(xp, fn, X, (E, …), p)` with
xp = jax.numpy or torch; NumPy code calls `matdiff.matfun` (scipy) instead. Closed forms
throughout, no autodiff:
- expm: jax.scipy.linalg.expm / torch.linalg.matrix_exp; its Fréchet derivatives by the
  block formula expm([[X, E], [0, X]]) = [[expm(X), L(X, E)], [0, expm(X)]] (Higham,
  Functions of Matrices, 2008, Thm 3.6), applied twice for the second derivative;
- logm, sqrtm, X^p: the symmetric eigendecomposition X = U diag(λ) Uᵀ, f(X) = U f(λ) Uᵀ,
  and Daleckii–Krein for L_f(X, E) = U (f[λᵢ, λⱼ] ∘ Uᵀ E U) Uᵀ, with the divided
  differences of `matdiff.matfun`. These need X symmetric positive definite (to
  rounding): any other X gives NaN (neither library has a general matrix logarithm); second derivatives of them
  are not generated.
Works batched: directions carry extra trailing axes (a derivative's identity tensor).
"""

from __future__ import annotations

from ..functions import PRIMARY


def _expm(xp):
    if xp.__name__.startswith("jax"):
        import jax.scipy.linalg

        return jax.scipy.linalg.expm
    return xp.linalg.matrix_exp


def _cat(xp, parts, axis):
    return xp.concatenate(parts, axis=axis) if hasattr(xp, "concatenate") else xp.cat(parts, axis)


def _spd_eigen(xp, x):
    """(λ, U, ok): ok is False when X is not symmetric positive definite (up to rounding:
    M @ M.T need not come out exactly symmetric)."""
    scale = xp.max(xp.abs(x))
    eps = xp.finfo(x.dtype).eps
    lam, u = xp.linalg.eigh((x + x.T) / 2)
    ok = (xp.max(xp.abs(x - x.T)) <= 64 * eps * scale) & (xp.min(lam) > 0)
    return lam, u, ok


def value(xp, fn, x, p=None):
    """f(X): expm for any square X, the others for symmetric positive definite X."""
    if fn == "expm":
        return _expm(xp)(x)
    lam, u, ok = _spd_eigen(xp, x)
    fx = (u * PRIMARY[fn].scalar(xp.where(ok, lam, 1.0), p, xp)) @ u.T
    return xp.where(ok, fx, xp.nan)


def frechet(xp, fn, x, directions, p=None):
    """L⁽ᵏ⁾_f(X; E₁, …, E_k), each Eᵢ of shape (n, n) + extraᵢ (see `ir.Frechet`)."""
    extras = [e.ndim - 2 for e in directions]
    total = sum(extras)
    front, seen = [], 0  # each direction with its extra axes first, broadcast over the rest
    for e, k in zip(directions, extras):
        moved = xp.moveaxis(e, (0, 1), (-2, -1))
        shape = (1,) * seen + tuple(moved.shape[:-2]) + (1,) * (total - seen - k)
        front.append(moved.reshape(shape + tuple(moved.shape[-2:])))
        seen += k
    if fn == "expm":
        out = _block_expm(xp, x, front)
    else:
        out = _daleckii_krein(xp, fn, x, front[0], p)
    return xp.moveaxis(out, (-2, -1), (0, 1))


def _block_expm(xp, x, es):
    """The top-right n×n block of expm(X_k), X_j = [[X_{j−1}, I⊗E_j], [0, X_{j−1}]]."""
    n = x.shape[0]
    shape = xp.broadcast_shapes(*(tuple(e.shape[:-2]) for e in es))
    block = xp.broadcast_to(x, tuple(shape) + (n, n))
    for e in es:
        m = block.shape[-1]
        eye = xp.eye(m // n, dtype=x.dtype)
        lift = xp.einsum("ab,...ij->...aibj", eye, xp.broadcast_to(e, tuple(shape) + (n, n)))
        lift = lift.reshape(tuple(shape) + (m, m))
        top = _cat(xp, [block, lift], -1)
        bottom = _cat(xp, [xp.zeros_like(block), block], -1)
        block = _cat(xp, [top, bottom], -2)
    return _expm(xp)(block)[..., :n, -n:]


def _daleckii_krein(xp, fn, x, e, p):
    lam, u, ok = _spd_eigen(xp, x)
    lam = xp.where(ok, lam, 1.0)
    f = PRIMARY[fn].divided_difference(lam[:, None], lam[None, :], p, xp)
    inner = xp.einsum("ai,...ab,bj->...ij", u, e, u) * f
    return xp.where(ok, xp.einsum("ia,...ab,jb->...ij", u, inner, u), xp.nan)
