"""The semantic traps read from ``ast``: rebinding, fallbacks, moved definitions."""

from __future__ import annotations

import ast
import tempfile
import textwrap

import pytest
from helpers import ruleset

from importshift.rewrite import traps
from importshift.rewrite.engine import Engine

with tempfile.TemporaryDirectory() as _tmp:
    RULES = ruleset([("pkg.events.Manager", "pkg.monitor.Monitor", "symbol")], _tmp)


@pytest.mark.parametrize(
    ("source", "how"),
    [
        pytest.param("[Manager := 1 for _ in x]", "an assignment expression (:=)", id="walrus"),
        pytest.param("def f():\n    global Manager", "a 'global' statement", id="global"),
        pytest.param("globals()['Manager'] = 1", "globals()[...]", id="globals"),
        pytest.param("del Manager", "'del'", id="del"),
        pytest.param("exec(code)", "exec()", id="exec rebinds anything"),
    ],
)
def test_rebound(source: str, how: str) -> None:
    found = traps.rebound(ast.parse(source))
    assert traps.rebinding(found, "Manager") == how
    assert traps.may_rebind(source.encode())


def test_plain_code_never_walked_for_rebinding() -> None:
    assert not traps.may_rebind(b"model = delete(x)\nglobal_name = 1\n")


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        pytest.param("x = Manager\n", True, id="module level read"),
        pytest.param("def f():\n    return Manager\n", True, id="read in a function"),
        pytest.param("def f(Manager):\n    return Manager\n", False, id="parameter"),
        pytest.param("def f():\n    Manager = 1\n    return Manager\n", False, id="local"),
        pytest.param("from pkg.monitor import Monitor as Manager\nx = Manager\n", False, id="shim"),
        pytest.param("class Manager:\n    pass\nx = Manager\n", False, id="still defined"),
        pytest.param("from os import *\nx = Manager\n", False, id="star: cannot tell"),
        pytest.param("def __getattr__(n):\n    return n\nx = Manager\n", False, id="getattr"),
    ],
)
def test_moved_definition_read_in_the_old_module(source: str, reported: bool) -> None:
    result = Engine(RULES).detect(
        textwrap.dedent(source).encode(), "pkg/events.py", "pkg.events", False
    )
    notes = [n for n in result.notes if "no longer defines" in n.message]
    assert bool(notes) is reported
