"""``migrate check``: every reported form, the ratchet, --fix, formats, the real hook."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import SMALL_TREE, git, make_tree

from importshift.cli import group

ROOT = pathlib.Path(__file__).resolve().parents[2]

FORMS = {
    **SMALL_TREE,
    "rules.yaml": SMALL_TREE["rules.yaml"] + "  - old: pkg.events.Filter\n"
    "    new: pkg.monitor.Filter\n    strings: true\n",
    "pkg/monitor.py": "class Monitor:\n    pass\n\n\nclass Filter:\n    pass\n",
    "pkg/events.py": "from pkg.monitor import Filter, Monitor as Manager\n",
    "app/forms.py": (
        "from pkg.events import Manager as M\n"  # 1 aliased
        "from typing import TYPE_CHECKING\n"
        "import pkg.events\n"  # 3 module import whose attribute is used
        "if TYPE_CHECKING:\n"
        "    from pkg.events import Filter\n"  # 5 TYPE_CHECKING
        "\n"
        "\n"
        "def f():\n"
        "    from pkg.factory import create\n"  # 9 function level, module move
        "    return pkg.events.Manager, create\n"  # 10 attribute
        "\n"
        "\n"
        "from pkg.factory import *\n"  # 13 star import of a moved module
        "patch = 'pkg.events.Filter'\n"  # 14 string, strings: true
        "other = 'pkg.events.Manager'\n"  # 15 string, strings off: not reported
    ),
    "pkg/sub/__init__.py": "",
    "pkg/sub/rel.py": "from ..events import Manager\n",
}


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def test_every_form_reported(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, FORMS)
    result = invoke(
        "--rules",
        str(tmp_path / "rules.yaml"),
        "check",
        str(tmp_path / "app"),
        str(tmp_path / "pkg" / "sub" / "rel.py"),
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/broken.py:2:1: MIG003 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias); could not parse (Python "
        f"{sys.version_info[0]}.{sys.version_info[1]}, line 1: Missing parentheses in call to "
        "'print'. Did you mean print(...)?), matched textually",
        "app/forms.py:1:1: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)",
        "app/forms.py:5:5: MIG001 'pkg.events.Filter' moved to 'pkg.monitor.Filter'",
        "app/forms.py:9:5: MIG001 'pkg.factory.create' moved to 'pkg.canonical.create'",
        "app/forms.py:10:12: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)",
        "app/forms.py:13:1: MIG001 'pkg.factory' moved to 'pkg.canonical'",
        "app/forms.py:14:9: MIG002 'pkg.events.Filter' moved to 'pkg.monitor.Filter'",
        "app/jobs.py:1:1: MIG001 'pkg.factory' moved to 'pkg.canonical'",
        "app/views.py:1:1: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)",
        "pkg/sub/rel.py:1:1: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)",
    ]


def test_clean_files_exit_zero(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    result = invoke(
        "--rules",
        str(tmp_path / "rules.yaml"),
        "check",
        str(tmp_path / "app/plain.py"),
        str(tmp_path / "rules.yaml"),
    )
    assert result.exit_code == 0
    assert result.stdout == ""


def test_formats(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    rules = str(tmp_path / "rules.yaml")
    views = str(tmp_path / "app/views.py")
    github = invoke("--rules", rules, "check", "--format", "github", views)
    assert github.stdout == (
        "::error file=app/views.py,line=1,col=1,title=MIG001 deprecated-import::MIG001 "
        "'pkg.events.Manager' moved to 'pkg.monitor.Monitor' (events.py "
        "is a compatibility alias)\n"
    )
    as_json = json.loads(invoke("--rules", rules, "check", "--format", "json", views).stdout)
    assert as_json["version"] == 1
    assert as_json["command"] == "check"
    assert as_json["findings"] == [
        {
            "path": "app/views.py",
            "line": 1,
            "column": 1,
            "code": "MIG001",
            "rule": "pkg.events.Manager",
            "old": "pkg.events.Manager",
            "new": "pkg.monitor.Monitor",
            "form": "import",
            "reason": "events.py is a compatibility alias",
            "note": "",
            "message": "MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
            "(events.py is a compatibility alias)",
        }
    ]


def test_fix(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    views = tmp_path / "app/views.py"
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "check", "--fix", str(views))
    assert result.exit_code == 1
    assert views.read_text().startswith("from pkg.monitor import Monitor\n")
    assert invoke("--rules", str(tmp_path / "rules.yaml"), "check", str(views)).exit_code == 0


_git = git


def test_new_only_ratchet(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "legacy")
    rules = str(tmp_path / "rules.yaml")
    views = tmp_path / "app/views.py"
    # unchanged legacy occurrence: passes
    assert invoke("--rules", rules, "check", "--new-only", str(views)).exit_code == 0
    # legacy code moved around (new line numbers): still passes
    views.write_text("\n\n# moved down\n" + views.read_text())
    assert invoke("--rules", rules, "check", "--new-only", str(views)).exit_code == 0
    # an added occurrence in a legacy file: reported, only that one
    views.write_text(
        views.read_text() + "\n\ndef again():\n"
        "    from pkg.events import Manager\n    return Manager\n"
    )
    added = invoke("--rules", rules, "check", "--new-only", str(views))
    assert added.exit_code == 1
    assert added.stdout.splitlines() == [
        "app/views.py:12:5: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' "
        "(events.py is a compatibility alias)"
    ]
    # a new file has no base: everything counts
    new = tmp_path / "app/new.py"
    new.write_text("import pkg.factory\n")
    assert invoke("--rules", rules, "check", "--new-only", str(new)).exit_code == 1


def _with_importtime(cwd: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -X importtime ARGS`` in ``cwd``, as installed (no PYTHONPATH); stderr lists
    every module imported."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_fast_path_subprocess_matches(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, FORMS)
    runner = invoke("--rules", str(tmp_path / "rules.yaml"), "check")
    proc = _with_importtime(tmp_path, "-m", "importshift", "check")
    assert proc.returncode == 1
    assert proc.stdout == runner.stdout
    imported = proc.stderr
    for heavy in ("libcst", "click", "rich", "multiprocessing"):
        assert f" {heavy}\n" not in imported, heavy  # the hook's path stays light
    cached = _with_importtime(tmp_path, "-m", "importshift", "check")
    assert cached.stdout == runner.stdout
    assert " yaml\n" not in cached.stderr  # the compiled rules come from the cache


def test_a_clean_commit_imports_almost_nothing(tmp_path: pathlib.Path) -> None:
    """What the hook pays for on a commit that mentions no old name: the launcher pip and
    uv write (``import sys; from importshift.entry import main``) and the cached rules."""
    make_tree(tmp_path, {**FORMS, "app/clean.py": "import os\n\nprint(os.sep)\n"})
    launcher = "import sys\nfrom importshift.entry import main\nsys.exit(main())\n"
    for _ in range(2):  # the first run compiles the rules into the cache
        proc = _with_importtime(tmp_path, "-c", launcher, "check", "app/clean.py")
        assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    heavy = {"ast", "re", "enum", "typing", "dataclasses", "yaml", "click", "libcst", "json"}
    assert imported & heavy == set()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_real_pre_commit_hook(tmp_path: pathlib.Path) -> None:
    pre_commit = shutil.which("pre-commit") or os.path.join(
        os.path.dirname(sys.executable), "pre-commit"
    )
    if not os.path.exists(pre_commit):
        pytest.skip("pre-commit is not installed")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this checkout has no commit for pre-commit to install")
    repo = tmp_path / "repo"
    make_tree(repo, SMALL_TREE)
    make_tree(
        repo,
        {
            ".pre-commit-config.yaml": (
                f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n"
                "    hooks:\n      - id: migrate-check\n"
            )
        },
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "legacy", "--no-verify")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run([pre_commit, "install"], cwd=repo, env=env, check=True, capture_output=True)
    # touching a legacy file without adding a deprecated import passes
    views = repo / "app/views.py"
    views.write_text(views.read_text() + "\n# a harmless edit\n")
    _git(repo, "add", "app/views.py")
    ok = subprocess.run(
        ["git", "commit", "-qm", "harmless"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # adding a deprecated import is refused, with the message
    (repo / "app/new.py").write_text("from pkg.events import Manager\n")
    _git(repo, "add", "app/new.py")
    refused = subprocess.run(
        ["git", "commit", "-qm", "new"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert refused.returncode != 0
    assert (
        "app/new.py:1:1: MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor'"
        in refused.stdout + refused.stderr
    )
    _git(repo, "rm", "-q", "--cached", "app/new.py")
    (repo / "app/new.py").unlink()

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "commit", "-qm", message],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    # a file named like an option is a file: the hook passes file names after `--`
    (repo / "app/-new.py").write_text("import pkg.factory\n")
    _git(repo, "add", "--", "app/-new.py")
    dashed = commit("dashed")
    assert dashed.returncode != 0
    assert "app/-new.py:1:1: MIG001 'pkg.factory' moved to 'pkg.canonical'" in (
        dashed.stdout + dashed.stderr
    )
    assert "No such option" not in dashed.stdout + dashed.stderr
    # CI: a deprecated import committed with --no-verify is caught between two refs
    before = _git(repo, "rev-parse", "HEAD").strip()
    _git(repo, "commit", "-qm", "sneaked in", "--no-verify")
    after = _git(repo, "rev-parse", "HEAD").strip()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "run", "migrate-check", *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    ranged = run("--from-ref", before, "--to-ref", after)
    assert ranged.returncode == 1, ranged.stdout + ranged.stderr
    assert "app/-new.py:1:1: MIG001 'pkg.factory' moved to 'pkg.canonical'" in ranged.stdout
    # --all-files compares with HEAD (documented): it checks uncommitted work only
    assert run("--all-files").returncode == 0
