"""Every import the tool writes is resolved before the file is written, at any depth.

Importing a module never runs the imports inside its functions: only the static check sees
a rewrite to a name that does not exist there. End to end with real trees and interpreters.
"""

from __future__ import annotations

import pathlib
import sys

import pytest
from click.testing import CliRunner
from helpers import make_tree

from importshift.cli import group
from importshift.codebase.needs import FileToCheck
from importshift.codebase.resolve import Resolver
from importshift.core.model import Edit

WRONG = "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitr\n"

TREE: dict[str, str | bytes] = {
    "rules.yaml": WRONG,
    "pkg/__init__.py": "",
    "pkg/monitor.py": "class Monitor:\n    pass\n",
    "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
    "pkg/in_function.py": "def f():\n    from pkg.events import Manager\n\n    return Manager\n",
    "pkg/in_method.py": "class A:\n    def m(self):\n        from pkg.events import Manager\n"
    "        return Manager\n",
    "pkg/typed.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
    "    from pkg.events import Manager\n",
    "pkg/tried.py": "try:\n    from pkg.events import Manager\nexcept ImportError:\n"
    "    Manager = None\n",
    "pkg/plain.py": "import os\n",
}
NESTED = ["pkg/in_function.py", "pkg/in_method.py", "pkg/typed.py", "pkg/tried.py"]


def apply(root: pathlib.Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        group,
        ["--rules", str(root / "rules.yaml"), "--no-check-targets", "apply", *args],
        catch_exceptions=False,
    )


@pytest.mark.parametrize("verify", ["import", "none"])
def test_a_written_import_that_does_not_resolve_is_not_written(
    tmp_path: pathlib.Path, verify: str
) -> None:
    make_tree(tmp_path, TREE)
    before = {p: (tmp_path / p).read_text() for p in NESTED}
    result = apply(tmp_path, "--verify", verify)
    assert result.exit_code == 1, result.output
    for path in NESTED:
        assert (tmp_path / path).read_text() == before[path]  # never written
        assert (
            f"not written {path}: an import it would write does not resolve: "
            "from pkg.monitor import Monitr: pkg.monitor does not bind Monitr"
        ) in result.stdout
    assert "4 not written (unresolved imports)" in result.stderr


def test_the_right_move_lands_at_every_depth(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {**TREE, "rules.yaml": WRONG.replace("Monitr", "Monitor")})
    result = apply(tmp_path)
    assert result.exit_code == 0, result.output
    for path in NESTED:
        assert "from pkg.monitor import Monitor" in (tmp_path / path).read_text()


def test_string_references_are_checked(tmp_path: pathlib.Path) -> None:
    rules = WRONG + "    strings: true\n"
    make_tree(
        tmp_path,
        {
            **TREE,
            "rules.yaml": rules,
            "pkg/patched.py": "from unittest import mock\n\n\ndef t():\n"
            "    return mock.patch('pkg.events.Manager')\n",
        },
    )
    result = apply(tmp_path)
    assert result.exit_code == 1
    assert "not written pkg/patched.py" in result.stdout
    assert "'pkg.monitor.Monitr': pkg.monitor does not bind Monitr" in result.stdout


def _check(root: pathlib.Path, path: str, before: str, after: str, targets: list[str]):  # type: ignore[no-untyped-def]
    resolver = Resolver(str(root), ["."], sys.executable)
    f = FileToCheck(path, "pkg.user", False, (Edit("r", 1, 1, before, after),), b"", None)
    return resolver.check([f], targets)[path], resolver


def test_star_chains_all_and_getattr(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/_impl.py": "class Monitor:\n    pass\n\n\nclass _Hidden:\n    pass\n",
            "pkg/star.py": "from pkg._impl import *\n",
            "pkg/relstar.py": "from ._impl import *\n",
            "pkg/limited.py": "from pkg._impl import *\n\n__all__ = ['Monitor']\n",
            "pkg/chain.py": "from pkg.limited import *\n",
            "pkg/lazy.py": "def __getattr__(name):\n    return 1\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/leaf.py": "",
        },
    )
    for module in ("pkg.star", "pkg.relstar", "pkg.chain"):
        verdict, _ = _check(tmp_path, "u.py", "", f"from {module} import Monitor", [module])
        assert verdict.proven, (module, verdict)
    verdict, _ = _check(tmp_path, "u.py", "", "from pkg.star import _Hidden", ["pkg.star"])
    assert verdict.missing == ("from pkg.star import _Hidden: pkg.star does not bind _Hidden",)
    verdict, _ = _check(tmp_path, "u.py", "", "from pkg.chain import _Hidden", [])
    assert verdict.missing
    verdict, _ = _check(tmp_path, "u.py", "", "from pkg.lazy import Anything", [])
    assert not verdict.missing and "cannot tell what pkg.lazy binds" in verdict.unknown[0]
    verdict, _ = _check(tmp_path, "u.py", "", "from pkg.sub import leaf\nimport pkg.sub.leaf", [])
    assert verdict.proven
    verdict, _ = _check(tmp_path, "u.py", "", "import pkg.sub.nothing", [])
    assert verdict.missing == ("import pkg.sub.nothing: no module named 'pkg.sub.nothing'",)


def test_only_what_the_edit_added_is_checked(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/monitor.py": "class Monitor: pass\n"})
    verdict, _ = _check(
        tmp_path,
        "u.py",
        "from pkg.events import Manager, Other",  # Other was already broken: not ours
        "from pkg.events import Other\nfrom pkg.monitor import Monitor as Manager",
        ["pkg.monitor.Monitor"],
    )
    assert verdict.proven, verdict


def test_names_outside_the_roots_go_to_the_interpreter_in_one_probe(
    tmp_path: pathlib.Path,
) -> None:
    make_tree(tmp_path, {"pkg/__init__.py": ""})
    after = (
        "from collections import OrderedDict\nimport json.decoder\n"
        "from collections import NoSuchThing\nimport no_such_dist_xyz\n"
        "from json import decoder\n"
    )
    verdict, resolver = _check(tmp_path, "u.py", "", after, [])
    assert resolver.probes == 1
    assert verdict.missing == (
        "from collections import NoSuchThing: collections does not bind NoSuchThing",
        f"import no_such_dist_xyz: no module named 'no_such_dist_xyz' in {sys.executable}",
    )


def test_a_module_shadowed_by_a_package_is_resolved_as_python_does(
    tmp_path: pathlib.Path,
) -> None:
    make_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/monitor.py": "class Monitor: pass\n",  # dead: the package wins
            "pkg/monitor/__init__.py": "",
        },
    )
    verdict, _ = _check(tmp_path, "u.py", "", "from pkg.monitor import Monitor", [])
    assert verdict.missing == (
        "from pkg.monitor import Monitor: pkg.monitor does not bind Monitor",
    )


def test_a_relative_import_is_resolved_from_the_file_module(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/monitor.py": "class Monitor: pass\n"})
    verdict, _ = _check(tmp_path, "pkg/user.py", "", "from .monitor import Monitor", [])
    assert verdict.proven
    verdict, _ = _check(tmp_path, "pkg/user.py", "", "from .monitor import Nope", [])
    assert verdict.missing == ("from .monitor import Nope: pkg.monitor does not bind Nope",)


def test_one_changed_line_of_a_parenthesised_import(tmp_path: pathlib.Path) -> None:
    """Only ``from pkg.factory import (`` changed: the names below it now come from the new
    module, and each must be bound there (the fragment is widened until it parses)."""
    make_tree(tmp_path, {"pkg/__init__.py": "", "pkg/canonical.py": "def create(): pass\n"})
    old = "import os\n\nfrom pkg.factory import (\n    create,\n    gone,\n)\n"
    new = old.replace("pkg.factory", "pkg.canonical")
    edit = Edit("r", 3, 1, "from pkg.factory import (", "from pkg.canonical import (")
    f = FileToCheck("u.py", "u", False, (edit,), new.encode(), old.encode())
    verdict = Resolver(str(tmp_path), ["."], sys.executable).check([f], ["pkg.canonical"])["u.py"]
    assert verdict.missing == ("from pkg.canonical import gone: pkg.canonical does not bind gone",)


def test_names_bound_by_loops_with_and_global(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/dyn.py": "for Looped in range(2):\n    pass\n\nwith open(__file__) as Opened:\n"
            "    pass\n\ntry:\n    pass\nexcept Exception as Caught:\n    pass\n\n\n"
            "def init():\n    global Later\n    Later = 1\n",
        },
    )
    for name in ("Looped", "Opened", "Later"):
        verdict, _ = _check(tmp_path, "u.py", "", f"from pkg.dyn import {name}", [])
        assert verdict.proven, (name, verdict)
    verdict, _ = _check(tmp_path, "u.py", "", "from pkg.dyn import Caught", [])
    assert verdict.missing  # ``except ... as Caught`` unbinds it at the end of the block
