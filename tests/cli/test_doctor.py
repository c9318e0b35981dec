"""``migrate doctor`` and ``migrate discover`` on real trees and a real git history."""

from __future__ import annotations

import importlib.machinery
import json
import pathlib
import re
import sys
from importlib.machinery import EXTENSION_SUFFIXES

import pytest
from click.testing import CliRunner
from gitrefactor import refactor_repo
from helpers import make_tree

from importshift.cli import group

OTHER_VERSION = re.sub(r"(?<=cpython-)\d+|(?<=\.cp)\d+", "399", EXTENSION_SUFFIXES[0])
FOREIGN = ".cp312-win_amd64.pyd" if sys.platform != "win32" else ".cpython-312-darwin.so"
FACTORY = "app.services.websocket_manager_factory"
CANONICAL = "app.websocket_core.canonical_imports"


def invoke(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), *args], catch_exceptions=False
    )


PLATFORM_TREE: dict[str, str | bytes] = {
    "rules.yaml": "version: 1\n",
    "pkg/__init__.py": "",
    "pkg/tools/__init__.py": "",
    "pkg/tools/text.py": "def slugify(s):\n    return s\n",
    "pkg/util.py": "X = 1\n",
    "app.py": (
        "from pkg.util import slugify\nimport pkg.gone\nimport resource\n"
        "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n"
        "import sys\nif sys.platform != 'win32':\n    import termios\n"
        "DOC = '''\nfrom pkg.nowhere import thing\n'''\n"
    ),
    "other.py": "from pkg.util import slugify\n",
    "pkg/tools/gone.py": "",  # the only module named like pkg.gone: a guess, never written
}


def test_summary_first_then_details_with_verbose(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, PLATFORM_TREE)
    result = invoke(tmp_path, "doctor", "--platform", "windows")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Missing modules (importing files, most first):",
        "  pkg.gone: 1 file(s)  -> pkg.tools.gone (the only module of that name)",
        "Missing names (importing files, most first):",
        "  pkg.util.slugify: 2 file(s)  -> pkg.tools.text.slugify (the only module that "
        "binds slugify)",
        "Imports the platform lacks:",
        "  app.py:3:1: 'resource' is not available on windows (guard it with try/except "
        "ImportError or a sys.platform check)",
    ]
    assert result.stderr.endswith(
        "4 problem(s) in 2 of 7 file(s): 1 missing module(s), 1 missing name(s), "
        "0 file(s) that do not parse, 1 platform import(s)\n"
    )
    verbose = invoke(tmp_path, "doctor", "-v").stdout
    assert (
        "Details:\n  app.py:1:1: cannot import name 'slugify' from 'pkg.util' (defined "
        "today: pkg.tools.text.slugify)\n  app.py:2:1: No module named 'pkg.gone' (defined "
        "today: pkg.tools.gone)\n"
        "  other.py:1:1: cannot import name 'slugify'" in verbose
    )
    assert invoke(tmp_path, "doctor", "--write-rules").exit_code == 1
    rules = (tmp_path / "rules.yaml").read_text()
    assert "  - old: pkg.util.slugify\n    new: pkg.tools.text.slugify\n    kind: symbol\n" in rules
    assert "pkg.gone" not in rules  # a guess by name alone: not written
    fixed = invoke(tmp_path, "apply", "--verify", "none")
    assert fixed.exit_code == 0, fixed.output
    assert (tmp_path / "app.py").read_text().startswith("from pkg.tools.text import slugify\n")
    again = invoke(tmp_path, "doctor", "--write-rules")
    assert again.exit_code == 1  # pkg.gone is still missing
    assert (tmp_path / "rules.yaml").read_text() == rules  # nothing written twice


def test_json_envelope_has_everything(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, PLATFORM_TREE)
    result = invoke(tmp_path, "--format", "json", "doctor")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["version"], data["command"], data["files"]) == (1, "doctor", 7)
    assert data["summary"] == {
        "module": 1,
        "symbol": 1,
        "syntax": 0,
        "shadowed": 0,
        "platform": 0,
    }
    assert data["groups"][0] == {
        "kind": "symbol",
        "old": "pkg.util.slugify",
        "importers": ["app.py", "other.py"],
        "sites": 2,
        "names": [],
        "suggestions": [
            {
                "new": "pkg.tools.text.slugify",
                "reason": "the only module that binds slugify",
                "writable": True,
            }
        ],
        "guarded": 0,
    }
    assert [f["path"] for f in data["findings"]] == ["app.py", "app.py", "other.py"]


def test_syntax_errors_are_their_own_findings(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "pkg/__init__.py": "",
            "pkg/ok.py": "X = 1\n",
            "tests/test_broken.py": "from pkg.ok import X\n\ndef test_x(:\n    pass\n",
            # the grammar holds, the compiler says no: whether or not someone imports it
            "pkg/compiled.py": "def f():\n    pass\n\nreturn 1\n",
            "pkg/late.py": "X = 1\nfrom __future__ import annotations\n",
            "user.py": "from pkg.compiled import f\n",
        },
    )
    result = invoke(tmp_path, "doctor")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Files that do not parse:",
        "  pkg/compiled.py:4:1: does not parse: 'return' outside function",
        "  pkg/late.py:2:1: does not parse: from __future__ imports must occur at the "
        "beginning of the file",
        "  tests/test_broken.py:3:12: does not parse: invalid syntax",
    ]
    data = json.loads(invoke(tmp_path, "--format", "json", "doctor").stdout)
    assert data["findings"][0]["kind"] == "syntax"


def test_installed_distribution_folder_and_shadowed_module(tmp_path: pathlib.Path) -> None:
    """A namespace folder named like an installed package (an ``alembic/`` migrations
    folder; here ``yaml/``, which the test interpreter has installed) gives no false
    findings; ``X.py`` beside ``X/`` is reported and never written as ``old == new``."""
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "yaml/env.py": "from yaml import safe_load\nfrom yaml.constructor import X\n",
            "yaml/versions/abc.py": "from yaml import dump\n",
            "pkg/__init__.py": "",
            "pkg/X.py": "def only_in_file():\n    return 1\n",
            "pkg/X/__init__.py": "REAL = 1\n",
            "app.py": "from pkg.X import only_in_file, REAL\n",
        },
    )
    result = invoke(tmp_path, "doctor", "--write-rules")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Missing names (importing files, most first):",
        "  pkg.X.only_in_file: 1 file(s)  (no module binds it today)",
        "Shadowed modules:",
        "  pkg/X.py:1:1: pkg/X.py is shadowed by the package pkg/X/__init__.py: "
        "'import pkg.X' never reaches it",
    ]
    assert (
        "note: yaml/ is provided by an installed distribution (the folder has no "
        "__init__.py): imports of yaml are not checked" in result.stderr
    )
    assert "added 0 move(s)" in result.stderr
    assert (tmp_path / "rules.yaml").read_text() == "version: 1\n"


@pytest.fixture
def refactored(tmp_path: pathlib.Path) -> tuple[pathlib.Path, str]:
    return tmp_path, refactor_repo(str(tmp_path))


def test_doctor_ranks_the_true_target_first(refactored: tuple[pathlib.Path, str]) -> None:
    """Without history: the candidate must bind every imported name (app.other.factory
    lacks ManagerConfig), and production importers are not pointed at tests.ws_helpers."""
    root, before = refactored
    data = json.loads(invoke(root, "--format", "json", "doctor").stdout)
    group = next(g for g in data["groups"] if g["old"] == FACTORY)
    assert group["names"] == ["ManagerConfig", "create_websocket_manager"]
    assert [s["new"] for s in group["suggestions"]] == [CANONICAL, "tests.ws_helpers"]
    assert group["suggestions"][0]["reason"] == (
        "binds ManagerConfig, create_websocket_manager; closest package (app)"
    )
    assert not group["suggestions"][0]["writable"]  # two candidates: not written blind
    with_history = json.loads(invoke(root, "--format", "json", "doctor", "--since", before).stdout)
    groups = {g["old"]: g["suggestions"][0] for g in with_history["groups"]}
    assert groups[FACTORY] == {
        "new": CANONICAL,
        "reason": f"moved there in git since {before}",
        "writable": True,
    }
    assert groups["app.utils.text.old_name"]["new"] == "app.utils.text.new_name"
    assert groups["app.websocket_core.events"]["new"] == "app.websocket_core.event_monitor"


def test_doctor_since_writes_rules_that_fix_everything(
    refactored: tuple[pathlib.Path, str],
) -> None:
    root, before = refactored
    assert invoke(root, "doctor", "--since", before, "--write-rules").exit_code == 1
    rules = (root / "rules.yaml").read_text()
    assert rules.count("  - old: ") == 6
    assert (
        "  - old: app.websocket_core.events.EventManager\n"
        "    new: app.websocket_core.event_monitor.ChatEventMonitor\n" in rules
    )
    applied = invoke(root, "apply", "--verify", "none", "--allow-dirty")
    assert applied.exit_code == 0, applied.output
    clean = invoke(root, "doctor")
    assert clean.exit_code == 0, clean.output
    assert clean.stdout == ""


def test_suggestions_survive_a_path_argument(refactored: tuple[pathlib.Path, str]) -> None:
    root, _ = refactored
    (root / "app/other/factory.py").write_text("def create_websocket_manager(c):\n    return c\n")
    result = invoke(root, "doctor", str(root / "app" / "api.py"))
    assert result.exit_code == 1
    # the names asked come from every importer in the tree, so ManagerConfig still rules
    # out app.other.factory, which defines create_websocket_manager alone
    assert (
        f"  {FACTORY} [ManagerConfig, create_websocket_manager]: 1 file(s)  -> {CANONICAL} ("
        in result.stdout
    )


def test_discover_since_recovers_the_moves_ranked(refactored: tuple[pathlib.Path, str]) -> None:
    root, before = refactored
    result = invoke(root, "--format", "json", "discover", "--since", before)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["version"], data["command"], data["since"]) == (1, "discover", before)
    got = [(p["old"], p["new"], p["importers"]) for p in data["proposals"]]
    assert got[:2] == [(FACTORY, CANONICAL, 3), ("app.legacy", "app.compat", 2)]
    assert ("app.utils.text.slugify", "app.utils.strings.slugify", 1) in got
    assert len({p["old"] for p in data["proposals"]}) == len(got)
    assert invoke(root, "discover", "--since", before, "--write").exit_code == 0
    rules = (root / "rules.yaml").read_text()
    assert invoke(root, "discover", "--since", before, "--write").exit_code == 0
    assert (root / "rules.yaml").read_text() == rules  # nothing written twice
    assert invoke(root, "plan").exit_code == 0  # the rules load
    bad = invoke(root, "discover", "--since", "no-such-rev")
    assert bad.exit_code == 2
    assert "cannot learn moves since no-such-rev" in bad.stderr


DISCOVER_TREE: dict[str, str | bytes] = {
    "rules.yaml": "version: 1\nmoves: []\n",
    "app/__init__.py": "",
    "app/log.py": "central_logger = object()\n",
    "app/core.py": "class Engine:\n    pass\n\n\nclass Part:\n    pass\n",
    # a compat module that re-exports a whole module: one module move
    "app/compat.py": "from app.core import Engine, Part\n",
    # a module with real code, a project alias, and aliases of outside names
    "app/base_agent.py": (
        "import logging\nfrom typing import List\nfrom app.log import central_logger\n\n"
        "Items = List\nlogger = central_logger\nstdlog = logging.getLogger\n\n\n"
        "class Agent:\n    pass\n"
    ),
    "app/a.py": "from app.compat import Engine\nfrom app.base_agent import Agent\n",
    "app/b.py": "from app.compat import Part\nfrom app.base_agent import Agent\n",
    "app/c.py": "import app.compat\nfrom app.base_agent import Agent\n",
}


def test_discover_ranks_and_leaves_outside_names_alone(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, DISCOVER_TREE)
    data = json.loads(invoke(tmp_path, "--format", "json", "discover").stdout)
    got = [(p["old"], p["new"], p["kind"], p["importers"]) for p in data["proposals"]]
    assert got == [
        ("app.compat", "app.core", "module", 3),
        ("app.base_agent.logger", "app.log.central_logger", "symbol", 0),
    ]
    wide = json.loads(invoke(tmp_path, "--format", "json", "discover", "--include-external").stdout)
    olds = [p["old"] for p in wide["proposals"]]
    assert olds == ["app.compat", "app.base_agent.Items", "app.base_agent.logger"]
    shims = json.loads(invoke(tmp_path, "--format", "json", "shims", "--discovered").stdout)[
        "shims"
    ]
    names = {(s["module"], n["name"]): len(n["importers"]) for s in shims for n in s["names"]}
    assert names == {("app.base_agent", "logger"): 0, ("app.compat", "*"): 3}


def test_names_that_live_apart_are_split_into_symbol_moves(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "pkg/__init__.py": "",
            "pkg/retrying.py": "def retry(fn):\n    return fn\n",
            "pkg/timing.py": "class Timer:\n    pass\n",
            "app.py": "from pkg.legacy_helpers import Timer, retry\n",
        },
    )
    result = invoke(tmp_path, "doctor", "--write-rules")
    assert result.exit_code == 1
    assert (
        "  pkg.legacy_helpers [Timer, retry]: 1 file(s)  -> split: Timer -> pkg.timing.Timer, "
        "retry -> pkg.retrying.retry (no module binds them all: the names live in 2 module(s))"
        in result.stdout
    )
    rules = (tmp_path / "rules.yaml").read_text()
    timer = "  - old: pkg.legacy_helpers.Timer\n    new: pkg.timing.Timer\n    kind: symbol\n"
    assert timer in rules
    assert "pkg.legacy_helpers\n" not in rules  # no module move for the split module
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    assert invoke(tmp_path, "doctor").exit_code == 0
    assert (tmp_path / "app.py").read_text() == (
        "from pkg.timing import Timer\nfrom pkg.retrying import retry\n"
    )


def test_a_folder_that_should_be_a_source_root_is_named(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "src/app/__init__.py": "",
            "src/app/core.py": "X = 1\n",
            "tools/run.py": "from app.core import gone\n",
        },
    )
    result = invoke(tmp_path, "doctor")
    assert result.exit_code == 0  # nothing was checked wrongly; the note says what was not
    assert (
        "note: src/ is not a source root, yet files import app as top-level name(s): those "
        "imports are not checked (add 'src' to source_roots)" in result.stderr
    )
    (tmp_path / "rules.yaml").write_text('version: 1\nsource_roots: ["src", "."]\n')
    fixed = invoke(tmp_path, "doctor")
    assert fixed.exit_code == 1
    assert "  app.core.gone: 1 file(s)  (no module binds it today)" in fixed.stdout


def test_syntax_verdicts_follow_edits_after_bytecode_and_cache(tmp_path: pathlib.Path) -> None:
    """A tree whose tests have run (real bytecode from ``compileall``), doctor run once
    (its cache written), then a file broken by an edit of the same size: the bytecode and
    the cache both describe the old bytes, and neither may hide the new syntax error."""
    import os
    import subprocess
    import sys

    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "pkg/__init__.py": "",
            "pkg/ok.py": "X = 1\n",
            "pkg/user.py": "from pkg.ok import X\nY = (X)\n",
        },
    )
    old = 1_600_000_000
    for path in tmp_path.rglob("*.py"):
        os.utime(path, (old, old))  # older than the cache's two-second window
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tmp_path)], check=True)
    assert list(tmp_path.glob("pkg/__pycache__/user.*.pyc"))

    def doctor() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "importshift", "--rules", "rules.yaml", "doctor"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = doctor()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (tmp_path / ".migrate" / "facts.v4").exists()
    user = tmp_path / "pkg" / "user.py"
    user.write_text("from pkg.ok import X\nY = (X\n\n")  # same size, no longer compiles
    os.utime(user, (old + 5, old + 5))
    second = doctor()
    assert second.returncode == 1
    assert "pkg/user.py:2:5: does not parse: '(' was never closed" in second.stdout
    # the same edit with the mtime put back: the cache and the bytecode header both still
    # match size and mtime; the ctime (which nobody can set) gives the edit away
    user.write_text("from pkg.ok import X\nY = (X)\n")
    os.utime(user, (old, old))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tmp_path)], check=True)
    assert doctor().returncode == 0
    user.write_text("from pkg.ok import X\nY = (X\n\n")
    os.utime(user, (old, old))
    third = doctor()
    assert third.returncode == 1, third.stdout
    assert "pkg/user.py:2:5: does not parse: '(' was never closed" in third.stdout


def test_compiled_modules_module_attributes_and_import_hooks(tmp_path: pathlib.Path) -> None:
    """What exists only at run time is not reported as missing: extension modules next to
    the sources, the attributes every module has, and whatever lives below a module that
    installs an import hook or writes sys.modules (named in a note instead). A missing
    module beside them is still found."""
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "pkg/__init__.py": "",
            f"pkg/_speedups{OTHER_VERSION}": b"\x7fELF",  # built for another CPython
            f"pkg/native{importlib.machinery.EXTENSION_SUFFIXES[-1]}": b"\x7fELF",
            f"pkg/foreign{FOREIGN}": b"\x7fELF",  # another platform's build
            "pkg/docs.py": '"""Never write sys.modules["pkg.x"] = y here; see sys.meta_path."""\n',
            "pkg/loader.py": (
                "import sys\n\ndef load(name, module):\n    sys.modules[name] = module\n"
            ),
            "pkg/plain.py": "X = 1\n",
            "pkg/extern/__init__.py": "import sys\n\nsys.meta_path.append(object())\n",
            "pkg/aliases.py": "import sys\nimport json\n\nsys.modules['pkg.aliases.js'] = json\n",
            "app.py": (
                "from pkg import _speedups, native\n"
                "import pkg._speedups\n"
                "from pkg.plain import __doc__, __file__\n"
                "from pkg.extern.six import moves\n"
                "from pkg.extern import vendored\n"
                "import pkg.aliases.js\n"
                "from pkg import gone\n"
                "import pkg.missing\n"
                "import pkg.foreign\n"
                "from pkg.docs import nothing\n"
                "import pkg.docs.below\n"
                "from pkg.loader import load, load_all\n"
            ),
        },
    )
    result = invoke(tmp_path, "-v", "doctor")
    assert result.exit_code == 1
    found = [line.strip() for line in result.stdout.splitlines() if line.startswith("  app.py")]
    assert found == [
        "app.py:7:1: cannot import name 'gone' from 'pkg'",
        "app.py:8:1: No module named 'pkg.missing'",
        "app.py:9:1: No module named 'pkg.foreign'",
        "app.py:10:1: cannot import name 'nothing' from 'pkg.docs'",
        "app.py:11:1: No module named 'pkg.docs.below'",
        "app.py:12:1: cannot import name 'load_all' from 'pkg.loader'",
    ]
    assert "pkg/docs.py" not in result.stderr and "pkg/loader.py" not in result.stderr
    assert "module(s) exist on disk but were not read" in result.stderr
    assert (
        "note: pkg/extern/__init__.py installs an import hook or writes sys.modules: imports "
        "below it in 1 file(s) are decided at run time and not checked" in result.stderr
    )
    assert "note: pkg/aliases.py installs an import hook" in result.stderr


@pytest.mark.posix  # a symlink
def test_modules_on_disk_that_the_walk_skips_are_not_missing(tmp_path: pathlib.Path) -> None:
    """A symlinked module and an excluded folder are there for Python: not missing. The
    symlink is said to be unchecked; an excluded top-level package is outside the roots
    doctor checks (like a third-party one)."""
    make_tree(
        tmp_path,
        {
            "rules.yaml": 'version: 1\nexclude: ["legacy/**"]\n',
            "pkg/__init__.py": "",
            "pkg/real.py": "X = 1\n",
            "legacy/__init__.py": "",
            "legacy/old.py": "Y = 1\n",
            "app.py": "import pkg.alias\nfrom legacy.old import Y\nimport pkg.nothing\n",
        },
    )
    (tmp_path / "pkg" / "alias.py").symlink_to(tmp_path / "pkg" / "real.py")
    result = invoke(tmp_path, "-v", "doctor")
    assert result.exit_code == 1
    found = [line.strip() for line in result.stdout.splitlines() if line.startswith("  app.py")]
    assert found == ["app.py:3:1: No module named 'pkg.nothing'"]
    assert "1 module(s) exist on disk but were not read" in result.stderr
    assert "): pkg.alias; imports of them are not checked" in result.stderr


def test_guarded_imports_are_marked_and_ranked_after_breaking_ones(tmp_path: pathlib.Path) -> None:
    """An import behind try/except ImportError or ``if TYPE_CHECKING:`` cannot fail the
    import of its file: still a finding (exit 1), but marked, and the groups that break
    imports come first. Only Python files are examined: a README is not a syntax error, and
    a stub beside its module is not shadowed."""
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "pkg/__init__.py": "",
            "pkg/mod.py": "X = 1\n",
            "pkg/mod.pyi": "X: int\n",
            "README.md": "# Title\n\nimport pkg.gone as it is\n",
            "a.py": (
                "try:\n    from pkg.optional import fast\nexcept ImportError:\n    fast = None\n"
            ),
            "b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.optional import fast\n"
            ),
            "c.py": "try:\n    from pkg.optional import fast\nexcept KeyError:\n    pass\n",
            "d.py": "from pkg.moved import thing\n",
            "e.py": "def later():\n    from pkg.moved import thing\n",
            "g.py": "from pkg.moved import thing\n",
            "h.py": (
                "try:\n    from pkg.optional import fast\n"
                "except ImportError as exc:\n    raise RuntimeError('needs fast') from exc\n"
            ),
            "i.py": (
                "try:\n    from pkg import gone_name\n"
                "except ModuleNotFoundError:\n    gone_name = None\n"
            ),
            "j.py": (
                "try:\n    def later():\n        from pkg.optional import fast\n"
                "except ImportError:\n    pass\n"
            ),
            "k.py": "try:\n    import pkg.absent\nexcept ModuleNotFoundError:\n    pass\n",
            "f.py": (
                "import typing\nif not typing.TYPE_CHECKING:\n    from pkg.optional import fast\n"
            ),
        },
    )
    result = invoke(tmp_path, "-v", "doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Missing modules (importing files, most first):",
        "  pkg.optional [fast]: 6 file(s) (2 only behind a guard)  (no module binds it today)",
        "  pkg.moved [thing]: 3 file(s)  (no module binds it today)",
        "  pkg.absent: 1 file(s) (1 only behind a guard)  (no module binds it today)",
    ]
    assert "  a.py:2:5: No module named 'pkg.optional' [behind try/except ImportError]" in lines
    assert "  b.py:3:5: No module named 'pkg.optional' [behind TYPE_CHECKING]" in lines
    assert "  c.py:2:5: No module named 'pkg.optional'" in lines  # KeyError guards nothing
    assert "  e.py:2:5: No module named 'pkg.moved'" in lines  # fails when called
    assert "  f.py:3:5: No module named 'pkg.optional'" in lines  # runs: not a guard
    assert not any("README" in line or "Shadowed" in line for line in lines)
    assert "3 of them behind a guard (try/except, TYPE_CHECKING)" in result.stderr
    data = json.loads(invoke(tmp_path, "--format", "json", "doctor").stdout)
    assert [(f["path"], f["guard"]) for f in data["findings"]] == [
        ("a.py", "try/except ImportError"),
        ("b.py", "TYPE_CHECKING"),
        ("c.py", ""),
        ("d.py", ""),
        ("e.py", ""),
        ("f.py", ""),
        ("g.py", ""),
        ("h.py", ""),  # the handler raises again
        ("i.py", ""),  # a missing name raises ImportError, not ModuleNotFoundError
        ("j.py", ""),  # fails when later() runs
        ("k.py", "try/except ModuleNotFoundError"),
    ]


def test_a_stub_alone_is_no_module_and_packages_have_a_path(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\n",
            "pkg/__init__.py": "",
            "pkg/only.pyi": "X: int\n",
            "pkg/both.py": "X = 1\n",
            "pkg/both.pyi": "X: int\n",
            "pkg/other.pyi": "from pkg.only import X\n",  # stubs read stubs
            "pkg/typed/__init__.pyi": "",  # a namespace package at run time
            "pkg/_ext.pyi": "X: int\n",
            f"pkg/_ext{importlib.machinery.EXTENSION_SUFFIXES[0]}": b"\x7fELF",
            "app.py": (
                "import pkg.only\nfrom pkg.both import X\n"
                "from pkg import __path__, __builtins__\nfrom pkg.both import __path__\n"
                "import pkg.typed\nfrom pkg._ext import X\n"
            ),
        },
    )
    result = invoke(tmp_path, "-v", "doctor")
    found = [line.strip() for line in result.stdout.splitlines() if line.startswith("  app.py")]
    assert found == [
        "app.py:1:1: No module named 'pkg.only' (only a stub: pkg/only.pyi)",
        "app.py:4:1: cannot import name '__path__' from 'pkg.both'",
    ]


@pytest.mark.posix  # symlinks and a FIFO
def test_what_the_import_system_cannot_load_is_missing(tmp_path: pathlib.Path) -> None:
    """Only what Python can import counts as there: not a broken link, a folder named
    x.py, a data file, a FIFO; a folder is a namespace package that binds its submodules
    only; a folder with only ``__init__.pyi`` too; a stub beside a module the walk skipped
    is fine. Each verdict is checked against a real import in a subprocess."""
    import os
    import subprocess

    make_tree(
        tmp_path,
        {
            "rules.yaml": 'version: 1\nexclude: ["pkg/excl.py"]\n',
            "pkg/__init__.py": "",
            "pkg/real.py": "X = 1\n",
            "pkg/plainfile": "x\n",
            "pkg/VERSION": "1.0\n",
            "pkg/datadir/readme.txt": "x\n",
            "pkg/emptydir/.keep": "",
            "pkg/typed/__init__.pyi": "Foo: int\n",
            "pkg/linked.pyi": "X: int\n",
            "pkg/excl.pyi": "X: int\n",
            "pkg/excl.py": "X = 1\n",
            "pkg/nsstub.pyi": "",
            "pkg/nsstub/.keep": "",
            "pkg/ns/.keep": "",
        },
    )
    (tmp_path / "pkg" / "broken.py").symlink_to("/nonexistent/t.py")
    (tmp_path / "pkg" / "dirpy.py").mkdir()
    (tmp_path / "pkg" / "linked.py").symlink_to(tmp_path / "pkg" / "real.py")
    os.mkfifo(tmp_path / "pkg" / "fifo.py")
    statements = {
        "import pkg.broken": False,
        "import pkg.dirpy": False,
        "import pkg.plainfile": False,
        "from pkg import VERSION": False,
        "from pkg.emptydir import Foo": False,
        "import pkg.emptydir.sub": False,
        "from pkg.datadir import readme": False,
        "import pkg.fifo": False,
        "from pkg.typed import Foo": False,
        "from pkg.typed import __path__": True,
        "from pkg.ns import __builtins__": False,
        "from pkg.ns import __path__": True,
        "import pkg.emptydir": True,
        "from pkg.linked import X": True,
        "from pkg.excl import X": True,
        "import pkg.nsstub": True,
    }
    for statement, works in statements.items():
        real = subprocess.run([sys.executable, "-c", statement], cwd=tmp_path, timeout=60)
        assert (real.returncode == 0) is works, statement  # the truth, from Python
        (tmp_path / "app.py").write_text(statement + "\n")
        result = invoke(tmp_path, "doctor")
        assert (result.exit_code == 0) is works, (statement, result.stdout)
