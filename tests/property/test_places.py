"""Invariants beyond ``.py``: stubs behave like modules; notebooks, docs and config files that
no rule concerns round-trip byte-identical; a changed notebook keeps every byte outside the
sources it changed (outputs, metadata, layout) and a second run changes nothing."""

from __future__ import annotations

import ast
import json
import tempfile

from helpers import ruleset
from hypothesis import given
from hypothesis import strategies as st

from importshift.core.model import Status
from importshift.rewrite.engine import Engine
from property.sources import modules_source, unrelated_source

with tempfile.TemporaryDirectory() as _tmp:
    RULES = ruleset(
        [
            ("pkg.events.Manager", "pkg.monitor.Monitor", "symbol"),
            ("pkg.factory", "pkg.canonical", "module"),
        ],
        _tmp,
    )
ENGINE = Engine(RULES)

_MAGICS = st.sampled_from(["%matplotlib inline", "!ls -l", "x = !pwd", "obj?", "%time f()", ""])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=9), max_size=40)


def _cell_source(draw: st.DrawFn, code: str, as_list: bool) -> list[str] | str:
    lines = code.splitlines(keepends=True)
    magic = draw(_MAGICS)
    if magic:
        lines.insert(draw(st.integers(0, len(lines))), magic + "\n")
    if lines and draw(st.booleans()):
        lines[-1] = lines[-1].rstrip("\n")
    return lines if as_list else "".join(lines)


@st.composite
def notebooks(draw: st.DrawFn, code: st.SearchStrategy[str]) -> str:
    cells = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["code", "code", "markdown", "raw"]))
        source = _cell_source(draw, draw(code), draw(st.booleans()))
        cell: dict[str, object] = {"cell_type": kind, "metadata": {"tags": [draw(_TEXT)]}}
        if kind == "code":
            cell["execution_count"] = i
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": [draw(_TEXT)]}]
        cell["source"] = source
        cells.append(cell)
    doc = {"cells": cells, "metadata": {"note": draw(_TEXT)}, "nbformat": 4, "nbformat_minor": 5}
    indent = draw(st.sampled_from([1, 2, None]))
    text = json.dumps(doc, indent=indent, ensure_ascii=draw(st.booleans()))
    return text + draw(st.sampled_from(["\n", ""]))


@given(notebooks(unrelated_source()))
def test_unrelated_notebook_is_byte_identical(text: str) -> None:
    data = text.encode()
    for run in (ENGINE.rewrite, ENGINE.detect):
        result = run(data, "nb.ipynb", None, False)
        assert result.status is not Status.CHANGED and result.new is None


@given(notebooks(modules_source()))
def test_notebook_rewrite_keeps_everything_but_sources(text: str) -> None:
    data = text.encode()
    result = ENGINE.rewrite(data, "nb.ipynb", None, False)
    assert result.status is not Status.FAILED, result.reason
    if result.status is not Status.CHANGED:
        return
    assert result.new is not None
    before, after = json.loads(text), json.loads(result.new)
    for a, b in zip(before["cells"], after["cells"], strict=True):
        source_a, source_b = a.pop("source"), b.pop("source")
        assert a == b
        assert type(source_a) is type(source_b)
        code = "".join(source_b) if isinstance(source_b, list) else source_b
        if b["cell_type"] == "code" and not code.lstrip().startswith("%%"):
            assert not any(line.startswith("pass  # importshift") for line in code.splitlines())
    assert before == after
    again = ENGINE.rewrite(result.new, "nb.ipynb", None, False)
    assert again.status is not Status.CHANGED


@given(modules_source())
def test_stub_is_rewritten_like_its_module(source: str) -> None:
    try:
        ast.parse(source)
    except SyntaxError:
        return
    as_py = ENGINE.rewrite(source.encode(), "app/views.py", "app.views", False)
    as_pyi = ENGINE.rewrite(source.encode(), "app/views.pyi", "app.views", False)
    assert (as_py.status, as_py.new) == (as_pyi.status, as_pyi.new)


@given(unrelated_source(), st.sampled_from(["guide.md", "guide.rst", "pyproject.toml", "tox.ini"]))
def test_unrelated_docs_and_config_are_byte_identical(source: str, name: str) -> None:
    fenced = f"Intro\n\n```python\n{source}\n```\n\n.. code-block:: python\n\n    x = 1\n"
    for text in (fenced, source):
        result = ENGINE.rewrite(text.encode(), name, None, False)
        assert result.status is not Status.CHANGED and result.new is None
