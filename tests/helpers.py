"""Shared test helpers: build rule sets from compact headers, rewrite text, compare."""

from __future__ import annotations

import ast
import os
import textwrap
from dataclasses import dataclass, field

from importshift.engine import Engine, Rewrite
from importshift.model import Status
from importshift.rules import load_rules


class NoProbe:
    """Pretends nothing outside the source roots is installed (no subprocess in tests)."""

    def find(self, names):  # type: ignore[no-untyped-def]
        return dict.fromkeys(names)


@dataclass
class Header:
    moves: list[tuple[str, str, str]] = field(default_factory=list)
    module: str | None = "app.views"
    is_package: bool = False
    strings: bool = False


def parse_header(lines: list[str]) -> tuple[Header, list[str]]:
    header = Header()
    rest = list(lines)
    while rest and rest[0].startswith("# ") and ":" in rest[0]:
        key, _, value = rest[0][2:].partition(":")
        value = value.strip()
        if key == "rules":
            kind = "module" if value.endswith("[module]") else "symbol"
            old, _, new = value.replace("[module]", "").partition("->")
            header.moves.append((old.strip(), new.strip(), kind))
        elif key == "module":
            header.module = value or None
        elif key == "package":
            header.is_package = value == "true"
        elif key == "strings":
            header.strings = value == "true"
        else:
            break
        rest.pop(0)
    return header, rest


def ruleset(moves: list[tuple[str, str, str]], tmp_dir: str, strings: bool = False):  # type: ignore[no-untyped-def]
    lines = ["version: 1", "moves:"]
    for old, new, kind in moves:
        lines += [f"  - old: {old}", f"    new: {new}", f"    kind: {kind}"]
        if strings:
            lines.append("    strings: true")
    path = os.path.join(tmp_dir, "rules.yaml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return load_rules(path, tmp_dir, check_targets=False, probe=NoProbe(), files=[]).ruleset


def rewrite(source: str | bytes, rules, module: str | None = "app.views",  # type: ignore[no-untyped-def]
            is_package: bool = False) -> Rewrite:
    data = source.encode() if isinstance(source, str) else source
    return Engine(rules).rewrite(data, "case.py", module, is_package)


def assert_rewrites(before: str, after: str, rules, module: str | None = "app.views",  # type: ignore[no-untyped-def]
                    is_package: bool = False) -> None:
    after = textwrap.dedent(after)
    ast.parse(after)  # the expectation itself must be valid Python
    result = rewrite(textwrap.dedent(before), rules, module, is_package)
    assert result.status is Status.CHANGED, (result.status, result.reason)
    assert result.new is not None
    assert result.new.decode() == after
    again = rewrite(result.new, rules, module, is_package)
    assert again.status is Status.UNCHANGED, "a second run must change nothing"


def assert_noop(source: str, rules, module: str | None = "app.views") -> Rewrite:  # type: ignore[no-untyped-def]
    result = rewrite(textwrap.dedent(source), rules, module)
    assert result.status is Status.UNCHANGED, (result.status, result.new)
    return result
