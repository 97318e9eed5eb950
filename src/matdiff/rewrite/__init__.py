"""Simplification: the rewrite engine (`engine`), identities of determinants, inverses and
powers (`identities`), the rule catalog (`rules.RULES`), the bounded search over
identities that pay off only sometimes (`search.ALTERNATIVES`), and `simplify`, which runs
them under a cost (by default: fewest operators in print).

    >>> from matdiff.ir import Var, build
    >>> from matdiff.rewrite import simplify
    >>> X = Var("X", ("n", "n"))
    >>> simplify(build.matmul(build.matrix_function("inv", X), X))
    I[n,n]
"""

from .engine import Rewrite, Rule
from .rules import RULES
from .search import ALTERNATIVES
from .simplifier import simplify

__all__ = ["ALTERNATIVES", "RULES", "Rewrite", "Rule", "simplify"]
