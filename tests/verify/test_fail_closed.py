"""Verification fails closed: real interpreters, real commands, the scenarios of the issue.

A verification that cannot run refuses (exit 2, one line quoting what ran) before anything
is written; a different failure after the rewrite is blamed; pre-existing failures are
quoted as they were before; coverage is said out loud.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers import make_tree, snapshot

from importshift.cli import group

RULES = "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n"

# pytest without its slow-loading installed plugins (hypothesis takes seconds to import)
FAST_PYTEST = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}

BASE: dict[str, str | bytes] = {
    "rules.yaml": RULES,
    "pkg/__init__.py": "",
    "pkg/monitor.py": "class Monitor:\n    pass\n",
    "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
    "pkg/views.py": "from pkg.events import Manager\n",
    "tests/__init__.py": "",
    "tests/test_views.py": (
        "from pkg.events import Manager\n\n\ndef test_it():\n    assert Manager\n"
    ),
}


def apply(root: pathlib.Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner(env=env).invoke(
        group, ["--rules", str(root / "rules.yaml"), "apply", *args], catch_exceptions=False
    )


def refused(result, *quoted: str) -> str:  # type: ignore[no-untyped-def]
    """The run refused with exit 2 and one line naming the problem (no traceback)."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for text in quoted:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("python", "quoted"),
    [("/nonexistent/python", "cannot run it"), ("/bin/false", "exit code 1, no output")],
)
def test_interpreter_that_does_not_work_is_refused(
    tmp_path: pathlib.Path, python: str, quoted: str
) -> None:
    make_tree(tmp_path, BASE)
    before = snapshot(tmp_path)
    result = apply(tmp_path, "--python", python)
    refused(result, python, quoted, "chosen by --python")
    assert snapshot(tmp_path) == before


def test_the_repo_files_do_not_fail_the_interpreter_check(tmp_path: pathlib.Path) -> None:
    """A ``json.py`` at the root shadows the stdlib for code run there, not for the check."""
    make_tree(tmp_path, {**BASE, "json.py": "raise SystemExit('not the stdlib json')\n"})
    result = apply(tmp_path)
    assert result.exit_code == 0, result.output


def test_a_bad_python_is_refused_with_verify_none_too(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, BASE)
    before = snapshot(tmp_path)
    refused(apply(tmp_path, "--verify", "none", "--python", "/bin/false"), "/bin/false")
    assert snapshot(tmp_path) == before


def test_interpreter_that_cannot_import_the_stdlib_is_refused(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, BASE)
    fake = tmp_path / "py"
    fake.write_text(f'#!/bin/sh\nPYTHONHOME=/nowhere exec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    before = snapshot(tmp_path)
    refused(apply(tmp_path, "--python", str(fake)), str(fake), "it printed:")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("command", "quoted"),
    [
        ("false", "exit code 1"),
        ("no-such-command-anywhere-xyz", "not found"),
        ("echo 'tests are red' && exit 3", "tests are red"),
    ],
)
def test_verify_cmd_that_fails_on_the_untouched_tree_is_refused(
    tmp_path: pathlib.Path, command: str, quoted: str
) -> None:
    make_tree(tmp_path, BASE)
    before = snapshot(tmp_path)
    refused(apply(tmp_path, "--verify-cmd", command), "--verify-cmd", quoted)
    assert snapshot(tmp_path) == before


def test_verify_cmd_that_passes_lands(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, BASE)
    result = apply(tmp_path, "--verify-cmd", f"{sys.executable} -c 'import pkg.views'")
    assert result.exit_code == 0, result.output
    assert "from pkg.monitor import Monitor" in (tmp_path / "pkg/views.py").read_text()


def _has_pytest(python: str) -> bool:
    return subprocess.run([python, "-c", "import pytest"], capture_output=True).returncode == 0


@pytest.mark.skipif(
    not os.path.exists("/usr/bin/python3") or _has_pytest("/usr/bin/python3"),
    reason="needs an interpreter without pytest",
)
def test_collect_without_pytest_is_refused(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, BASE)
    before = snapshot(tmp_path)
    refused(
        apply(tmp_path, "--verify", "collect", "--python", "/usr/bin/python3"),
        "pytest does not run in /usr/bin/python3",
        "No module named pytest",
    )
    assert snapshot(tmp_path) == before


def test_collect_with_a_pytest_usage_error_is_refused(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {**BASE, "pytest.ini": "[pytest]\naddopts = --no-such-option\n"})
    before = snapshot(tmp_path)
    result = apply(tmp_path, "--verify", "collect", env=FAST_PYTEST)
    refused(result, "exit code 4", "--no-such-option")
    assert snapshot(tmp_path) == before


def test_collect_does_not_clash_with_the_project_configuration(tmp_path: pathlib.Path) -> None:
    """``addopts = --cache-clear`` made every collection a usage error (exit 4)."""
    make_tree(tmp_path, {**BASE, "pytest.ini": "[pytest]\naddopts = --cache-clear\n"})
    result = apply(tmp_path, "--verify", "collect", env=FAST_PYTEST)
    assert result.exit_code == 0, result.output
    assert "pre-existing failure, not blamed" not in result.output
    assert "from pkg.monitor import Monitor" in (tmp_path / "tests/test_views.py").read_text()
    assert not (tmp_path / ".pytest_cache").exists()  # the cache stays in .migrate/
    assert "was changed by code run during verification" not in result.output


def test_a_different_failure_after_the_rewrite_is_blamed(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **BASE,
            "pkg/events.py": "class Manager:\n    pass\n",
            "pkg/monitor.py": "from pkg.c import late\n\n\nclass Monitor:\n    pass\n",
            # fails before (a missing dependency) and after, differently (circular import)
            "pkg/c.py": (
                "from pkg.events import Manager\nimport not_installed_dep_xyz\n\nlate = 1\n"
            ),
        },
    )
    before = (tmp_path / "pkg/c.py").read_text()
    result = apply(tmp_path, "--batch", "5")
    assert result.exit_code == 1, result.output
    assert "rolled back pkg/c.py" in result.stdout
    assert "partially initialized" in result.stdout
    assert (tmp_path / "pkg/c.py").read_text() == before
    assert "pre-existing failure, not blamed: import pkg.c" not in result.stdout


def test_pre_existing_quotes_the_failure_from_before(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **BASE,
            "pkg/events.py": "from pkg.monitor import Monitor as Manager\nOther = 1\n",
            # the rewrite splits the import in two: the line number in the message moves
            "pkg/c.py": "from pkg.events import Manager, Other\nimport sys\n\n"
            "raise RuntimeError('broken at line %d' % sys._getframe().f_lineno)\n",
        },
    )
    result = apply(tmp_path)
    assert result.exit_code == 0, result.output
    assert "from pkg.monitor import Monitor" in (tmp_path / "pkg/c.py").read_text()
    line = next(x for x in result.stdout.splitlines() if x.startswith("pre-existing"))
    assert line == (
        "pre-existing failure, not blamed: import pkg.c: failed: RuntimeError: broken at line 4"
    )


def test_coverage_is_said_out_loud(tmp_path: pathlib.Path) -> None:
    files = dict(BASE)
    for i in range(3):
        files[f"pkg/svc{i}.py"] = "import fastapi_not_here\nfrom pkg.events import Manager\n"
    make_tree(tmp_path, files)
    result = apply(tmp_path)
    assert result.exit_code == 0, result.output
    assert (
        "coverage: 5 touched file(s): 2 verified at runtime, 3 statically only, 0 not checkable"
        in result.stderr
    )
    assert "ModuleNotFoundError: No module named 'fastapi_not_here' x 3" in result.stderr
    warning = next(x for x in result.stderr.splitlines() if x.startswith("warning: only 2 of 5"))
    assert "install the project's dependencies into" in warning and "--python" in warning


def test_coverage_with_verify_none(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, BASE)
    result = apply(tmp_path, "--verify", "none")
    assert result.exit_code == 0, result.output
    assert "0 verified at runtime, 2 statically only" in result.stderr
    assert "run without --verify none" in result.stderr


def test_the_interpreter_is_chosen_and_printed(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, BASE)
    venv = tmp_path / "elsewhere" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(sys.executable)
    env = {"VIRTUAL_ENV": str(venv.parent), "CONDA_PREFIX": ""}
    result = apply(tmp_path, env=env)
    assert result.exit_code == 0, result.output
    first = result.stderr.splitlines()[0]
    assert first == (
        f"interpreter: {venv / 'python'} (from $VIRTUAL_ENV); verification: --verify import"
    )
    assert "interpreter works: Python 3." in result.stderr


def test_a_shadowed_module_is_never_claimed_as_verified(tmp_path: pathlib.Path) -> None:
    """``pkg/util.py`` beside the package ``pkg/util/``: importing ``pkg.util`` runs the
    package, so the file is reported as not checkable instead of "verified"."""
    make_tree(
        tmp_path,
        {
            **BASE,
            "pkg/util.py": "from pkg.events import Manager\nraise RuntimeError('never run')\n",
            "pkg/util/__init__.py": "",
        },
    )
    result = apply(tmp_path)
    assert result.exit_code == 0, result.output
    assert "from pkg.monitor import Monitor" in (tmp_path / "pkg/util.py").read_text()
    assert "3 touched file(s): 2 verified at runtime, 0 statically only, 1 not checkable" in (
        result.stderr
    )
    assert "shadowed: the package pkg/util/ is imported instead x 1" in result.stderr


def test_interpreter_order(tmp_path: pathlib.Path) -> None:
    from importshift.adapters.interpreter import choose_python

    def prefix(name: str) -> pathlib.Path:
        (tmp_path / name / "bin").mkdir(parents=True)
        (tmp_path / name / "bin" / "python").write_text("")
        return tmp_path / name

    venv, conda = prefix("venv_env"), prefix("conda_env")
    root = tmp_path / "repo"
    root.mkdir()
    env = {"VIRTUAL_ENV": str(venv), "CONDA_PREFIX": str(conda)}
    assert choose_python(str(root), "/x/python", env) == ("/x/python", "--python")
    assert choose_python(str(root), None, env) == (f"{venv}/bin/python", "$VIRTUAL_ENV")
    env["VIRTUAL_ENV"] = str(tmp_path / "gone")  # no interpreter there: the next one
    assert choose_python(str(root), None, env) == (f"{conda}/bin/python", "$CONDA_PREFIX")
    (root / "venv" / "bin").mkdir(parents=True)
    (root / "venv" / "bin" / "python").write_text("")
    assert choose_python(str(root), None, {}) == (
        f"{root}/venv/bin/python",
        "venv/ at the root",
    )
    (root / "venv" / "bin" / "python").unlink()
    assert choose_python(str(root), None, {}) == (sys.executable, "migrate's own")


def test_nothing_to_apply_runs_no_baseline(tmp_path: pathlib.Path) -> None:
    """A no-op apply does not run the (possibly long) verification command at all."""
    make_tree(tmp_path, {**BASE, "pkg/views.py": "", "tests/test_views.py": ""})
    marker = tmp_path / "ran"
    result = apply(tmp_path, "--verify-cmd", f"touch {marker}")
    assert result.exit_code == 0, result.output
    assert not marker.exists()
