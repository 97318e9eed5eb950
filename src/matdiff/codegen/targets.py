"""The per-target table: how each array operation is spelled in NumPy, JAX and PyTorch.

A `Target` is data only: format templates whose fields are filled by `printer.py` with
fragments of generated code (`{x}`, `{a}`, `{b}`; `{x_}` is `{x}` parenthesized unless it
is an atom, `{neg_x}` is -x with -(-u) written u), shapes and axis tuples written by
matdiff. The code of each built-in function is in its entry of `matdiff.functions`
(`function_code` reads it; the tests check every entry has code for every target); a
target adds only the functions code generation fuses itself (`softplus`, which
`from_ir` makes of log(exp(u) + 1)).

Multi-line templates (`softmax` in NumPy) are tuples of statements assigning `{out}`; their
`{x}` is always a plain name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MatdiffError
from ..functions import ENTRYWISE, MATRIX


@dataclass(frozen=True)
class Target:
    name: str
    imports: tuple[str, ...]
    xp: str  # the array module's alias, passed to StructuredTensor
    asarray: str
    scalar: str  # a literal answer as this target's 0-d value
    zeros: str
    ones: str
    eye: str
    sum_all: str
    sum_axes: str
    permute: str
    einsum: str
    tensordot: str
    diagonal: str
    broadcast: str
    diag: str
    copy: str | None  # None: arrays are immutable (JAX), no copy needed
    mul_c: str | None  # a ⊙ b in C order, for sums accumulated in place; None: a * b
    add_diag: tuple[str, ...]
    fused: dict[str, str]  # functions code generation makes of others (softplus)
    # primary matrix functions and their Fréchet derivatives (`matdiff.matfun`): calls of
    # the module imported as `matfun`; {fn} the quoted name, {p} ", p" for X^p or nothing
    matfun_import: str = "import matdiff.codegen.matfun_runtime as matfun"
    matfun_value: str = ""
    matfun_frechet: str = ""
    power: dict[float, str] = field(default_factory=dict)
    reserved: frozenset[str] = frozenset()


NUMPY = Target(
    name="numpy",
    imports=("import numpy as np",),
    xp="np",
    asarray="np.asarray({x}, dtype=float)",
    scalar="np.float64({x})",
    zeros="np.zeros({shape})",
    ones="np.ones({shape})",
    eye="np.eye({n})",
    sum_all="np.sum({x})",
    sum_axes="np.sum({x}, axis={axes})",
    permute="np.transpose({x}, {perm})",
    einsum="np.einsum({spec}, {args})",
    tensordot="np.tensordot({a}, {b}, axes={axes})",
    diagonal="np.diagonal({x})",
    broadcast="np.broadcast_to({x}, {shape}).copy()",  # writable, as every other answer
    diag="np.diag({x})",
    copy="{x}.copy()",
    mul_c="np.multiply({a}, {b}, order='C')",
    add_diag=("{out}[np.diag_indices({n})] += {b}",),
    fused={"softplus": "np.logaddexp(0, {x})"},  # log(exp(u) + 1), fused by `from_ir`
    matfun_import="import matdiff.matfun as matfun",  # scipy's algorithms, see matfun.py
    matfun_value="matfun.value({fn}, {x}{p})",
    matfun_frechet="matfun.frechet({fn}, {x}, ({dirs},){p})",
    power={0.5: "np.sqrt({x})"},
    reserved=frozenset({"np", "matfun"}),
)

JAX = Target(
    name="jax",
    imports=("import jax", "import jax.numpy as jnp"),
    xp="jnp",
    asarray="jnp.asarray({x})",
    scalar="jnp.asarray({x})",
    zeros="jnp.zeros({shape})",
    ones="jnp.ones({shape})",
    eye="jnp.eye({n})",
    sum_all="jnp.sum({x})",
    sum_axes="jnp.sum({x}, axis={axes})",
    permute="jnp.transpose({x}, {perm})",
    einsum="jnp.einsum({spec}, {args})",
    tensordot="jnp.tensordot({a}, {b}, axes={axes})",
    diagonal="jnp.diagonal({x})",
    broadcast="jnp.broadcast_to({x}, {shape})",
    diag="jnp.diag({x})",
    copy=None,
    mul_c=None,
    add_diag=("{out} = {a}.at[jnp.diag_indices({n})].add({b})",),
    fused={"softplus": "jnp.logaddexp(0, {x})"},
    matfun_value="matfun.value(jnp, {fn}, {x}{p})",
    matfun_frechet="matfun.frechet(jnp, {fn}, {x}, ({dirs},){p})",
    power={0.5: "jnp.sqrt({x})"},
    reserved=frozenset({"jax", "jnp", "matfun"}),
)

TORCH = Target(
    name="torch",
    imports=("import torch",),
    xp="torch",
    asarray="torch.as_tensor({x}, dtype=torch.float64)",
    scalar="torch.tensor({x}, dtype=torch.float64)",
    zeros="torch.zeros({shape}, dtype=torch.float64)",
    ones="torch.ones({shape}, dtype=torch.float64)",
    eye="torch.eye({n}, dtype=torch.float64)",
    sum_all="torch.sum({x})",
    sum_axes="torch.sum({x}, dim={axes})",
    permute="torch.permute({x}, {perm})",
    einsum="torch.einsum({spec}, {args})",
    tensordot="torch.tensordot({a}, {b}, dims={axes})",
    diagonal="torch.diagonal({x})",
    broadcast="torch.broadcast_to(torch.as_tensor({x}, dtype=torch.float64), {shape}).clone()",
    diag="torch.diag({x})",
    copy="{x}.clone()",
    mul_c=None,
    add_diag=("{out}.diagonal().add_({b})",),
    # exact in float64: above 40, log(1 + exp(u)) - u < 1e-17
    fused={"softplus": "torch.nn.functional.softplus({x}, threshold=40.0)"},
    matfun_value="matfun.value(torch, {fn}, {x}{p})",
    matfun_frechet="matfun.frechet(torch, {fn}, {x}, ({dirs},){p})",
    power={0.5: "torch.sqrt({x})"},
    reserved=frozenset({"torch", "matfun"}),
)

TARGETS: dict[str, Target] = {t.name: t for t in (NUMPY, JAX, TORCH)}


def function_code(t: Target, name: str) -> str | tuple[str, ...]:
    """The code of the function `name` in target t: its entry's in `functions`, or fused."""
    if name in t.fused:
        return t.fused[name]
    entry = ENTRYWISE.get(name) or MATRIX[name]
    return entry.code[t.name]


def target(name: str) -> Target:
    """The target called `name`, or a MatdiffError listing the choices."""
    if name not in TARGETS:
        raise MatdiffError(f"unknown code target '{name}'; choose one of {', '.join(TARGETS)}")
    return TARGETS[name]
