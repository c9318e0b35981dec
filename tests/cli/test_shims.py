"""shims, retire and discover on real multi-package trees (doctor: test_doctor.py)."""

from __future__ import annotations

import pathlib

from click.testing import CliRunner
from helpers import make_tree, snapshot

from importshift.cli import group

RULES = """\
version: 1
moves:
  - old: pkg.compat.OldClient
    new: pkg.client.Client
    kind: symbol           # needed once the alias is retired
  - old: pkg.compat.old_helper
    new: pkg.helpers.helper
    kind: symbol
"""

TREE: dict[str, str | bytes] = {
    "rules.yaml": RULES,
    "pkg/__init__.py": "",
    "pkg/client.py": "class Client:\n    pass\n",
    "pkg/helpers.py": "def helper():\n    return 1\n",
    # a module with real code that also carries two compatibility aliases
    "pkg/compat.py": (
        '"""Compatibility names."""\n\nimport warnings\n\n'
        "from pkg.client import Client\nfrom pkg.helpers import helper\n\n"
        "OldClient = Client\nold_helper = helper\n\n__all__ = ['OldClient', "
        "'old_helper', 'real']\n\n\ndef real():\n    return Client()\n"
    ),
    "app/__init__.py": "",
    "app/a.py": "from pkg.compat import OldClient\n\nx = OldClient\n",
    "app/b.py": "from pkg.compat import old_helper\n\ny = old_helper()\n",
}


def invoke(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), *args], catch_exceptions=False
    )


def test_retire_alias_by_alias_and_keep_real_code(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, TREE)
    shims = invoke(tmp_path, "shims")
    assert shims.stdout.splitlines() == [
        "pkg.compat  pkg/compat.py  [in use]",
        "  OldClient: 1 importing file(s)",
        "  old_helper: 1 importing file(s)",
    ]
    assert "nothing is ready to retire" in invoke(tmp_path, "retire").stderr
    # migrate the first importer only: its alias can go, the other stays
    assert invoke(tmp_path, "apply", "--verify", "none", str(tmp_path / "app/a.py")).exit_code == 0
    before = snapshot(tmp_path)
    dry = invoke(tmp_path, "retire", "--dry-run")
    assert "remove OldClient from pkg/compat.py" in dry.stdout
    assert snapshot(tmp_path) == before
    result = invoke(tmp_path, "retire")
    assert result.exit_code == 0, result.output
    compat = (tmp_path / "pkg/compat.py").read_text()
    assert "OldClient = Client" not in compat and "'OldClient'" not in compat
    assert "old_helper = helper" in compat and "def real():" in compat
    # then the second: its alias goes too, the module keeps its real code
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    assert invoke(tmp_path, "retire").exit_code == 0
    compat = (tmp_path / "pkg/compat.py").read_text()
    assert compat == (
        '"""Compatibility names."""\n\nimport warnings\n\n'
        "from pkg.client import Client\nfrom pkg.helpers import helper\n\n"
        "__all__ = ['real']\n\n\ndef real():\n    return Client()\n"
    )
    # undo puts the alias back byte for byte
    assert invoke(tmp_path, "undo").exit_code == 0
    assert "old_helper = helper" in (tmp_path / "pkg/compat.py").read_text()


SHIM_MODULE: dict[str, str | bytes] = {
    "rules.yaml": "version: 1\nmoves:\n  - old: pkg.old_api\n    new: pkg.api\n    kind: module\n",
    "pkg/__init__.py": "",
    "pkg/api.py": "def call():\n    return 1\n",
    "pkg/old_api.py": (
        '"""Deprecated."""\nimport warnings\n\nfrom pkg.api import *  # noqa\n\n'
        "warnings.warn('use pkg.api', DeprecationWarning, stacklevel=2)\n"
    ),
    "app/__init__.py": "",
    "app/user.py": "from pkg import old_api\n\nold_api.call()\n",
    "tests/test_user.py": "from unittest import mock\n\nPATCH = mock.patch('pkg.old_api.call')\n",
}


def test_whole_shim_deleted_once_unused_and_not_named_by_strings(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SHIM_MODULE)
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    refused = invoke(tmp_path, "retire")
    assert refused.exit_code == 1  # kept for a use only the user can clear
    assert (
        "kept pkg.old_api: still used: tests/test_user.py:3 string reference 'pkg.old_api.call'"
        in refused.stdout
    )
    assert (tmp_path / "pkg/old_api.py").exists()
    (tmp_path / "tests/test_user.py").write_text("PATCH = 'pkg.api.call'\n")
    result = invoke(tmp_path, "retire")
    assert result.exit_code == 0, result.output
    assert "delete pkg/old_api.py: nothing uses pkg.old_api any more" in result.stdout
    assert not (tmp_path / "pkg/old_api.py").exists()
    assert invoke(tmp_path, "undo").exit_code == 0
    assert (tmp_path / "pkg/old_api.py").read_text() == SHIM_MODULE["pkg/old_api.py"]


def test_retire_rolls_back_what_breaks(tmp_path: pathlib.Path) -> None:
    tree = dict(SHIM_MODULE)
    del tree["tests/test_user.py"]
    # the package imports the shim for a side effect nobody declared: deleting it breaks pkg
    # (its name is read from a data file: no static proof can see it; verification does)
    tree["pkg/plugin.txt"] = "pkg.old_api\n"
    tree["pkg/__init__.py"] = (
        "import importlib\nimport pathlib\n\n"
        "NAME = (pathlib.Path(__file__).parent / 'plugin.txt').read_text().strip()\n"
        "importlib.import_module(NAME)\n"
    )
    make_tree(tmp_path, tree)
    assert invoke(tmp_path, "apply", "--verify", "none").exit_code == 0
    result = invoke(tmp_path, "retire")
    assert result.exit_code == 1
    assert "rolled back pkg/old_api.py" in result.stdout
    assert (tmp_path / "pkg/old_api.py").read_text() == tree["pkg/old_api.py"]


def test_discover_follows_reexport_chains(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "rules.yaml": "version: 1  # keep this comment\nmoves: []\n",
            "pkg/__init__.py": "",
            "pkg/core/__init__.py": "",
            "pkg/core/engine.py": "class Engine:\n    pass\n\n\ndef start():\n    pass\n",
            # a deprecated package facade re-exporting through an intermediate shim
            "pkg/legacy/__init__.py": (
                "import warnings\n\nfrom .shim import Engine\n\n"
                "warnings.warn('gone', DeprecationWarning)\n"
            ),
            "pkg/legacy/shim.py": "from pkg.core.engine import Engine, start as begin\n",
            "pkg/aliases.py": "from pkg.core.engine import Engine\n\nOldEngine = Engine\n\n"
            "def real():\n    return OldEngine\n",
            "pkg/forward.py": (
                "def __getattr__(name):\n    import importlib\n\n"
                "    return getattr(importlib.import_module('pkg.core.engine'), "
                "name)\n"
            ),
        },
    )
    result = invoke(tmp_path, "discover")
    assert result.exit_code == 0
    out = result.stdout
    assert (
        "  - old: pkg.legacy.Engine\n    new: pkg.core.engine.Engine\n    kind: symbol\n"
        '    reason: "pkg/legacy/__init__.py only re-exports it and warns '
        'DeprecationWarning at import"' in out
    )
    assert "  - old: pkg.legacy.shim.begin\n    new: pkg.core.engine.start\n" in out
    assert "  - old: pkg.aliases.OldEngine\n    new: pkg.core.engine.Engine\n" in out
    assert "  - old: pkg.forward\n    new: pkg.core.engine\n    kind: module\n" in out
    written = invoke(tmp_path, "discover", "--write")
    assert written.exit_code == 0
    rules = (tmp_path / "rules.yaml").read_text()
    assert rules.startswith("version: 1  # keep this comment\nmoves:\n  - old: ")
    assert invoke(tmp_path, "plan").exit_code == 0  # the written rules load
