"""``retire`` verifies through the same lander: its baseline refuses before any deletion."""

from __future__ import annotations

import pathlib

from click.testing import CliRunner
from helpers import make_tree, snapshot

from importshift.cli import group

TREE: dict[str, str | bytes] = {
    "rules.yaml": "version: 1\nmoves:\n  - old: pkg.compat.Old\n    new: pkg.client.Client\n"
    "    kind: symbol\n",
    "pkg/__init__.py": "",
    "pkg/client.py": "class Client:\n    pass\n",
    "pkg/compat.py": "from pkg.client import Client\n\nOld = Client\n\n\ndef real():\n"
    "    return 1\n",
}


def test_retire_with_an_interpreter_that_does_not_work_is_refused(
    tmp_path: pathlib.Path,
) -> None:
    make_tree(tmp_path, TREE)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(
        group,
        ["--rules", str(tmp_path / "rules.yaml"), "retire", "--python", "/bin/false"],
        catch_exceptions=False,
    )
    assert result.exit_code == 2, result.output
    assert "cannot verify: the interpreter /bin/false does not work" in result.stderr
    assert snapshot(tmp_path) == before
