"""discover --write and doctor --write-rules leave a rules file that loads, in its own style."""

from __future__ import annotations

import pathlib

import pytest
import yaml
from click.testing import CliRunner
from helpers import make_tree

from importshift.cli import group

CODE: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/core.py": "class Engine:\n    pass\n",
    "pkg/util.py": "X = 1\n",
    # an undeclared shim: discover proposes pkg.legacy.Engine -> pkg.core.Engine
    "pkg/legacy.py": (
        "import warnings\n\nfrom pkg.core import Engine\n\n"
        "warnings.warn('gone', DeprecationWarning)\n"
    ),
    # a broken import: doctor proposes pkg.util.Engine -> pkg.core.Engine
    "app.py": "from pkg.util import Engine\n\n\ndef run():\n    return Engine()\n",
}


def invoke(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), *args], catch_exceptions=False
    )


STYLES = {
    "unindented, CRLF": (
        b"version: 1\r\n# moves kept by hand\r\nmoves:\r\n- old: pkg.gone\r\n  new: pkg.core\r\n"
        b"  kind: module\r\n",
        b"- old: pkg.gone\r\n  new: pkg.core\r\n  kind: module\r\n- old: ",
    ),
    "flow": (
        b"version: 1\nmoves: [{old: pkg.gone, new: pkg.core, kind: module}]  # flow\n",
        b"moves: [{old: pkg.gone, new: pkg.core, kind: module}, {old: ",
    ),
    "no moves key": (b"version: 1  # only this\n", b"version: 1  # only this\nmoves:\n  - old: "),
}


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("command", [("discover", "--write"), ("doctor", "--write-rules")])
def test_writers_keep_style_and_the_file_loads(
    tmp_path: pathlib.Path, style: str, command: tuple[str, str]
) -> None:
    rules, expected = STYLES[style]
    make_tree(tmp_path, {**CODE, "rules.yaml": rules})
    result = invoke(tmp_path, *command)
    assert result.exit_code in (0, 1), result.output
    data = (tmp_path / "rules.yaml").read_bytes()
    assert expected in data
    if b"\r\n" in rules:
        assert b"\n" not in data.replace(b"\r\n", b"")
    moves = yaml.safe_load(data)["moves"]
    before = yaml.safe_load(rules).get("moves", [])
    assert len(moves) == len(before) + 1 and moves[: len(before)] == before
    assert f"added 1 move(s) to {tmp_path / 'rules.yaml'}" in result.stderr
    assert invoke(tmp_path, "plan").exit_code == 0  # the rules load
    # running it again adds nothing and says so
    again = invoke(tmp_path, *command)
    if command[0] == "doctor":
        assert "added 0 move(s)" in again.stderr
    else:
        assert "added" not in again.stderr
    assert (tmp_path / "rules.yaml").read_bytes() == data


def test_doctor_never_writes_an_invalid_rule_and_counts_what_it_wrote(
    tmp_path: pathlib.Path,
) -> None:
    # pkg.core.Engine -> pkg.util.Engine is declared: doctor's suggestion for the broken
    # import of pkg.util.Engine would close a cycle, so it is skipped with a note
    rules = (
        "version: 1\nmoves:\n  - old: pkg.core.Engine\n    new: pkg.util.Engine\n    kind: symbol\n"
    )
    make_tree(tmp_path, {**CODE, "rules.yaml": rules})
    result = invoke(tmp_path, "--no-check-targets", "doctor", "--write-rules")
    assert "note: skipped pkg.util.Engine -> pkg.core.Engine: it would form a cycle" in (
        result.stderr
    )
    assert "added 0 move(s)" in result.stderr
    assert (tmp_path / "rules.yaml").read_text() == rules


def test_a_rules_file_the_writer_cannot_keep_valid_is_left_untouched(
    tmp_path: pathlib.Path,
) -> None:
    rules = "{version: 1, moves: []}  # one flow mapping\n"
    make_tree(tmp_path, {**CODE, "rules.yaml": rules})
    result = invoke(tmp_path, "discover", "--write")
    assert result.exit_code == 2
    assert "left unchanged: the edited rules would not load" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert (tmp_path / "rules.yaml").read_text() == rules
