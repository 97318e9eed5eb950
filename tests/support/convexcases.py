"""The convexity suite: functions with the verdict `matdiff.convexity` must give.

(expression, variable, declarations, domains, verdict). `UNCERTIFIED_CONVEX` lists convex
functions the rules do not certify yet (their verdict: 'not concave'), for the count of how
many convex functions are certified.
"""

from __future__ import annotations

CASES = [
    # least squares, ridge, logistic and softmax regression (CVXPY's DCP certifies these)
    ("sum((X*w - y).^2)", "w", None, None, "convex"),
    ("norm2(X*w - y)^2 + c*w'*w", "w", None, {"c": "nonnegative"}, "convex"),
    ("sum(log(vector(1) + exp(X*w))) - y'*X*w", "w", None, None, "convex"),
    ("logsumexp(W*x) - y'*W*x", "W", None, None, "convex"),
    ("-y'*log(softmax(W*x))", "W", None, {"y": "nonnegative"}, "convex"),
    ("logsumexp(x)", "x", None, None, "convex"),
    ("logsumexp(A*x + u)", "x", None, None, "convex"),
    ("-logdet(X)", "X", None, {"X": "spd"}, "convex"),
    ("x'*A'*A*x", "x", None, None, "convex"),
    ("(x - m)'*inv(S)*(x - m)", "x", None, {"S": "spd"}, "convex"),
    ("0.5*(x - m)'*inv(S)*(x - m) + 0.5*logdet(S)", "x", None, {"S": "spd"}, "convex"),
    ("sum(exp(A*x))", "x", None, None, "convex"),
    ("-sum(log(x))", "x", None, {"x": "positive"}, "convex"),
    ("sum(x.*log(x))", "x", None, {"x": "positive"}, "convex"),
    ("x'*A*x", "x", None, {"A": "psd"}, "convex"),
    ("x'*x", "x", None, None, "convex"),
    ("norm2(x)^2", "x", None, None, "convex"),
    ("sum(exp(x))", "x", None, None, "convex"),
    ("sum(vector(1)./x)", "x", None, {"x": "positive"}, "convex"),
    ("-sum(sqrt(x))", "x", None, {"x": "positive"}, "convex"),
    ("exp(a)", "a", None, None, "convex"),
    ("a^4", "a", None, None, "convex"),
    # written so that DCP cannot parse them
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "w", None, None, "convex"),
    ("sum(log(vector(1) + exp(x)))", "x", None, None, "convex"),
    ("sum((A*x).^4)", "x", None, None, "convex"),
    ("exp(x'*x)", "x", None, None, "convex"),
    ("logsumexp(a*x)", "x", None, None, "convex"),
    ("log(sum(exp(x)))", "x", None, None, "convex"),
    ("log(sum(exp(A*x)))", "x", None, None, "convex"),
    ("(x'*x)^2", "x", None, None, "convex"),
    ("sum(exp(x)) + x'*A'*A*x - sum(log(x))", "x", None, {"x": "positive"}, "convex"),
    ("logsumexp(A*x) + logsumexp(B*x)", "x", None, None, "convex"),
    ("-sum(log(A*x - u))", "x", None, None, "convex"),
    ("sum(x.^2./y)", "x", None, {"y": "positive"}, "convex"),
    # matrix variables
    ("norm2(A*X - B)^2", "X", None, None, "convex"),
    ("tr(X'*A*X)", "X", None, {"A": "psd"}, "convex"),
    ("norm2(X*W - Y)^2 + c*tr(W'*W)", "W", None, {"c": "nonnegative"}, "convex"),
    ("sum(exp(X*v))", "X", None, None, "convex"),
    ("tr(inv(X))", "X", None, {"X": "spd"}, "convex"),
    ("x'*inv(S)*x", "S", None, {"S": "spd"}, "convex"),
    ("tr(S*X) - logdet(X)", "X", None, {"X": "spd"}, "convex"),
    # concave
    ("logdet(X)", "X", None, {"X": "spd"}, "concave"),
    ("sum(log(x))", "x", None, {"x": "positive"}, "concave"),
    ("sum(sqrt(x))", "x", None, {"x": "positive"}, "concave"),
    ("-x'*x", "x", None, None, "concave"),
    ("-logsumexp(x)", "x", None, None, "concave"),
    ("-log(sum(exp(X*w)))", "w", None, None, "concave"),
    ("-sum(x.*log(x))", "x", None, {"x": "positive"}, "concave"),
    ("-norm2(A*x - y)^2", "x", None, None, "concave"),
    ("log(a)", "a", None, {"a": "positive"}, "concave"),
    ("y'*log(softmax(W*x))", "W", None, {"y": "nonnegative"}, "concave"),
    ("-a*x'*x", "x", None, {"a": "nonnegative"}, "concave"),
    # affine: both
    ("y'*X*w", "w", None, None, "affine"),
    ("tr(A*X)", "X", None, None, "affine"),
    ("a*b + 3*a", "a", None, None, "affine"),
    # neither
    ("x'*A*x", "x", None, None, "neither"),
    ("tr(X'*A*X)", "X", None, None, "neither"),
    ("sin(a)", "a", None, None, "neither"),
    ("sum(sin(x))", "x", None, None, "neither"),
    ("sum(tanh(X*w))", "w", None, None, "neither"),
    ("sum(sigmoid(X*w))", "w", None, None, "neither"),
    ("a*x'*x", "x", None, None, "neither"),
    ("-y'*log(softmax(W*x))", "W", None, None, "neither"),
    ("tr(X*X)", "X", None, None, "neither"),
    ("sum(x.^3)", "x", None, None, "neither"),
    ("det(X)", "X", None, None, "neither"),
    ("a^2*logsumexp(x) - b*x'*x", "x", None, {"b": "nonnegative"}, "neither"),
    # the domain decides: without it, only half of the answer
    ("sum(x.*log(x))", "x", None, None, "not concave"),
    ("logdet(X)", "X", None, None, "neither"),  # log|det X| over all square X
    ("sum(log(x))", "x", None, None, "concave"),  # -1/x.^2 <= 0 wherever it is defined
]

# convex, but beyond the rules for now: the sampling refutes concavity only
UNCERTIFIED_CONVEX = [
    ("sum(log(exp(X*w) + exp(-X*w)))", "w", None, None, "not concave"),
    ("norm2(x)", "x", None, None, "not concave"),
]
