"""Declared types of variables: checked on the way in, and written back out.

A declaration maps a variable name to its type, as text (`"matrix(n,n) symmetric"`) or a
`TypeDecl`. The checks here are those of the language itself, whatever the front end: a
name is an identifier, a type parses, a dimension's name (its size in the expression) is
neither a variable nor a built-in name, and a variable differentiated by is a variable.
"""

from __future__ import annotations

from typing import Mapping

from ..errors import MatdiffError, ParseError, did_you_mean
from ..functions import DOMAINS, KNOWN_FUNCTIONS, NAMED_CONSTANTS
from ..ir import Var
from .parser import parse_type
from .syntax import TypeDecl

Declarations = Mapping[str, "str | TypeDecl"]


def parse_declarations(given: Declarations | None) -> dict[str, TypeDecl]:
    """The declarations `given` by a caller, parsed and checked."""
    decls = {}
    for name, decl in (given or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ParseError(f"'{name}' is not a valid variable name")
        if not isinstance(decl, (str, TypeDecl)):
            raise ParseError(f"the type of '{name}' must be text such as 'matrix(n,n)', "
                             f"got {type(decl).__name__}")
        decls[name] = decl if isinstance(decl, TypeDecl) else parse_type(decl)
    _refuse_names_used_twice(decls)
    return decls


def _refuse_names_used_twice(decls: dict[str, TypeDecl]) -> None:
    """A dimension's name stands for its size in the expression, so it cannot also be a
    variable (`n: scalar` with `x: vector(n)`) or a built-in name (`vector(eye)`)."""
    for name, decl in decls.items():
        for dim in decl.dims:
            if isinstance(dim, str) and (dim in decls or dim in NAMED_CONSTANTS
                                         or dim in KNOWN_FUNCTIONS):
                what = "a variable" if dim in decls else "a built-in name"
                raise ParseError(f"'{dim}' is both a dimension of '{name}' and {what}; "
                                 "give the dimension another name")


def check_variable_name(name: str, decls: Mapping[str, TypeDecl]) -> None:
    """`name` may be differentiated by: an identifier that is not built in, nor a size."""
    if not isinstance(name, str) or not name.isidentifier() or name in NAMED_CONSTANTS \
            or name in KNOWN_FUNCTIONS:
        raise MatdiffError(f"cannot differentiate by '{name}': not a variable name."
                           + did_you_mean(str(name), list(decls)))
    if name not in decls and any(name in decl.dims for decl in decls.values()):
        raise MatdiffError(f"cannot differentiate by '{name}': it is a declared dimension, "
                           "a size, not a variable")


def declared(variables: Mapping[str, Var]) -> dict[str, TypeDecl]:
    """Every variable declared with the dims it was typed with (so names stay the same)."""
    return {name: TypeDecl.of(v) for name, v in variables.items()}


def with_domains(given: Declarations | None, variables: Mapping[str, Var],
                 domains: Mapping[str, str] | None) -> dict[str, TypeDecl]:
    """The declarations `given`, with each variable that `domains` names declared with that
    domain word (name → word, 'real' for none): the `domain=` argument of convexity is an
    alias of the word in a declaration. `variables` are those the expression has."""
    decls = parse_declarations(given)
    for name, word in (domains or {}).items():
        word = str(word).strip()
        if word not in DOMAINS and word != "real":
            raise MatdiffError(f"unknown domain '{word}' for '{name}'; expected one of "
                               + ", ".join(("real", *DOMAINS)))
        if name not in variables:
            raise MatdiffError(f"the domain names '{name}', which is not a variable of the "
                               "expression")
        var = variables[name]
        need = DOMAINS[word].shape if word != "real" else "any"
        square = var.rank == 2 and var.dims[0] == var.dims[1]
        if (need == "square" and not square) or (need == "vector" and var.rank != 1):
            what = "a square matrix" if need == "square" else "a vector"
            raise MatdiffError(f"'{name}' is declared {word} but is not {what}")
        decl = decls.get(name) or TypeDecl.of(var)
        if decl.domain is not None and decl.domain != word:
            raise MatdiffError(f"'{name}' is declared {decl.domain} and given the domain {word}")
        if word != "real":
            symmetric = decl.symmetric or DOMAINS[word].symmetric
            decls[name] = TypeDecl(decl.kind, decl.dims, symmetric, word)
    return decls
