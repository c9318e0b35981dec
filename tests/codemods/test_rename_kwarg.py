"""The shipped codemod's examples are its tests; it also runs inside the move pipeline."""

from __future__ import annotations

import importlib.util
import pathlib

import libcst as cst
import pytest
from helpers import make_tree
from libcst.codemod import CodemodContext

from importshift.core.model import CodemodSpec
from importshift.rewrite.extra import load_codemod, run_codemod

PATH = pathlib.Path(__file__).resolve().parents[2] / "codemods" / "rename_kwarg.py"
_spec = importlib.util.spec_from_file_location("rename_kwarg", PATH)
assert _spec and _spec.loader
MODULE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MODULE)


@pytest.mark.parametrize(("function", "old", "new", "before", "after"), MODULE.EXAMPLES)
def test_examples(function: str, old: str, new: str, before: str, after: str) -> None:
    module_name = "pkg.views" if function.startswith("pkg.") else "app.views"
    context = CodemodContext(filename="views.py", full_module_name=module_name)
    codemod = MODULE.RenameKwarg(context, function=function, old=old, new=new)
    assert codemod.transform_module(cst.parse_module(before)).code == after


def test_in_pipeline_edits_and_tokens(tmp_path: pathlib.Path) -> None:
    spec = CodemodSpec(
        str(PATH), "RenameKwarg", (("function", "m.f"), ("old", "user"), ("new", "user_id"))
    )
    loaded = load_codemod(spec)
    assert loaded.tokens == (b"user",)
    source = "from m import f\n\nf(user=1)\n"
    tree, code, edits = run_codemod(
        loaded, cst.parse_module(source), source, "app.views", "views.py"
    )
    assert tree.code == code == "from m import f\n\nf(user_id=1)\n"
    assert [(e.rule, e.line, e.before, e.after) for e in edits] == [
        (spec.id, 3, "f(user=1)", "f(user_id=1)")
    ]


def test_runs_after_moves_in_plan(tmp_path: pathlib.Path) -> None:
    from click.testing import CliRunner

    from importshift.cli import group

    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\nmoves:\n  - old: pkg.old.create\n    new: pkg.new.create\n"
            f"codemods:\n  - use: {PATH}:RenameKwarg\n    args: {{function: "
            "pkg.new.create, old: user, new: user_id}\n",
            "pkg/__init__.py": "",
            "pkg/old.py": "from pkg.new import create\n",
            "pkg/new.py": "def create(user_id):\n    return user_id\n",
            "app.py": "from pkg.old import create\n\ncreate(user=1)\n",
        },
    )
    result = CliRunner().invoke(
        group,
        ["--rules", str(tmp_path / "rules.yaml"), "apply", "--verify", "none"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "app.py").read_text() == "from pkg.new import create\n\ncreate(user_id=1)\n"
