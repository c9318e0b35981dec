"""Sites of old dotted names in a file that does not parse, found textually.

The gate must not pass a file it cannot parse (syntax newer than the running interpreter,
a merge conflict, Python 2): every import statement is found by the textual scan (each
statement parsed on its own, so ``from X import (`` across lines works) and every quoted
string that is a dotted name is looked up, and so is every attribute chain spelled out
after a plain ``import`` (``import a.b`` then ``a.b.X``; ``import a.b as m`` then ``m.X``).
Text is text: a chain in a comment counts too (``# noqa: MIG003`` accepts it).
"""

from __future__ import annotations

import sys

from importshift.codebase import scan
from importshift.core import dotted
from importshift.core.model import RuleSet, Site
from importshift.core.policy import applies

_STRING: list[object] = []


def parse_error(data: bytes) -> tuple[str, int, int] | None:
    """Why ``data`` does not parse here (message, line, column), or None when it parses."""
    import ast

    try:
        ast.parse(data)
    except SyntaxError as exc:
        where = f", line {exc.lineno}" if exc.lineno else ""
        return (
            f"Python {sys.version_info[0]}.{sys.version_info[1]}{where}: {exc.msg}",
            exc.lineno or 1,
            exc.offset or 1,
        )
    except (ValueError, MemoryError, RecursionError) as exc:
        return (f"{type(exc).__name__}: {exc}", 1, 1)
    return None


def sites(data: bytes, rules: RuleSet, module: str | None, is_package: bool) -> list[Site]:
    """Every import statement and string of ``data`` that names an old dotted name."""
    found: list[Site] = []

    def add(name: str, line: int, column: int, form: str) -> None:
        res = applies(rules.resolve(name), module)
        if res is None:
            return
        if form == "string" and not rules.strings_enabled(res.move):
            return
        found.append(Site(res.move.id, line, column, name, res.new, form))

    statements = scan.imports(data)
    bound: dict[str, str] = {}  # local name -> dotted name, from plain imports
    for stmt in statements:
        column = stmt.indent + 1
        if not stmt.is_from:
            add(stmt.module, stmt.line, column, "import")
            name, asname = stmt.names[0]
            local = asname or name.partition(".")[0]
            bound[local] = name if asname else local
            continue
        base = dotted.resolve_relative(stmt.level, stmt.module, module, is_package)
        if base is None:
            continue
        for name, _ in stmt.names:
            if name == "*":
                if base:
                    add(base, stmt.line, column, "star")
            else:
                add(dotted.join(base, name), stmt.line, column, "import")
    for line, column, value in _strings(data):
        add(value, line, column, "string")
    lines = {stmt.line for stmt in statements}
    for line, column, chain in _chains(data, rules, bound):
        if line not in lines:
            add(chain, line, column, "attribute")
    found.sort(key=lambda s: (s.line, s.column))
    return found


def _strings(data: bytes) -> list[tuple[int, int, str]]:
    """(line, column, text) of every quoted dotted name such as ``"a.b.C"``."""
    if not _STRING:
        import re

        _STRING.append(re.compile(rb"""(['"])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\1"""))
    out = []
    for match in _STRING[0].finditer(data):  # type: ignore[attr-defined]
        start = match.start()
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        out.append((line, column, match.group(2).decode("ascii", "replace")))
    return out


def _chains(data: bytes, rules: RuleSet, bound: dict[str, str]) -> list[tuple[int, int, str]]:
    """(line, column, old dotted name) of every spelled-out ``local.rest`` that reaches an
    old name through a plain import binding ``local``."""
    import re

    out = []
    for move in rules.moves:
        for local, base in bound.items():
            if not move.old.startswith(base + "."):
                continue
            spelled = (local + move.old[len(base) :]).encode()
            for match in re.finditer(rb"(?<![\w.'\"])" + re.escape(spelled) + rb"(?!\w)", data):
                start = match.start()
                line = data.count(b"\n", 0, start) + 1
                column = start - (data.rfind(b"\n", 0, start) + 1) + 1
                out.append((line, column, move.old))
    return out
