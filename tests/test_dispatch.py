"""Every operation over a closed node set is a table keyed by node type (or op kind), and
every table has an entry for every member of its set: renaming or adding a node class
fails here, not at run time on the one input that reaches it."""

from __future__ import annotations

import pytest

from matdiff.analysis import signs, symmetry
from matdiff.calculus import diff
from matdiff.codegen import from_ir, ops, printer
from matdiff.ir import build, nodes
from matdiff.language import lowering, syntax
import matdiff.notation.printer as printing
from matdiff.notation import forms, matrix, measure
from matdiff.numeric import evaluate


def members(module, base: type) -> set[type]:
    return {c for c in vars(module).values() if isinstance(c, type) and issubclass(c, base)
            and c is not base and not c.__name__.startswith("_")}


IR_NODES = members(nodes, nodes.Expr)
IR_TABLES = {
    "build.REBUILD": build.REBUILD, "nodes.SHOW": nodes.SHOW, "diff.NODE_RULES": diff.NODE_RULES,
    "evaluate._EVAL": evaluate._EVAL, "from_ir.LOWER": from_ir.LOWER, "matrix.FORM": matrix.FORM,
    "signs._RULES": signs._RULES, "symmetry.SYMMETRIC": symmetry.SYMMETRIC,
}
FORMS = members(forms, forms.Form)
SYNTAX_NODES = {syntax.Num, syntax.Name, syntax.Call, syntax.Unary, syntax.Binary,
                syntax.Transpose}


def test_the_ir_node_set_is_what_the_tables_cover():
    assert len(IR_NODES) == 11, sorted(c.__name__ for c in IR_NODES)


@pytest.mark.parametrize("table", sorted(IR_TABLES))
def test_every_ir_node_has_an_entry(table):
    assert set(IR_TABLES[table]) == IR_NODES, table


@pytest.mark.parametrize("table", ["render.SHOW", "measure.KIDS"])
def test_every_form_has_an_entry(table):
    found = {"render.SHOW": printing.SHOW, "measure.KIDS": measure.KIDS}[table]
    assert set(found) == FORMS


def test_every_code_op_has_a_printer():
    assert set(printer.PRINT) == ops.KINDS


def test_every_syntax_node_is_lowered():
    assert set(lowering._LOWER) == SYNTAX_NODES
    assert set(syntax.Node.__args__) == SYNTAX_NODES
