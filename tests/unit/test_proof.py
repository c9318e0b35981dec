"""find_uses on single files: what counts as a use of a shim, and what does not."""

from __future__ import annotations

import pytest

from importshift.analysis.proof import find_uses
from importshift.analysis.uses import ALL, MODULE

SHIMS = {"pkg.events": frozenset({"Manager"}), "pkg.factory": frozenset({"*"})}


def _uses(text: str, path: str = "app/x.py", module: str | None = "app.x", static: bool = False):  # type: ignore[no-untyped-def]
    found = find_uses(text.encode(), path, module, False, SHIMS, static)
    return [(u.module, u.name, u.line, u.proof) for u in found]


@pytest.mark.parametrize(
    "text",
    [
        "from pkg.events import Other\n",  # the engine and importers_of judge plain imports
        "import pkg.events\n\nx = pkg.events.Other\n",
        "'''Moved from pkg.events to pkg.monitor.'''\n",  # prose naming the module
        "import importlib\n\nimportlib.import_module('json')\n",
        "import importlib\n\nimportlib.import_module('other.' + name)\n",
        "x = getattr(obj, 'Manager')\n",  # nothing ties obj to the shim
        "from pkg import events\n\nevents.Other()\n",  # attribute access is judged by name
        "events = 1\nprint(events)\n",  # a local that merely shares the name
    ],
)
def test_not_a_use(text: str) -> None:
    assert _uses(text) == []


def test_uses_in_python() -> None:
    assert _uses("import pkg.events as ev\n\nhasattr(ev, 'Manager')\n") == [
        ("pkg.events", "Manager", 3, True)
    ]
    assert _uses("x = 'pkg.events:Other'\n") == [("pkg.events", MODULE, 1, True)]
    assert _uses("x = 'pkg.factory.create'\n") == [("pkg.factory", MODULE, 1, True)]
    assert _uses("x = f'pkg.events.{name}'\n") == [("pkg.events", ALL, 1, True)]
    assert _uses("def f(m):\n    m.setattr(events, 'Manager', 1)\n\nfrom pkg import events\n") == [
        ("pkg.events", "Manager", 2, True)
    ]
    assert _uses("m = __import__('pkg.events', fromlist=['x'])\nm.Manager\n") == [
        ("pkg.events", ALL, 1, True)
    ]
    assert _uses("import importlib\nimportlib.import_module('pkg.' + n)\n") == [
        ("pkg.events", ALL, 2, False),
        ("pkg.factory", ALL, 2, False),
    ]
    assert _uses("def f(m):\n    return m\n\nimport pkg.events\nf(pkg.events)\n") == [
        ("pkg.events", ALL, 5, True)
    ]


def test_stubs_are_read_statically() -> None:
    stub = "import pkg.events\n\ndef f() -> pkg.events.Manager: ...\n"
    assert _uses(stub, "app/x.pyi", "app.x", static=True) == [
        ("pkg.events", MODULE, 1, True),
        ("pkg.events", "Manager", 3, True),
    ]
    own = find_uses(b"X: int\n", "pkg/events.pyi", "pkg.events", False, SHIMS, True)
    assert [(u.module, u.name) for u in own] == [("pkg.events", ALL)]


def test_text_files_and_scripts() -> None:
    assert _uses("Use `from pkg import events` here.\n", "docs/a.md", None) == [
        ("pkg.events", ALL, 1, True)
    ]
    assert _uses('{"source": ["import pkg.factory\\n"]}', "nb.ipynb", None) == [
        ("pkg.factory", ALL, 1, True)
    ]
    assert _uses("[tool]\nplugins = ['pkg.events.Manager']\n", "tox.ini", None) == [
        ("pkg.events", "Manager", 2, True)
    ]
    script = "#!/usr/bin/env python\nprint 'x'\nfrom pkg.events import Manager\n"
    assert _uses(script, "bin/tool", None) == [("pkg.events", ALL, 3, False)]


def test_a_file_listed_by_the_walk_and_as_extra_counts_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from helpers import NoProbe, make_tree

    from importshift.analysis.proof import extra_files
    from importshift.analysis.shims import find_shims
    from importshift.codebase import files as modules
    from importshift.config.rules import load_rules

    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1\nmoves:\n  - old: pkg.events.Manager\n"
            "    new: pkg.monitor.Monitor\n",
            "pkg/__init__.py": "",
            "pkg/monitor.py": "class Monitor: ...\n",
            "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
            "app/types.pyi": "from pkg.events import Manager\n",
            "pyproject.toml": "[x]\nentry = 'pkg.events:Manager'\n",
        },
    )
    rules = load_rules(str(tmp_path / "rules.yaml"), str(tmp_path), probe=NoProbe()).ruleset
    listed, _ = modules.walk(rules.root, rules.exclude, rules.gitignore, rules.include)
    index = modules.module_index(modules.source_file(f, rules.source_roots) for f in listed)
    extra = extra_files(str(tmp_path), ())
    assert extra == ["app/types.pyi", "pyproject.toml"]
    walked = [modules.source_file(f, rules.source_roots) for f in [*listed, *extra]]
    for files in ([modules.source_file(f, rules.source_roots) for f in listed], walked):
        (shim,) = find_shims(rules, index, [], files, extra)
        assert [u.where for u in shim.names[0].uses] == ["app/types.pyi:1", "pyproject.toml:2"]
