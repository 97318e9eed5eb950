"""The matdiff web page: `matdiff serve` — an expression box, its derivative, the steps, the
code and a numeric check, served from this machine with no request to any other host.

Modules: `service` (what a request may contain, and the work: one place, run in a worker),
`workers` (worker processes with a wall-clock limit; an overrun worker is killed and
replaced), `app` (the Starlette app: routes, limits, cache, Content-Security-Policy),
`serve` (the command). `static/` holds the page and the vendored KaTeX.

Nothing in the engine imports this package; it uses only the public Python API.
"""
