"""``migrate init`` writes a rules.yaml that fits the project; ``migrate demo`` the demo."""

from __future__ import annotations

import filecmp
import os
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result
from helpers import make_tree

from importshift.cli import group

REPO = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "importshift"


def _init(root: pathlib.Path, *args: str) -> Result:
    return CliRunner().invoke(group, ["--root", str(root), "init", *args])


def _roots(root: pathlib.Path) -> str:
    line = next(x for x in (root / "rules.yaml").read_text().splitlines() if x.startswith("source"))
    return line


@pytest.mark.parametrize(
    ("files", "roots"),
    [
        pytest.param(
            {"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["lib"]\n'},
            'source_roots: ["lib"]',
            id="pyproject packages.find where",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "lib"}\n'},
            'source_roots: ["lib"]',
            id="pyproject package-dir",
        ),
        pytest.param(
            {"setup.cfg": "[options]\npackage_dir =\n    =lib\n"},
            'source_roots: ["lib"]',
            id="setup.cfg package_dir",
        ),
        pytest.param(
            {"setup.cfg": "[options.packages.find]\nwhere = lib\n"},
            'source_roots: ["lib"]',
            id="setup.cfg packages.find where",
        ),
        pytest.param({"src/other/__init__.py": ""}, 'source_roots: ["src"]', id="src layout"),
        pytest.param({"setup.py": ""}, 'source_roots: ["."]', id="flat layout"),
        pytest.param(
            {"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["gone"]\n'},
            'source_roots: ["."]',
            id="a declared root that does not exist is not used",
        ),
    ],
)
def test_source_roots_are_found(tmp_path: pathlib.Path, files: dict[str, str], roots: str) -> None:
    make_tree(tmp_path, {"lib/mypkg/__init__.py": "", **files})
    result = _init(tmp_path)
    assert result.exit_code == 0, result.output
    assert _roots(tmp_path) == roots


def test_the_written_rules_load_and_plan_runs(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["src"]\n',
            "src/shop/__init__.py": "",
            "src/shop/old.py": "X = 1\n",
        },
    )
    assert _init(tmp_path).exit_code == 0
    text = (tmp_path / "rules.yaml").read_text()
    assert "#   - old: shop.old_module.OldName" in text  # the example names the real package
    assert "moves: []" in text
    plan = CliRunner().invoke(group, ["--rules", str(tmp_path / "rules.yaml"), "plan"])
    assert plan.exit_code == 0, plan.output
    # uncommenting the example is all it takes to declare a move
    declared = text.replace("moves: []\n", "").replace("# moves:", "moves:")
    declared = declared.replace("#   - old: shop.old_module.OldName", "  - old: shop.old.X")
    declared = declared.replace("#     new: shop.new_module.NewName", "    new: shop.new.X")
    declared = declared.replace('#     reason: "consolidated in new_module"', "    kind: symbol")
    (tmp_path / "rules.yaml").write_text(declared)
    plan = CliRunner().invoke(
        group, ["--rules", str(tmp_path / "rules.yaml"), "--no-check-targets", "plan"]
    )
    assert plan.exit_code == 0, plan.output
    assert "shop.old.X -> shop.new.X" in plan.stdout


def test_state_folder_ignores_itself(tmp_path: pathlib.Path) -> None:
    assert _init(tmp_path).exit_code == 0
    assert (tmp_path / ".migrate" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_existing_rules_file_is_kept_unless_forced(tmp_path: pathlib.Path) -> None:
    (tmp_path / "rules.yaml").write_text("version: 1\n# mine\n")
    result = _init(tmp_path)
    assert result.exit_code == 2
    assert "already exists (pass --force to overwrite it)" in result.stderr
    assert (tmp_path / "rules.yaml").read_text() == "version: 1\n# mine\n"
    assert _init(tmp_path, "--force").exit_code == 0
    assert "written by `migrate init`" in (tmp_path / "rules.yaml").read_text()


def test_demo_writes_a_working_project(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "demo"
    result = CliRunner().invoke(group, ["demo", str(target)])
    assert result.exit_code == 0, result.output
    rules = str(target / "rules.yaml")
    assert f"migrate --rules {rules} plan --diff" in result.stdout
    plan = CliRunner().invoke(group, ["--rules", rules, "plan", "--diff"])
    assert plan.exit_code == 0, plan.output
    assert "+from shop.websocket_core.event_monitor import" in plan.stdout
    applied = CliRunner().invoke(group, ["--rules", rules, "apply"])  # verified imports
    assert applied.exit_code == 0, applied.output
    assert (
        "applied 6 file(s) in 1 batch(es); 0 rolled back; 0 not written (unresolved imports); "
        "0 skipped; 0 pre-existing failure(s)" in applied.stderr
    )  # every touched module was really imported, before and after
    again = CliRunner().invoke(group, ["--rules", rules, "plan"])
    assert "0 file(s) would change" in again.stderr


@pytest.mark.parametrize("existing", ["file.txt", ".hidden"])
def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: pathlib.Path, existing: str) -> None:
    (tmp_path / existing).write_text("keep\n")
    result = CliRunner().invoke(group, ["demo", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not an empty folder" in result.stderr
    assert sorted(os.listdir(tmp_path)) == [existing]


def test_the_repository_copies_are_the_shipped_ones() -> None:
    """The README runs the demo from the repository root; the package ships the same files."""
    assert filecmp.cmp(REPO / "rules.yaml", PACKAGE / "examples" / "rules.yaml", shallow=False)
    for here, there in (
        (REPO / "examples" / "demo", PACKAGE / "examples" / "demo"),
        (REPO / "codemods", PACKAGE / "codemods"),
    ):
        mine = _files(here)
        assert mine == _files(there), f"{here} and {there} list different files"
        for rel in mine:
            assert filecmp.cmp(here / rel, there / rel, shallow=False), f"{rel} differs"


def _files(folder: pathlib.Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_pyproject_roots_are_read_without_a_toml_parser_too() -> None:
    """Python 3.10 has no tomllib: the two forms init reads are found by a plain scan."""
    from importshift.commands import init

    text = (
        "[tool.setuptools.packages.find]\nwhere = ['lib', \"src\"]\n"
        '[tool.setuptools]\npackage-dir = {"" = "code"}\n'
        '[tool.setuptools.package-dir]\n"" = "more"\n'
    )
    assert init._regex_roots(text) == ["lib", "src", "code", "more"]


def test_demo_inside_another_repository_applies_without_allow_dirty(tmp_path: pathlib.Path) -> None:
    """The README's first command runs in a clone: the demo is its own repository with one
    commit, so apply's dirty-tree guard passes and git shows what apply changed."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    demo = tmp_path / "demo"
    wrote = subprocess.run(
        [sys.executable, "-m", "importshift", "demo", str(demo)], capture_output=True, text=True
    )
    assert wrote.returncode == 0, wrote.stderr
    applied = subprocess.run(
        [sys.executable, "-m", "importshift", "--rules", str(demo / "rules.yaml"), "apply"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert applied.returncode == 0, applied.stderr
    changed = subprocess.run(
        ["git", "-C", str(demo), "diff", "--name-only"], capture_output=True, text=True
    ).stdout.split()
    assert len(changed) == 6 and "examples/demo/shop/api/handlers.py" in changed
