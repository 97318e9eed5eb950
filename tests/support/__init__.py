"""Helpers the test suites share: random well-typed expressions (`exprgen`), the corpus
and textbook cases with their golden files (`formcases`), the convexity cases with known
verdicts (`convexcases`) and a local server for the web tests (`webserver`)."""
