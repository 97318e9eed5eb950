"""Convexity certificates and counterexamples, from the Hessian.

`verdict.analyse` answers, for a scalar function and one variable, whether it is convex
and whether it is concave: certified by rules on the Hessian's structure (`definite`),
refuted by a checked point of negative curvature (`counterexample`), or unknown.
`matdiff.convexity` is the public entry point.
"""
