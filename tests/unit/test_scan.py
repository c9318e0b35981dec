"""The textual import scan: every import statement Python sees, on the line Python gives,
compared with ``ast`` on sources written to trip a line-based scan."""

from __future__ import annotations

import ast

import pytest

from importshift.codebase.scan import defined_names, imports

SOURCES = {
    "bom": b"\xef\xbb\xbfimport os\nfrom a import b\n",
    "lone CR": b"x = 1  # a\r# b\nimport pkg.nope\n",
    "CRLF continuation": b"from pkg import \\\r\n    x\r\nimport y\r\n",
    "form feed": b"\x0cimport y\n",
    "dot import": b"from .import y\nfrom ..import z\n",
    "comment in parentheses": b"from x import (a,  # see (b\n  c)\n",
    "no final newline": b"import a",
    "docstring": b'"""\nimport fake\n"""\nimport real\n',
    "nested": b"def f():\n    from a.b import (\n        c as d,\n    )\n",
}


def _truth(data: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    out = []
    for node in ast.walk(ast.parse(data)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, (a.name,)) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names = tuple(a.name for a in node.names)
            out.append((node.lineno, "." * node.level + (node.module or ""), names))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_import_on_the_line_python_gives(name: str) -> None:
    data = SOURCES[name]
    found = imports(data)
    got = sorted(
        (s.line, "." * s.level + s.module, tuple(n for n, _ in s.names))
        for s in found
        if not (name == "docstring" and s.module == "fake")  # only ast can tell a string
    )
    assert got == _truth(data)


def test_a_docstring_of_import_like_lines_costs_a_line_each() -> None:
    """Each unclosed ``(`` used to send the scan to the end of the file: quadratic. The
    statement now ends at the next parenthesis or quote; nothing real is lost."""
    body = b"".join(b"from pkg import (nope%d,\n" % i for i in range(4000))
    data = b'"""\n' + body + b'"""\nfrom pkg import (real,\n    other)\n'
    found = imports(data)
    assert [(s.line, s.names) for s in found] == [(4003, (("real", None), ("other", None)))]


def test_definitions_after_a_bom_and_a_lone_cr() -> None:
    assert defined_names(b"\xef\xbb\xbfdef f():\n    pass\rclass K:\n    pass\n") == {"f", "K"}
