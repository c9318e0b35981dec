"""The move codemod: rewrites imports, attribute chains and strings of moved dotted names.

Two passes over one parse. ``Analyzer`` (``forms.py``, built on ``uses.py``) reads the
tree and decides every change (statement replacements, lines to add, expressions to swap);
``Applier`` (``applier.py``) applies them in one transform and tidies each block (dropped
lines, merged imports; new lines laid out by ``layout.py``). The uses of an import come
from ``bindings.py`` when the file makes them plain, else from LibCST's scope analysis.
"""

from __future__ import annotations

import ast

import libcst as cst

from importshift.core.model import RuleSet
from importshift.rewrite.collect import Collected
from importshift.rewrite.moves.applier import Applier
from importshift.rewrite.moves.forms import Analyzer
from importshift.rewrite.moves.uses import Decisions

_Analyzer = Analyzer  # the name tests patch

__all__ = ["rewrite_moves"]


def rewrite_moves(
    tree: cst.Module,
    rules: RuleSet,
    module: str | None,
    is_package: bool,
    source: ast.Module | None = None,
) -> tuple[cst.Module, list[tuple[str, str]]]:
    """Apply every move of ``rules`` to ``tree`` (a module named ``module``).

    ``source`` is the same file's stdlib ``ast``, when the caller has it: with it, most
    files need no scope analysis. Returns the new tree and, in order, each rule applied
    with the text it wrote.
    """
    found = Collected(tree)
    if not found.imports and not (found.strings and rules.strings_enabled_any()):
        return tree, []
    analyzer = Analyzer(tree, found, rules, module, is_package, source)
    decisions = analyzer.run()
    if not (decisions.stmt_new or decisions.after or decisions.expr_new):
        return tree, []
    applier = Applier(decisions, module, is_package, _ancestors(decisions, found.parents))
    return tree.visit(applier), decisions.edits


def _ancestors(d: Decisions, parents: dict[int, cst.CSTNode]) -> set[int]:
    """Every node on the way from the root to a node that changes: the rest is not visited."""
    out: set[int] = set()
    for node in d.touched:
        current: cst.CSTNode | None = node
        while current is not None and id(current) not in out:
            out.add(id(current))
            current = parents.get(id(current))
    return out
