"""Uses of an import without a scope analysis: taken only when the file makes them plain,
and then exactly what LibCST's scope analysis would find."""

from __future__ import annotations

import ast
import tempfile

import libcst as cst
import pytest
from helpers import rewrite, ruleset

from importshift.rewrite import moves
from importshift.rewrite.bindings import Bindings

with tempfile.TemporaryDirectory() as _tmp:
    RULES = ruleset(
        [
            ("pkg.events.Manager", "pkg.monitor.Monitor", "symbol"),
            ("pkg.factory", "pkg.canonical", "module"),
        ],
        _tmp,
    )

IMPORT = "from pkg.events import Manager\n"

# (source, the name its import binds, True when the plain path may answer for it)
CASES = [
    (IMPORT + "x = Manager()\ny = [Manager for _ in ()]\n", "Manager", True),
    (IMPORT + "call(Manager=1, key=obj.Manager)\n", "Manager", True),  # spelled, not read
    (IMPORT + "z = f'{Manager!r}'\n", "Manager", True),
    (IMPORT + '"""Manager, in a docstring."""\nx = Manager\n', "Manager", True),
    (IMPORT + "def f(Manager):\n    return Manager\n\nx = Manager\n", "Manager", False),
    (IMPORT + "class K:\n    Manager = Manager\n", "Manager", False),
    (IMPORT + "def h(a: 'Manager') -> None:\n    pass\n", "Manager", False),
    (IMPORT + "from other import *\nx = Manager\n", "Manager", False),
    (IMPORT + "w = [Manager for Manager in ()]\n", "Manager", False),
    (IMPORT + "try:\n    pass\nexcept E as Manager:\n    pass\n", "Manager", False),
    (IMPORT + "q = lambda Manager: Manager\n", "Manager", False),
    (IMPORT + "del Manager\n", "Manager", False),
    ("import pkg.factory\n\npkg.factory.make()\nprint(pkg)\n", "pkg", True),
    ("import pkg.factory\nimport pkg.other\n\npkg.factory.make()\n", "pkg", False),
    ("y = pkg.events.Manager()\nimport pkg.factory\n", "pkg", True),  # read before: scopes
    ("def f():\n    return Manager()\n\n" + IMPORT, "Manager", True),
]


@pytest.mark.parametrize("source, name, plain", CASES)
def test_plain_uses_agree_with_the_scope_analysis(source: str, name: str, plain: bool) -> None:
    assert Bindings(ast.parse(source)).simple(name) is plain
    with_scopes, _ = moves.rewrite_moves(cst.parse_module(source), RULES, "app.views", False)
    staged = rewrite(source, RULES, "app.views")
    assert (staged.new or source.encode()).decode() == with_scopes.code


@pytest.mark.parametrize("header", ["", "def h(Manager=None):\n    pass\n"])
def test_a_class_pattern_keyword_is_not_a_read(header: str) -> None:
    """LibCST's scope analysis counts ``P(Manager=1)`` in a ``case`` as a use of the import;
    neither path renames it (the header makes the file need the scope analysis)."""
    body = "match v:\n    case P(Manager=1):\n        x = Manager\n"
    result = rewrite(IMPORT + header + body, RULES, "app.views")
    assert result.new is not None
    assert result.new.decode().endswith("case P(Manager=1):\n        x = Monitor\n")


def test_the_plain_path_skips_the_scope_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self, node):  # type: ignore[no-untyped-def]
        raise AssertionError("scope analysis asked for")

    monkeypatch.setattr(moves._Analyzer, "scope_of", refuse)
    result = rewrite(IMPORT + "x = Manager()\ncall(Manager=1)\n", RULES, "app.views")
    assert result.new == (b"from pkg.monitor import Monitor\nx = Monitor()\ncall(Manager=1)\n")
    with pytest.raises(AssertionError, match="scope analysis"):
        rewrite(IMPORT + "def f(Manager):\n    return Manager\n", RULES, "app.views")
