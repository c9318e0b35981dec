"""What a rewrite needs to be true once written: the dotted names its edits import or
reference (read from each edit's text, widened within the file until it parses, the whole
file as a last resort)."""

from __future__ import annotations

import ast
import os
import textwrap
from collections.abc import Sequence
from typing import NamedTuple

from importshift.core import dotted
from importshift.core.model import Edit

_ANY = "?"  # a dotted reference (string or attribute): a module, or a name in one


class Need(NamedTuple):
    """One thing a written import needs: ``module`` importable (``name`` None), ``name``
    bound by it, or (``name`` ``?``) ``module`` a dotted reference to either."""

    module: str
    name: str | None
    text: str  # the statement or reference as written, to quote


class FileToCheck(NamedTuple):
    path: str
    module: str | None
    is_package: bool
    edits: tuple[Edit, ...]
    new: bytes
    old: bytes | None  # read from disk when needed and None


def _needs_in(
    tree: ast.AST, module: str | None, is_package: bool, targets: Sequence[str]
) -> set[Need]:
    out: set[Need] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.add(Need(alias.name, None, f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            base = dotted.resolve_relative(node.level, node.module or "", module, is_package)
            spelled = "." * node.level + (node.module or "")
            for alias in node.names:
                text = f"from {spelled} import {alias.name}"
                if base is None or not base:
                    out.add(Need("", alias.name, text))  # relative, outside the roots
                else:
                    out.add(Need(base, None if alias.name == "*" else alias.name, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            ref = node.value
            if "." in ref and dotted.is_identifier_path(ref) and _written(ref, targets):
                out.add(Need(ref, _ANY, repr(ref)))
        elif isinstance(node, ast.Attribute):
            chain = _chain(node)
            if chain and _written(chain, targets):
                out.add(Need(chain, _ANY, chain))
    return out


def _chain(node: ast.Attribute) -> str | None:
    parts = [node.attr]
    value: ast.expr = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name):
        return None
    parts.append(value.id)
    return ".".join(reversed(parts))


def _written(ref: str, targets: Sequence[str]) -> bool:
    return any(dotted.within(ref, t) or dotted.within(t, ref) for t in targets)


def _parse(text: str) -> ast.AST | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _parse_fragment(text: str) -> ast.AST | None:
    """A fragment of a file, dedented; a compound statement's header gets a body."""
    text = textwrap.dedent(text)
    tree = _parse(text)
    if tree is None and text.rstrip().endswith(":"):
        last = text.rstrip().rsplit("\n", 1)[-1]
        indent = last[: len(last) - len(last.lstrip())]
        tree = _parse(f"{text.rstrip()}\n{indent}    pass\n")
    return tree


# (lines before, lines after) to widen a fragment by until it parses alone
_WIDEN = ((0, 1), (0, 2), (0, 4), (0, 8), (1, 0), (1, 4), (2, 8), (4, 16), (8, 16), (16, 32))


def _widened(lines: list[str], start: int, count: int, at_least: int = 0) -> ast.AST | None:
    """The smallest widening (from the ``at_least``-th) of ``lines[start:start+count]``
    that parses, or None (the caller then reads the whole file)."""
    for back, fwd in _WIDEN[at_least:]:
        tree = _parse_fragment("\n".join(lines[max(0, start - back) : start + count + fwd]))
        if tree is not None:
            return tree
    return None


def _count(text: str) -> int:
    return text.count("\n") + 1 if text else 0


def written_needs(f: FileToCheck, targets: Sequence[str], root: str = "") -> set[Need]:
    """What the rewrite of ``f`` wrote that was not there: the needs of each edit's new
    fragment less those of its old one. A fragment that does not parse alone (one line of
    a parenthesised import) is widened in the file until it parses; as a last resort the
    whole file before and after is compared."""
    needs: set[Need] = set()
    new_lines: list[str] | None = None
    old_lines: list[str] | None = None
    shift = 0
    for edit in f.edits:
        after, before = _parse_fragment(edit.after), _parse_fragment(edit.before)
        start_old = edit.line - 1
        start_new = start_old + shift
        shift += _count(edit.after) - _count(edit.before)
        if after is None or before is None:
            if new_lines is None:
                new_lines = f.new.decode("utf-8", "replace").splitlines()
                old_lines = _old(f, root).decode("utf-8", "replace").splitlines()
            assert old_lines is not None
            after = _widened(new_lines, start_new, _count(edit.after))
            before = _widened(old_lines, start_old, _count(edit.before))
            if after is None or before is None:
                return _whole_file(f, targets, root)
        needs |= _needs_in(after, f.module, f.is_package, targets) - _needs_in(
            before, f.module, f.is_package, targets
        )
    return needs


def _old(f: FileToCheck, root: str) -> bytes:
    if f.old is not None:
        return f.old
    try:
        with open(os.path.join(root, f.path), "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _whole_file(f: FileToCheck, targets: Sequence[str], root: str) -> set[Need]:
    new = _parse(f.new.decode("utf-8", "replace"))
    old = _parse(_old(f, root).decode("utf-8", "replace"))
    if new is None:
        return set()
    before = _needs_in(old, f.module, f.is_package, targets) if old is not None else set()
    return _needs_in(new, f.module, f.is_package, targets) - before
