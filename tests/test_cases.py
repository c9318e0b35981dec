"""Golden before/after cases: tests/cases/<form>/<name>.py, one parametrised test."""

from __future__ import annotations

import ast
import pathlib

import pytest
from helpers import parse_header, rewrite, ruleset

from importshift.core.model import Status

CASES = pathlib.Path(__file__).parent / "cases"
FILES = sorted(  # before/after folders hold the tree cases of test_place_cases.py
    p for p in CASES.rglob("*.py") if not {"before", "after"} & set(p.parts)
)


def _split(path: pathlib.Path) -> tuple[list[str], str, str | None]:
    lines = path.read_text().splitlines(keepends=True)
    header, body = parse_header([line.rstrip("\n") for line in lines])
    body_lines = lines[len(lines) - len(body) :]
    text = "".join(body_lines)
    if "# output\n" in text:
        before, after = text.split("# output\n", 1)
        return header, before, after
    return header, text, None


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CASES)) for p in FILES])
def test_case(path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    header, before, after = _split(path)
    rules = ruleset(header.moves, str(tmp_path), header.strings)
    result = rewrite(before, rules, header.module, header.is_package)
    if after is None:
        assert result.status is Status.UNCHANGED, result.new.decode() if result.new else result
        return
    ast.parse(after)
    assert result.status is Status.CHANGED, (result.status, result.reason)
    assert result.new is not None
    assert result.new.decode() == after
    again = rewrite(result.new, rules, header.module, header.is_package)
    assert again.status is Status.UNCHANGED, "idempotence: a second run must change nothing"


def test_every_form_has_cases() -> None:
    forms = {p.parent.name for p in FILES}
    assert {
        "from_import",
        "alias",
        "split_merge",
        "multiline",
        "plain_import",
        "module_attr",
        "from_package",
        "relative",
        "nested",
        "star",
        "strings",
        "chains",
        "same_module",
        "self_import",
        "rebinding",
        "fallback",
        "type_comments",
    } <= forms
