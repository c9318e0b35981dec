"""Hostile file contents: every one ends rewritten exactly, skipped with a reason, or alone."""

from __future__ import annotations

import ast
import pathlib
import sys

import pytest
from helpers import rewrite, ruleset

from importshift.core.model import Status


@pytest.fixture
def rules(tmp_path: pathlib.Path):  # type: ignore[no-untyped-def]
    return ruleset([("pkg.events.Manager", "pkg.monitor.Monitor", "symbol")], str(tmp_path))


def test_five_megabyte_file(rules) -> None:  # type: ignore[no-untyped-def]
    body = "".join(f"def f{i}(a, b):\n    return a + b * {i}\n\n\n" for i in range(120_000))
    source = ("from pkg.events import Manager\n\n\n" + body + "x = Manager\n").encode()
    assert len(source) > 5_000_000
    result = rewrite(source, rules)
    assert result.status is Status.SKIPPED  # LibCST would take minutes and gigabytes
    assert result.reason == "larger than 2 MiB"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"", id="empty file"),
        pytest.param(b"# Manager from pkg.events\n# only comments\n", id="only comments"),
        pytest.param(b"'''pkg.events.Manager in a docstring, not a reference'''\n", id="docstring"),
        pytest.param(b"Manager = 1\nprint(Manager)\n", id="same name, no import"),
    ],
)
def test_left_alone(rules, source: bytes) -> None:  # type: ignore[no-untyped-def]
    assert rewrite(source, rules).status is Status.UNCHANGED


MODERN = [
    pytest.param(
        "from pkg.events import Manager\n\n\ndef f(x):\n    match x:\n"
        "        case Manager():\n            return 1\n        case [a, *rest] if a:\n"
        "            return 2\n    return (y := Manager)\n",
        id="match and walrus",
    ),
    pytest.param(
        "from pkg.events import Manager\n\n\n@Manager.register\n@other(Manager)\n"
        "class K(Manager, metaclass=Meta):\n    @property\n    def m(self) -> Manager:\n"
        "        return [Manager for _ in range(3) if (n := Manager)]\n",
        id="decorators and comprehensions",
    ),
    pytest.param(
        "from pkg.events import Manager\n\nx = f'{Manager!r:>10} {f\"{Manager}\"}'\n",
        id="f-strings",
    ),
    pytest.param(
        "from pkg.events import Manager\n\nasync def run():\n    async with Manager() as m:\n"
        "        async for x in m:\n            await x\n",
        id="async",
    ),
]


@pytest.mark.parametrize("source", MODERN)
def test_modern_syntax(rules, source: str) -> None:  # type: ignore[no-untyped-def]
    result = rewrite(source, rules)
    assert result.status is Status.CHANGED, result.reason
    assert result.new is not None
    new = result.new.decode()
    ast.parse(new)
    assert "Manager" not in new and new.count("Monitor") == source.count("Manager") - 0


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="parses on 3.12+")
@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"from pkg.events import Manager\n\ntype Alias[T] = list[T]\n", id="PEP 695"),
        pytest.param(b"from pkg.events import Manager\n\nx = f'{'nested'}'\n", id="3.12 f-string"),
    ],
)
def test_newer_syntax_is_skipped_not_crashed(rules, source: bytes) -> None:  # type: ignore[no-untyped-def]
    result = rewrite(source, rules)
    assert result.status is Status.SKIPPED
    assert result.reason.startswith("does not parse")
