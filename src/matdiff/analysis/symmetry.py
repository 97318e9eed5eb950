"""Which matrices are known to be symmetric, from their structure alone.

`is_symmetric(M, domains)` is a sound predicate: True only when Mᵀ = M for every value of
the variables (False means "not known"). A matrix is known symmetric when it is
- a variable declared symmetric (or ranging over a symmetric domain: `psd`, `spd`), the
  identity, a square all-ones matrix, diag(v);
- an inverse, entry-wise function or entry-wise power of a symmetric matrix;
- a sum whose terms are symmetric or come in pairs M + Mᵀ;
- a product that reads the same backwards: XᵀX, XXᵀ, XᵀSX with S symmetric,
  X diag(v) Xᵀ, u uᵀ, Sᵏ (a chain of factors equal to its own transpose).
Simplification rules use it to write Sᵀ as S, so M + Mᵀ becomes 2M and inv(M)ᵀ inv(M).
"""

from __future__ import annotations

from collections import Counter

from typing import Mapping

from ..functions import DOMAINS, whole_matrix
from ..ir.build import transpose
from ..ir import (
    Add, Einsum, Elementwise, Expr, Frechet, Identity, MatrixFunction, Number, Ones, Power, Var,
    Zero,
)



def is_symmetric(e: Expr, domains: Mapping[str, str] | None = None) -> bool:
    """True when the matrix e equals its transpose for all values of its variables (each in
    its declared domain, `domains`: name → domain)."""
    if e.rank != 2 or e.dims[0] != e.dims[1]:
        return False
    return SYMMETRIC[type(e)](e, domains)


def _variable(e: Var, domains) -> bool:
    domain = e.domain or (domains or {}).get(e.name)
    return e.symmetric or (domain in DOMAINS and DOMAINS[domain].symmetric)


def _matrix_function(e: MatrixFunction, domains) -> bool:
    facts = whole_matrix(e.fn)
    assert facts is not None, f"{e.fn} is not a function of a whole matrix"
    return facts.keeps_symmetry and is_symmetric(e.arg, domains)


def _power(e: Power, domains) -> bool:
    return is_symmetric(e.base, domains) and (
        e.exponent.rank == 0 or is_symmetric(e.exponent, domains))


def _symmetric_sum(e: Add, domains) -> bool:
    """Σ cᵢ Mᵢ is symmetric when transposing permutes its terms (symmetric terms stay put)."""
    terms = Counter(e.terms)
    flipped = Counter((c, t if is_symmetric(t, domains) else transpose(t)) for c, t in e.terms)
    return terms == flipped


def _symmetric_einsum(e: Einsum, domains) -> bool:
    a, b = e.out
    if a == b:
        return True  # diag(v)
    if all(ix in ((a, b), (b, a)) or not ix for ix in e.indices):
        # an entry-wise product: symmetric when each matrix factor is
        return all(not ix or is_symmetric(op, domains) for op, ix in zip(e.operands, e.indices))
    chain = _chain(e)
    return chain is not None and _palindrome(*chain, domains)


# When a square matrix of each kind of node is known symmetric (every class of `ir.nodes`).
SYMMETRIC = {
    Var: _variable,
    Number: lambda e, domains: False,  # never a matrix
    Zero: lambda e, domains: True,
    Ones: lambda e, domains: True,
    Identity: lambda e, domains: True,
    MatrixFunction: _matrix_function,
    Elementwise: lambda e, domains: is_symmetric(e.arg, domains),
    Power: _power,
    Frechet: lambda e, domains: all(is_symmetric(m, domains) for m in e.children()),  # L(X,E)ᵀ
    Add: _symmetric_sum,                                                            # = L(Xᵀ,Eᵀ)
    Einsum: _symmetric_einsum,
}


# a chain: its steps (operand, reversed?) and the vectors hung on each label
_Chain = tuple[list[tuple[Expr, bool]], list[Counter[Expr]]]


def _chain(e: Einsum) -> _Chain | None:
    """The path of matrices from e.out[0] to e.out[1]: (steps, vectors hung on each label).

    A step is (operand, reversed?); scalar factors (operands sharing no label with
    the path) are ignored, a vector on an inner label is a diag(v) there. None when
    e is not such a chain (an outer product u uᵀ is a chain of no steps)."""
    a, b = e.out
    matrices = [k for k, ix in enumerate(e.indices) if len(ix) == 2 and ix[0] != ix[1]]
    steps: list[tuple[Expr, bool]] = []
    labels, at, used = [a], a, set()
    while at != b:
        nxt = [k for k in matrices if k not in used and at in e.indices[k]]
        if len(nxt) != 1:
            return _outer(e) if not steps and not nxt else None
        (k,) = nxt
        used.add(k)
        ix = e.indices[k]
        steps.append((e.operands[k], ix[0] != at))
        at = ix[1] if ix[0] == at else ix[0]
        labels.append(at)
    vectors = [(e.operands[k], ix[0]) for k, ix in enumerate(e.indices)
               if k not in used and len(ix) == 1 and ix[0] in labels]
    touching = [k for k, ix in enumerate(e.indices) if k not in used and set(ix) & set(labels)]
    if len(touching) != len(vectors):
        return None  # something other than diag(v) sits on the path
    hung = [Counter(op for op, label in vectors if label == lab) for lab in labels]
    if hung[0] or hung[-1]:
        return None  # a vector on a result label scales rows (or columns) only
    return steps, hung


def _outer(e: Einsum) -> _Chain | None:
    """u uᵀ: no matrix on the result labels, the same vectors hung on both."""
    a, b = e.out
    ends = [Counter(op for op, ix in zip(e.operands, e.indices) if ix == (x,)) for x in (a, b)]
    touching = sum(1 for ix in e.indices if set(ix) & {a, b})
    if ends[0] and ends[0] == ends[1] and touching == sum(ends[0].values()) * 2:
        return [], [Counter(), Counter()]
    return None


def _palindrome(steps, hung, domains) -> bool:
    """The chain equals its transpose: step i mirrors step -1-i, flipped."""
    if hung != hung[::-1]:
        return False
    for (op, rev), (other, other_rev) in zip(steps, reversed(steps)):
        if op != other:
            return False
        if rev == other_rev and not is_symmetric(op, domains):
            return False
    return True
