"""Bytes are sacred: line endings, BOM, coding cookies, and files that do not parse."""

from __future__ import annotations

import pathlib

import pytest
from helpers import rewrite, ruleset

from importshift.core.model import Status


@pytest.fixture
def rules(tmp_path: pathlib.Path):  # type: ignore[no-untyped-def]
    return ruleset([("pkg.events.Manager", "pkg.monitor.Monitor", "symbol")], str(tmp_path))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            b"from pkg.events import Manager\r\nx = Manager\r\n",
            b"from pkg.monitor import Monitor\r\nx = Monitor\r\n",
            id="CRLF stays CRLF",
        ),
        pytest.param(
            b"\xef\xbb\xbffrom pkg.events import Manager\nx = Manager\n",
            b"\xef\xbb\xbffrom pkg.monitor import Monitor\nx = Monitor\n",
            id="BOM kept",
        ),
        pytest.param(
            b"# -*- coding: latin-1 -*-\nfrom pkg.events import Manager\ns = '\xe9'\n",
            b"# -*- coding: latin-1 -*-\nfrom pkg.monitor import Monitor\ns = '\xe9'\n",
            id="latin-1 cookie, non-ASCII byte kept",
        ),
        pytest.param(
            b"# coding: cp1252\nfrom pkg.events import Manager\ns = '\x80'\n",
            b"# coding: cp1252\nfrom pkg.monitor import Monitor\ns = '\x80'\n",
            id="cp1252",
        ),
        pytest.param(
            b"from pkg.events import Manager\nx = Manager",
            b"from pkg.monitor import Monitor\nx = Monitor",
            id="no final newline",
        ),
        pytest.param(
            b"from pkg.events import Manager\n\tx = 1\n"[:31] + b"if x:\n\tManager()\n",
            b"from pkg.monitor import Monitor\nif x:\n\tMonitor()\n",
            id="tabs",
        ),
    ],
)
def test_bytes_round_trip(rules, before: bytes, after: bytes) -> None:  # type: ignore[no-untyped-def]
    result = rewrite(before, rules)
    assert result.status is Status.CHANGED, result.reason
    assert result.new == after


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            b"from pkg.events import Manager\nprint 'x'\n",
            "does not parse: line 2",
            id="python 2 print",
        ),
        pytest.param(
            b"from pkg.events import (Manager,\n", "does not parse: line 1", id="truncated"
        ),
        pytest.param(
            b"from pkg.events import Manager\nx = \xff\xfe\n", "does not parse", id="invalid utf-8"
        ),
        pytest.param(b"from pkg.events import Manager\x00\n", "does not parse", id="NUL byte"),
    ],
)
def test_unparseable_is_skipped_with_reason(rules, source: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    result = rewrite(source, rules)
    assert result.status is Status.SKIPPED
    assert reason in result.reason


def test_files_without_candidates_are_never_parsed(rules) -> None:  # type: ignore[no-untyped-def]
    result = rewrite(b"this is not python at all (((\n", rules)
    assert result.status is Status.UNCHANGED


def test_deep_nesting_does_not_crash(rules) -> None:  # type: ignore[no-untyped-def]
    source = b"from pkg.events import Manager\nx = " + b"(" * 5000 + b")" * 5000 + b"\n"
    result = rewrite(source, rules)
    assert result.status is Status.SKIPPED


def test_lone_final_cr_is_never_written(rules) -> None:  # type: ignore[no-untyped-def]
    result = rewrite(b"from pkg.events import Manager\nx = Manager\r", rules)
    if result.status is Status.CHANGED:
        assert result.new == b"from pkg.monitor import Monitor\nx = Monitor\r"
    else:
        assert result.status is Status.SKIPPED


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            b"from pkg.events import Manager\r\nx = 1\ny = Manager\r\n",
            b"from pkg.monitor import Monitor\r\nx = 1\ny = Monitor\r\n",
            id="mixed",
        ),
        pytest.param(
            b"\x0cfrom pkg.events import Manager\n",
            b"\x0cfrom pkg.monitor import Monitor\n",
            id="form feed",
        ),
        pytest.param(
            b"from pkg.events import Manager\rx = Manager\r",
            b"from pkg.monitor import Monitor\rx = Monitor\r",
            id="CR only",
        ),
    ],
)
def test_exact_or_skipped(rules, before: bytes, after: bytes) -> None:  # type: ignore[no-untyped-def]
    """Where LibCST cannot reproduce the input exactly, the file is skipped, never mangled."""
    result = rewrite(before, rules)
    if result.status is Status.CHANGED:
        assert result.new == after
    else:
        assert result.status is Status.SKIPPED, result
