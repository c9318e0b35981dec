"""Shared test helpers: build rule sets from compact headers, rewrite text, compare."""

from __future__ import annotations

import ast
import os
import subprocess
import textwrap
from dataclasses import dataclass, field

from importshift.config.rules import load_rules
from importshift.core.model import Status
from importshift.rewrite.engine import Engine, Rewrite


class NoProbe:
    """Pretends nothing outside the source roots is installed (no subprocess in tests)."""

    def find(self, names):  # type: ignore[no-untyped-def]
        return dict.fromkeys(names)


@dataclass
class Header:
    moves: list[tuple[str, str, str]] = field(default_factory=list)
    module: str | None = "app.views"
    is_package: bool = False
    strings: bool = False


def parse_header(lines: list[str]) -> tuple[Header, list[str]]:
    header = Header()
    rest = list(lines)
    while rest and rest[0].startswith("# ") and ":" in rest[0]:
        key, _, value = rest[0][2:].partition(":")
        value = value.strip()
        if key == "rules":
            kind = "module" if value.endswith("[module]") else "symbol"
            old, _, new = value.replace("[module]", "").partition("->")
            header.moves.append((old.strip(), new.strip(), kind))
        elif key == "module":
            header.module = value or None
        elif key == "package":
            header.is_package = value == "true"
        elif key == "strings":
            header.strings = value == "true"
        else:
            break
        rest.pop(0)
    return header, rest


def ruleset(moves: list[tuple[str, str, str]], tmp_dir: str, strings: bool = False):  # type: ignore[no-untyped-def]
    lines = ["version: 1", "moves:"]
    for old, new, kind in moves:
        lines += [f"  - old: {old}", f"    new: {new}", f"    kind: {kind}"]
        if strings:
            lines.append("    strings: true")
    path = os.path.join(tmp_dir, "rules.yaml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return load_rules(path, tmp_dir, check_targets=False, probe=NoProbe()).ruleset


def rewrite(
    source: str | bytes,
    rules,
    module: str | None = "app.views",  # type: ignore[no-untyped-def]
    is_package: bool = False,
) -> Rewrite:
    data = source.encode() if isinstance(source, str) else source
    return Engine(rules).rewrite(data, "case.py", module, is_package)


def assert_rewrites(
    before: str,
    after: str,
    rules,
    module: str | None = "app.views",  # type: ignore[no-untyped-def]
    is_package: bool = False,
) -> None:
    after = textwrap.dedent(after)
    ast.parse(after)  # the expectation itself must be valid Python
    result = rewrite(textwrap.dedent(before), rules, module, is_package)
    assert result.status is Status.CHANGED, (result.status, result.reason)
    assert result.new is not None
    assert result.new.decode() == after
    again = rewrite(result.new, rules, module, is_package)
    assert again.status is Status.UNCHANGED, "a second run must change nothing"


def assert_noop(source: str, rules, module: str | None = "app.views") -> Rewrite:  # type: ignore[no-untyped-def]
    result = rewrite(textwrap.dedent(source), rules, module)
    assert result.status is Status.UNCHANGED, (result.status, result.new)
    return result


def make_tree(root: str | os.PathLike[str], files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as fh:
            fh.write(textwrap.dedent(content) if isinstance(content, str) else content)


def snapshot(root: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file under root (but .migrate and caches) -> its bytes."""
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".migrate", "__pycache__", ".git")]
        for name in files:
            full = os.path.join(folder, name)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, root)] = fh.read()
    return out


RULES_YAML = """\
version: 1
moves:
  - old: pkg.events.Manager
    new: pkg.monitor.Monitor
    reason: "events.py is a compatibility alias"
  - old: pkg.factory
    new: pkg.canonical
"""

SMALL_TREE: dict[str, str | bytes] = {
    "rules.yaml": RULES_YAML,
    "pkg/__init__.py": "",
    "pkg/monitor.py": "class Monitor:\n    pass\n",
    "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
    "pkg/canonical.py": "def create():\n    return 1\n",
    "pkg/factory.py": "from pkg.canonical import *\n",
    "app/__init__.py": "",
    "app/views.py": "from pkg.events import Manager\n\n\ndef view():\n    return Manager()\n",
    "app/jobs.py": "import pkg.factory\n\n\ndef job():\n    return pkg.factory.create()\n",
    "app/plain.py": "import os\n\nprint(os.sep)\n",
    "app/broken.py": "print 'python 2'\nfrom pkg.events import Manager\n",
}


def git(root: str | os.PathLike[str], *args: str) -> str:
    """git in ``root`` with a fixed identity; its standard output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout
