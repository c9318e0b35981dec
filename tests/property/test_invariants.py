"""Invariants on generated modules: output parses, apply is idempotent, unrelated files are
byte-identical, and the cheap filters never hide a file that the full rewrite would change."""

from __future__ import annotations

import ast
import tempfile

import libcst as cst
from helpers import rewrite, ruleset
from hypothesis import given

from importshift.core.model import Status
from importshift.rewrite.moves import rewrite_moves
from property.sources import modules_source, unrelated_source

with tempfile.TemporaryDirectory() as _tmp:
    RULES = ruleset(
        [
            ("pkg.events.Manager", "pkg.monitor.Monitor", "symbol"),
            ("pkg.events.Filter", "pkg.filters.Filter", "symbol"),
            ("pkg.factory", "pkg.canonical", "module"),
            ("pkg.helper", "newlib.helpers.helper", "symbol"),
        ],
        _tmp,
    )
    STRING_RULES = ruleset(
        [
            ("pkg.events.Manager", "pkg.monitor.Monitor", "symbol"),
            ("pkg.factory", "pkg.canonical", "module"),
        ],
        _tmp,
        strings=True,
    )

MODULES = ["app.views", "pkg.sub.mod", "pkg.api", None]


def _check(source: str, rules, module: str | None) -> None:  # type: ignore[no-untyped-def]
    try:
        ast.parse(source)
    except SyntaxError:
        return  # the generator can make invalid code (e.g. relative imports at top level)
    result = rewrite(source, rules, module)
    assert result.status in (Status.CHANGED, Status.UNCHANGED, Status.SKIPPED), result
    if result.status is Status.CHANGED:
        assert result.new is not None
        ast.parse(result.new)
        again = rewrite(result.new, rules, module)
        assert again.status is Status.UNCHANGED, (
            source,
            result.new.decode(),
            again.new.decode() if again.new else again,
        )


@given(modules_source())
def test_output_parses_and_is_idempotent(source: str) -> None:
    for module in MODULES:
        _check(source, RULES, module)


@given(modules_source())
def test_idempotent_with_strings(source: str) -> None:
    _check(source, STRING_RULES, "app.views")


@given(unrelated_source())
def test_unrelated_files_are_byte_identical(source: str) -> None:
    result = rewrite(source, RULES, "app.views")
    assert result.status is not Status.CHANGED
    assert result.new is None


@given(modules_source())
def test_filters_are_a_superset(source: str) -> None:
    """Whatever the full LibCST rewrite would change, the staged engine changes the same."""
    try:
        ast.parse(source)
        tree = cst.parse_module(source)
    except (SyntaxError, cst.ParserSyntaxError):
        return
    for module in MODULES:
        direct, _ = rewrite_moves(tree, RULES, module, False)
        staged = rewrite(source, RULES, module)
        if direct.code != source:
            assert staged.status is Status.CHANGED, (module, source)
            assert staged.new is not None and staged.new.decode() == direct.code
        else:
            assert staged.status is not Status.CHANGED
