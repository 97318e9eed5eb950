"""Numbers: the reference evaluator of IR (`evaluate`), random points (`sampling`) and the
finite-difference oracle every derivative is checked against (`check`).

    >>> import numpy as np
    >>> from matdiff.language import read
    >>> from matdiff.numeric.evaluate import evaluate
    >>> evaluate(read("x'*x").expr, {"x": np.array([3.0, 4.0])})
    25.0
"""
