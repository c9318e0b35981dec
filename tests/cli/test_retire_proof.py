"""retire proves a shim unused or keeps it: every way a file can still reach it, for real.

Each case adds one file that still reaches the shim ``pkg/events.py`` (the alias
``Manager``) in a way the import rewrite does not see; retire must keep the shim, say where
it is used, exit 1, and ``shims`` must agree (same decision function).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys

import pytest
from click.testing import CliRunner
from helpers import make_tree, snapshot

from importshift.analysis.shims import Shim, ShimName, decide
from importshift.analysis.uses import ALL, Use
from importshift.cli import group

RULES = """\
version: 1
# the alias that events.py keeps for old importers
moves:
  - old: pkg.events.Manager   # no kind: retire writes it when it deletes events.py
    new: pkg.monitor.Monitor
    reason: "events.py is a compatibility alias"
"""

SHIM = "from pkg.monitor import Monitor as Manager\n"

BASE: dict[str, str | bytes] = {
    "rules.yaml": RULES,
    "pkg/__init__.py": "",
    "pkg/monitor.py": "class Monitor:\n    pass\n",
    "pkg/events.py": SHIM,
    "app/__init__.py": "",
    "app/views.py": "from pkg.monitor import Monitor\n\n\ndef view():\n    return Monitor()\n",
}


def invoke(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), *args], catch_exceptions=False
    )


if sys.version_info < (3, 12):
    NEWER = "type Alias = int\n"  # 3.12 syntax
elif sys.version_info < (3, 14):
    NEWER = "name = 'x'\ngreeting = t'hello {name}'\n"  # 3.14 syntax
else:  # pragma: no cover - nothing newer to write yet
    NEWER = ""

CASES = {
    "import_module": (
        {"app/dyn.py": "import importlib\n\nmod = importlib.import_module('pkg.events')\n"},
        "app/dyn.py:3",
    ),
    "__import__": ({"app/dyn.py": "events = __import__('pkg.events')\n"}, "app/dyn.py:1"),
    "relative import_module": (
        {"pkg/loader.py": "import importlib\n\nm = importlib.import_module('.events', 'pkg')\n"},
        "pkg/loader.py:3",
    ),
    "import_module of a name built at run time": (
        {
            "app/plugins.py": "import importlib\n\n\ndef load(name):\n"
            "    return importlib.import_module('pkg.' + name)\n"
        },
        "cannot prove unused: app/plugins.py:5",
    ),
    "f-string __import__": (
        {"app/plugins.py": "def load(name):\n    return __import__(f'pkg.{name}')\n"},
        "cannot prove unused: app/plugins.py:2",
    ),
    "doctest in a docstring": (
        {
            "app/doc.py": 'def f():\n    """Example.\n\n    >>> from pkg.events import Manager\n'
            '    >>> Manager()\n    """\n'
        },
        "app/doc.py:4",
    ),
    "exec of an import": ({"app/ex.py": "exec('from pkg import events')\n"}, "app/ex.py:1"),
    "pytest_plugins": ({"conftest.py": "pytest_plugins = ['pkg.events']\n"}, "conftest.py:1"),
    "sys.modules lookup": (
        {"app/mods.py": "import sys\n\nM = sys.modules['pkg.events'].Manager\n"},
        "app/mods.py:3",
    ),
    "pkgutil.resolve_name": (
        {"app/dyn.py": "import pkgutil\n\nM = pkgutil.resolve_name('pkg.events:Manager')\n"},
        "app/dyn.py:3",
    ),
    "entry point in pyproject.toml": (
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[project.scripts]\n'
            'run = "pkg.events:Manager"\n'
        },
        "pyproject.toml:5",
    ),
    "entry point in setup.cfg": (
        {"setup.cfg": "[options.entry_points]\nconsole_scripts =\n    run = pkg.events:Manager\n"},
        "setup.cfg:3",
    ),
    "entry point in setup.py": (
        {
            "setup.py": "from setuptools import setup\n\nsetup(entry_points={'console_scripts': "
            "['run = pkg.events:Manager']})\n"
        },
        "setup.py:3",
    ),
    "hasattr on the module": (
        {
            "tests/test_compat.py": "import pkg.events as ev\n\n\ndef test_alias():\n"
            "    assert hasattr(ev, 'Manager')\n"
        },
        "tests/test_compat.py:5",
    ),
    "getattr through from-import": (
        {"app/dyn.py": "from pkg import events\n\nM = getattr(events, 'Manager')\n"},
        "app/dyn.py:3",
    ),
    "mock.patch.object": (
        {
            "tests/test_patch.py": "from unittest import mock\n\nimport pkg.events\n\n"
            "P = mock.patch.object(pkg.events, 'Manager')\n"
        },
        "tests/test_patch.py:5",
    ),
    "module object passed on": (
        {"app/registry.py": "from pkg import events\n\nMODULES = [events]\n"},
        "app/registry.py:3",
    ),
    "star re-export chain": (
        {
            "pkg/api.py": "from pkg.events import *  # noqa: F403\n",
            "app/user.py": "from pkg.api import Manager\n\nx = Manager\n",
        },
        "pkg/api.py:1",
    ),
    "relative star re-export": (
        {"pkg/api.py": "from .events import *  # noqa: F403\n"},
        "pkg/api.py:1",
    ),
    ".pyi stub importing it": (
        {"app/types.pyi": "from pkg.events import Manager\n\ndef make() -> Manager: ...\n"},
        "app/types.pyi:1",
    ),
    "the shim's own stub": ({"pkg/events.pyi": "class Manager: ...\n"}, "pkg/events.pyi:1"),
    "file that does not parse (Python 2)": (
        {"app/old.py": "print 'legacy'\nfrom pkg.events import Manager\n"},
        "cannot prove unused: app/old.py:2",
    ),
    "file with syntax newer than this Python": (
        {"app/new.py": NEWER + "from pkg.events import Manager\n"},
        f"cannot prove unused: app/new.py:{NEWER.count(chr(10)) + 1}",
    ),
    "unparsed file with a relative import": (
        {"pkg/broken.py": "from . import events\nif True print(events)\n"},
        "cannot prove unused: pkg/broken.py:1",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_retire_keeps_a_shim_that_is_still_reached(tmp_path: pathlib.Path, case: str) -> None:
    extra, where = CASES[case]
    if not NEWER and "newer" in case:
        pytest.skip("no syntax newer than this Python to write")
    make_tree(tmp_path, {**BASE, **extra})
    before = snapshot(tmp_path)

    shims = invoke(tmp_path, "shims")
    assert shims.exit_code == 0, shims.output
    assert shims.stdout.splitlines()[0] == "pkg.events  pkg/events.py  [in use]"
    report = json.loads(invoke(tmp_path, "shims", "--format", "json").stdout)["shims"]
    assert report[0]["delete"] is False and report[0]["remove"] == []
    assert where.removeprefix("cannot prove unused: ") in {
        f"{u['path']}:{u['line']}" for n in report[0]["names"] for u in n["uses"]
    }

    dry = invoke(tmp_path, "retire", "--dry-run")
    result = invoke(tmp_path, "retire")
    assert result.exit_code == 1, result.output
    assert dry.stdout == result.stdout
    kept = [line for line in result.stdout.splitlines() if line.startswith("kept ")]
    assert len(kept) == 1 and kept[0].startswith("kept pkg.events.Manager: ")
    assert where in kept[0]
    assert "nothing is ready to retire" in result.stderr
    assert snapshot(tmp_path) == before  # nothing deleted, rules untouched


def _cold(root: pathlib.Path) -> None:
    shutil.rmtree(root / ".migrate" / "cache", ignore_errors=True)


def test_unused_shim_is_deleted_and_rules_stay_loadable(tmp_path: pathlib.Path) -> None:
    # the same tree with none of the uses above: the proof passes and the shim goes
    make_tree(
        tmp_path, {**BASE, "app/dyn.py": "import importlib\n\nimportlib.import_module('json')\n"}
    )
    assert invoke(tmp_path, "shims").stdout.splitlines() == [
        "pkg.events  pkg/events.py  [ready to retire]",
        "  Manager: 0 importing file(s)",
        "  retire deletes pkg/events.py",
    ]
    assert invoke(tmp_path, "check", str(tmp_path / "app/views.py")).exit_code == 0  # warm cache
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert result.stdout == "delete pkg/events.py: nothing uses pkg.events any more\n"
    assert "wrote 'kind:' into 1 move(s)" in result.stderr
    assert not (tmp_path / "pkg/events.py").exists()
    assert (tmp_path / "rules.yaml").read_text() == RULES.replace(
        "retire writes it when it deletes events.py\n",
        "retire writes it when it deletes events.py\n    kind: symbol\n",
    )
    # every command still works without the shim, from a cold cache (what CI sees)
    for args in (
        ("plan",),
        ("check", str(tmp_path / "app/views.py")),
        ("shims",),
        ("retire", "--dry-run"),
        ("discover",),
        ("doctor",),
        ("apply", "--verify", "none"),
    ):
        _cold(tmp_path)
        run = invoke(tmp_path, *args)
        assert run.exit_code == 0, (args, run.output)
    assert invoke(tmp_path, "shims").stdout.startswith("pkg.events  (gone)  [retired]")
    _cold(tmp_path)
    assert invoke(tmp_path, "undo").exit_code == 0
    assert (tmp_path / "pkg/events.py").read_text() == SHIM
    _cold(tmp_path)
    assert invoke(tmp_path, "plan").exit_code == 0  # the explicit kind is right either way


def test_module_shim_deleted_gets_kind_module_in_a_crlf_flow_rules_file(
    tmp_path: pathlib.Path,
) -> None:
    rules = b"version: 1\r\n# flow style, CRLF\r\nmoves: [{old: pkg.old_api, new: pkg.api}]\r\n"
    make_tree(
        tmp_path,
        {
            "rules.yaml": rules,
            "pkg/__init__.py": "",
            "pkg/api.py": "def call():\n    return 1\n",
            "pkg/old_api.py": "from pkg.api import *  # noqa: F403\n",
            "app.py": "from pkg.api import call\n",
        },
    )
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "pkg/old_api.py").exists()
    assert (tmp_path / "rules.yaml").read_bytes() == rules.replace(
        b"pkg.old_api,", b"pkg.old_api, kind: module,"
    )
    _cold(tmp_path)
    assert invoke(tmp_path, "check", str(tmp_path / "app.py")).exit_code == 0


def test_star_reexport_blocks_alias_but_not_an_unrelated_shim(tmp_path: pathlib.Path) -> None:
    """Only the shim re-exported by ``*`` is kept; another, unused one in the same run goes."""
    make_tree(
        tmp_path,
        {
            **BASE,
            "rules.yaml": RULES + "  - old: pkg.compat.Old\n    new: pkg.monitor.Monitor\n",
            "pkg/compat.py": "from pkg.monitor import Monitor\n\nOld = Monitor\n",
            "pkg/api.py": "from pkg.events import *  # noqa: F403\n",
        },
    )
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 1, result.output
    assert (
        "kept pkg.events.Manager: still used: pkg/api.py:1 re-exports everything" in result.stdout
    )
    assert "delete pkg/compat.py: nothing uses pkg.compat any more" in result.stdout
    assert (tmp_path / "pkg/events.py").read_text() == SHIM
    assert not (tmp_path / "pkg/compat.py").exists()


def test_excluded_files_are_not_uses(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **BASE,
            "rules.yaml": RULES + "exclude: ['backups/**']\n",
            "backups/old.pyi": "from pkg.events import Manager\n",
            "backups/old.py": "print 'x'\nfrom pkg.events import Manager\n",
        },
    )
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "pkg/events.py").exists()


def _shim(*names: ShimName, shim_only: bool = True, **kw: object) -> Shim:
    return Shim("pkg.events", "pkg/events.py", names, shim_only, (), **kw)  # type: ignore[arg-type]


def test_one_decision_for_shims_and_retire() -> None:
    free = ShimName("A", "pkg.events.A", (), ())
    imported = ShimName("B", "pkg.events.B", ("app/x.py",), ())
    unproved = ShimName(
        "C", "pkg.events.C", (), (), (Use("app/y.py", 2, "pkg.events", ALL, "x", False),)
    )
    both = _shim(free, imported, removable=frozenset({"A"}))
    verdict = decide(both)
    assert (verdict.delete, verdict.remove, verdict.rules) == (False, ("A",), ("pkg.events.A",))
    assert [(k.label, k.manual) for k in verdict.kept] == [("pkg.events.B", False)]
    assert both.status == "partly ready"
    kept = decide(_shim(unproved)).kept
    assert [k.reason for k in kept] == ["cannot prove unused: app/y.py:2 (x)"]
    assert kept[0].manual and _shim(unproved).status == "in use"
    assert decide(_shim(free)).delete and _shim(free).status == "ready to retire"
    assert not decide(_shim(free, shim_only=False)).delete  # real code: never deleted
    assert _shim(free, shim_only=False, removable=frozenset({"A"})).status == "ready to retire"
    assert decide(_shim(free, internal=frozenset({"A"}), shim_only=False)).remove == ()


def test_rules_that_cannot_be_rewritten_stop_retire_before_it_deletes(
    tmp_path: pathlib.Path,
) -> None:
    make_tree(tmp_path, BASE)
    rules = tmp_path / "rules.yaml"
    dry = invoke(tmp_path, "retire", "--dry-run")
    assert dry.exit_code == 0
    assert "would write 'kind:' into the moves of pkg.events.Manager" in dry.stderr
    rules.chmod(0o444)
    before = snapshot(tmp_path)
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "read-only" in result.stderr
    assert snapshot(tmp_path) == before  # the shim is still there, the rules as they were


def test_a_shim_whose_other_names_are_imported_loses_the_alias_and_says_why_it_stays(
    tmp_path: pathlib.Path,
) -> None:
    make_tree(
        tmp_path,
        {
            **BASE,
            "pkg/monitor.py": "class Monitor:\n    pass\n\n\nclass Helper:\n    pass\n",
            "pkg/events.py": "from pkg.monitor import Helper\n" + SHIM,
            "app/helper.py": "from pkg.events import Helper\n",
        },
    )
    shims = invoke(tmp_path, "shims")
    assert "pkg.events  pkg/events.py  [partly ready]" in shims.stdout
    assert "  retire removes Manager" in shims.stdout
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "kept pkg/events.py: its other names are imported by 1 file(s)",
        "remove Manager from pkg/events.py",
    ]
    assert (tmp_path / "pkg/events.py").read_text() == "from pkg.monitor import Helper\n"
    # the alias is gone, so the move needs its kind to load (the module alone is not enough)
    assert (tmp_path / "rules.yaml").read_text() == RULES.replace(
        "events.py\n", "events.py\n    kind: symbol\n", 1
    )
    _cold(tmp_path)
    assert invoke(tmp_path, "plan").exit_code == 0


def test_a_large_tree_is_proved_in_worker_processes_with_the_same_answer(
    tmp_path: pathlib.Path,
) -> None:
    many: dict[str, str | bytes] = {f"app/m{i:04}.py": f"X{i} = {i}\n" for i in range(520)}
    many["app/m0519.py"] = "import pkg.events as ev\n\nassert hasattr(ev, 'Manager')\n"
    make_tree(tmp_path, {**BASE, **many})
    for jobs in ("1", "2"):
        result = invoke(tmp_path, "-j", jobs, "retire", "--dry-run")
        assert result.exit_code == 1, result.output
        assert result.stdout == (
            "kept pkg.events.Manager: still used: app/m0519.py:3 reaches it through "
            "hasattr(..., 'Manager')\n"
        )


def test_a_string_that_apply_rewrites_waits_for_apply(tmp_path: pathlib.Path) -> None:
    rules = RULES.replace("    reason:", "    strings: true\n    reason:")
    patch = "from unittest import mock\n\nP = mock.patch('pkg.events.Manager')\n"
    make_tree(tmp_path, {**BASE, "rules.yaml": rules, "tests/test_p.py": patch})
    waiting = invoke(tmp_path, "retire", "--verify", "none")
    assert waiting.exit_code == 0, waiting.output  # nothing for the user to do but apply
    assert waiting.stdout == (
        "kept pkg.events.Manager: still named in 1 string(s) (migrate apply)\n"
    )  # a string is not an import: not counted as one
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    assert "pkg.monitor.Monitor" in (tmp_path / "tests/test_p.py").read_text()
    done = invoke(tmp_path, "retire", "--verify", "none")
    assert done.exit_code == 0, done.output
    assert not (tmp_path / "pkg/events.py").exists()


AGREEMENT_TREES = {
    "unused": {},
    "other names imported": {
        "pkg/monitor.py": "class Monitor:\n    pass\n\n\nclass Helper:\n    pass\n",
        "pkg/events.py": "from pkg.monitor import Helper\n" + SHIM,
        "app/helper.py": "from pkg.events import Helper\n",
    },
    "imported": {"app/old.py": "from pkg.events import Manager\n"},
    **{name: files for name, (files, _) in CASES.items() if "newer" not in name},
}


@pytest.mark.parametrize("tree", sorted(AGREEMENT_TREES))
def test_shims_shows_exactly_what_retire_does(tmp_path: pathlib.Path, tree: str) -> None:
    make_tree(tmp_path, {**BASE, **AGREEMENT_TREES[tree]})
    shown = json.loads(invoke(tmp_path, "shims", "--format", "json").stdout)["shims"]
    report = {s["module"]: s for s in shown}
    said = set()
    for s in report.values():
        if s["delete"]:
            said.add(f"delete {s['path']}: nothing uses {s['module']} any more")
        elif s["remove"]:
            said.add(f"remove {', '.join(s['remove'])} from {s['path']}")
        said.update(f"kept {k['what']}: {k['reason']}" for k in s["kept"])
    dry = invoke(tmp_path, "retire", "--dry-run")
    assert set(dry.stdout.splitlines()) == said
    manual = any(k["manual"] for s in report.values() for k in s["kept"])
    assert dry.exit_code == (1 if manual else 0)


def test_a_shim_that_does_not_parse_is_left_alone(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {**BASE, "pkg/events.py": NEWER + SHIM if NEWER else "print 'x'\n" + SHIM})
    before = snapshot(tmp_path)
    result = invoke(tmp_path, "retire", "--verify", "none")
    assert result.exit_code == 1
    assert result.stdout == (
        "kept pkg/events.py: cannot prove unused: it does not parse on this Python, "
        "so retire leaves it alone\n"
    )
    assert snapshot(tmp_path) == before
