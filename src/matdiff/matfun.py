"""The runtime of generated NumPy code for the primary matrix functions (expm, logm, sqrtm,
X^p): `value(fn, X, p)` and `frechet(fn, X, directions, p)`.

Generated code imports this module by name (`import matdiff.matfun as matfun`), so code
generated and saved by any release keeps working; the numerics live in
`matdiff.functions.primary`.
"""

from __future__ import annotations

from .functions.primary import frechet, value

__all__ = ["frechet", "value"]
