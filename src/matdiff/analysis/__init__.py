"""Sound structural facts about IR: which matrices are symmetric (`symmetry`), bounds on
the entries (`signs`), products read as quadratic forms L·M·Lᵀ (`quadform`) and Gram forms
Mᵀ·diag(w)·M (`gram`). Nothing here evaluates numbers or prints: what a rule here says
holds at every point where the expression is defined.

    >>> from matdiff.analysis.symmetry import is_symmetric
    >>> from matdiff.ir import Var, build
    >>> X = Var("X", ("m", "n"))
    >>> is_symmetric(build.matmul(build.transpose(X), X))
    True
"""
