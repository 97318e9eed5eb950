"""`StructuredTensor`: a derivative with Kronecker-delta structure, kept without the zeros.

The Hessian of ‖T - U Vᵀ‖² by U (n×k) is H[a,b,c,d] = 2 δ(a,c) (VᵀV)[b,d], I ⊗ 2VᵀV: n²k²
numbers of which only k² are distinct. Generated code returns it as

    StructuredTensor(np, (n, k, n, k), [("bd->abad", t1)])

a sum of terms, each a core array and an einsum-like spec whose output letters may repeat:
a repeated letter is a Kronecker delta (the result is zero off that diagonal) and a letter
missing from the core's is a broadcast (the result is constant along it).

Contract: `todense()` is the ordinary array (what `Derivative.evaluate` returns); `op @ v`
contracts the trailing half of the axes with `v` (a Hessian-vector product in the shape of
the variable, or flattened), costing as much as the cores, not the dense tensor.
Works with any module offering `einsum`, `eye`, `ones` and `reshape` (NumPy, jax.numpy,
torch). With the JAX target it is a JAX pytree (its cores are the leaves), so `jax.jit`,
`jax.vmap` and `jax.tree_util` take it as they take arrays; the registration happens when
a JAX program is compiled, so importing matdiff never imports JAX.
"""

from __future__ import annotations

from math import prod
from typing import Any


class StructuredTensor:
    """Σ terms of (spec 'core->out', core) with deltas for repeated output letters."""

    def __init__(self, xp, shape, terms):
        self.xp = xp
        self.shape = tuple(shape)
        self.terms = terms  # [(spec, core)]; a core may be a plain number

    def _cores(self):
        """The terms with every core an array of the module."""
        xp = self.xp
        return [(spec, core if hasattr(core, "shape") else xp.asarray(core, dtype=xp.float64))
                for spec, core in self.terms]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def todense(self):
        """The full array; each term is an einsum of its core with identities and ones."""
        total = None
        for spec, core in self._cores():
            core_letters, out = spec.split("->")
            dense = self._einsum([(core, core_letters)], out)
            total = dense if total is None else total + dense
        return total

    def __matmul__(self, v):
        """Σ over the trailing half of the axes of self ⊙ v (v in that shape or flat)."""
        half = self.ndim // 2
        lead, trail = self.shape[:self.ndim - half], self.shape[self.ndim - half:]
        flat = tuple(v.shape) == (prod(trail),) and len(trail) != 1
        v = v.reshape(trail) if flat else v
        if tuple(v.shape) != trail:
            raise ValueError(f"cannot apply a tensor of shape {self.shape} to shape "
                             f"{tuple(v.shape)}; expected {trail}")
        total: Any = None  # an array of self.xp (there is at least one term)
        for spec, core in self._cores():
            core_letters, out = spec.split("->")
            split = len(out) - half
            part = self._einsum([(core, core_letters), (v, out[split:])], out[:split])
            total = part if total is None else total + part
        return total.reshape(prod(lead)) if flat else total

    def _einsum(self, operands, out: str):
        """einsum allowing repeated and uncarried output letters (deltas, broadcasts)."""
        xp = self.xp
        sizes: dict[str, int] = {}
        for arr, letters in operands:
            sizes.update(zip(letters, arr.shape))
        letters_used = set("".join(ix for _, ix in operands)) | set(out)
        spare = (c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 if c not in letters_used)
        out_sizes = dict(zip(out, self.shape))  # `out` is always a prefix of the axes
        extra, final, seen = [], [], set()
        for c in out:
            if c in seen:  # a repeated letter: a fresh letter tied to c by an identity
                f = next(spare)
                extra.append((xp.eye(out_sizes[c], dtype=self._dtype(operands)), c + f))
                final.append(f)
                continue
            seen.add(c)
            final.append(c)
            if c not in sizes:  # constant along c
                extra.append((xp.ones(out_sizes[c], dtype=self._dtype(operands)), c))
        spec = ",".join(ix for _, ix in operands + extra) + "->" + "".join(final)
        return xp.einsum(spec, *[a for a, _ in operands + extra])

    @staticmethod
    def _dtype(operands):
        return operands[0][0].dtype

    def __array__(self, dtype=None, copy=None):
        import numpy as np

        dense = np.asarray(self.todense())
        return dense.astype(dtype) if dtype is not None else dense

    def __repr__(self) -> str:
        specs = ", ".join(spec for spec, _ in self.terms)
        return f"StructuredTensor(shape={self.shape}, terms=[{specs}])"


def register_jax_pytree() -> None:
    """Register StructuredTensor with JAX's pytrees (once; imports jax)."""
    global _REGISTERED
    if _REGISTERED:
        return
    import jax

    jax.tree_util.register_pytree_node(StructuredTensor, _flatten, _unflatten)
    _REGISTERED = True


_REGISTERED = False


def _flatten(t: StructuredTensor):
    return [core for _, core in t.terms], (t.xp, t.shape, tuple(spec for spec, _ in t.terms))


def _unflatten(aux, cores) -> StructuredTensor:
    xp, shape, specs = aux
    return StructuredTensor(xp, shape, list(zip(specs, cores)))
