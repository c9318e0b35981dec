"""Hostile inputs for the places beyond ``.py``: broken notebooks, odd encodings, code that
holds the mask marker, escapes; nothing is lost and what cannot be read is said."""

from __future__ import annotations

import json
import tempfile

import pytest
from helpers import ruleset

from importshift.core.model import Status
from importshift.rewrite.engine import Engine
from importshift.rewrite.gate import gate_sites

with tempfile.TemporaryDirectory() as _tmp:
    RULES = ruleset([("pkg.events.Manager", "pkg.monitor.Monitor", "symbol")], _tmp)
ENGINE = Engine(RULES)
IMPORT = "from pkg.events import Manager\n"


def _nb(source: object, **extra: object) -> str:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source, **extra}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"cells": [' + IMPORT, id="truncated JSON"),
        pytest.param('{"worksheets": [], "x": "' + IMPORT.strip() + '"}', id="nbformat 3"),
        pytest.param("[1, 2, " + json.dumps(IMPORT) + "]", id="not an object"),
    ],
)
def test_unreadable_notebook_is_skipped_and_check_says_so(text: str) -> None:
    data = text.encode()
    for run in (ENGINE.rewrite, ENGINE.detect):
        result = run(data, "nb.ipynb", None, False)
        assert result.status is Status.SKIPPED and result.reason.startswith("notebook:")
        assert result.new is None
    assert gate_sites(RULES, data, "nb.ipynb", None, False) is None


def test_latin1_docs_are_skipped_not_mangled() -> None:
    data = ("caf\xe9\n\n```python\n" + IMPORT + "```\n").encode("latin-1")
    result = ENGINE.rewrite(data, "README.md", None, False)
    assert result.status is Status.SKIPPED and result.new is None
    assert gate_sites(RULES, data, "README.md", None, False) is None


def test_code_holding_the_mask_marker_is_left_alone() -> None:
    source = ["!ls\n", "x = 1  # pass  # importshift-masked-line-0\n", IMPORT]
    result = ENGINE.rewrite(_nb(source).encode(), "nb.ipynb", None, False)
    assert result.status is not Status.CHANGED


def test_escapes_and_non_ascii_outside_the_change_are_kept() -> None:
    text = _nb(["# caf\u00e9 \\u00e9 \t\n", IMPORT, "Manager()"], execution_count=None)
    text = text.replace("\\u00e9", "\\u00E9")  # upper-case escapes: json.dumps never writes them
    result = ENGINE.rewrite(text.encode(), "nb.ipynb", None, False)
    assert result.status is Status.CHANGED and result.new is not None
    new = result.new.decode()
    assert new.count("\\u00E9") == text.count("\\u00E9")
    assert (
        new.replace("pkg.monitor import Monitor", "pkg.events import Manager").replace(
            '"Monitor()"', '"Manager()"'
        )
        == text
    )


def test_bom_and_crlf_notebook() -> None:
    text = json.dumps(
        {"cells": [{"cell_type": "code", "source": [IMPORT]}], "nbformat": 4}, indent=1
    )
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    result = ENGINE.rewrite(data, "nb.ipynb", None, False)
    assert result.status is Status.CHANGED and result.new is not None
    assert result.new.startswith(b"\xef\xbb\xbf") and result.new.count(b"\r\n") == data.count(
        b"\r\n"
    )


def test_cell_magic_cell_is_never_parsed() -> None:
    source = ["%%bash\n", "python -c 'from pkg.events import Manager'\n"]
    data = _nb(source).encode()
    assert ENGINE.rewrite(data, "nb.ipynb", None, False).status is Status.UNCHANGED
    assert gate_sites(RULES, data, "nb.ipynb", None, False) == []


def test_follow_up_references_count_for_shims() -> None:
    from importshift.core.model import FileOutcome
    from importshift.rewrite.gate import references

    result = ENGINE.detect(("```python\n" + IMPORT + "```\n").encode(), "a.md", None, False)
    outcome = FileOutcome("a.md", result.status, "", result.edits, result.notes)
    assert result.status is Status.UNCHANGED  # docs not opted in: nothing to rewrite
    assert references(outcome) == {"pkg.events.Manager"}  # but still an importer
