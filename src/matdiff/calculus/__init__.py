"""Differentiation, IR → IR, and how a derivative is arranged for the user.

`diff.diff(f, x)` is ∂f/∂x in the mixed layout (f's axes, then x's): one rule per node
type, the chain rule written once, the derivative of each built-in function read from its
entry (`derivatives`). `symmetric` turns the entry-wise gradient by a symmetric matrix into
the gradient on symmetric matrices; `layout` arranges a result as numerator, denominator,
mixed or vec layout asks.

    >>> from matdiff.calculus.diff import diff
    >>> from matdiff.ir import Var, build
    >>> x = Var("x", ("n",))
    >>> diff(build.elementwise("sin", x), x)
    einsum(ab,a->ab; I[n,n], cos(x[n]))
"""
