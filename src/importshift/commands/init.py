"""``migrate init`` (a starter rules.yaml for this project) and ``migrate demo DIR``."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING

from importshift.config.locate import RULES_NAME
from importshift.config.rules import load_rules
from importshift.core.errors import ImportshiftError, RefusedError
from importshift.core.output import Output
from importshift.ops.lock import state_dir

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

STATE_DIR = ".migrate"

_HEADER = """\
# importshift rules for this project, written by `migrate init`.
# Paths are relative to this file's folder (the root). Unknown keys are errors.
version: 1

# Folders on sys.path: module names are derived from them ({where}).
source_roots: {roots}

# gitignore-style patterns of files never to scan or rewrite. The project's .gitignore
# files are honoured already (add `gitignore: false` to scan ignored files too).
exclude: []

# Declare each move once, then run `migrate plan --diff`. Replace the [] below with
# entries such as these:
#
# moves:
#   # a symbol (class, function, constant) that now lives elsewhere
#   - old: {pkg}.old_module.OldName
#     new: {pkg}.new_module.NewName
#     reason: "consolidated in new_module"
#   # a whole module, with its submodules
#   - old: {pkg}.legacy
#     new: {pkg}.core
#   # third-party moves work too; strings: also rewrite "pydantic.BaseSettings" strings
#   - old: pydantic.BaseSettings
#     new: pydantic_settings.BaseSettings
#     strings: true
moves: []
"""


def run_init(out: Output, root: str | None, rules: str | None, force: bool) -> int:
    """Write a starter rules.yaml (refused if one exists, unless ``force``) and ``.migrate/``."""
    base = os.path.abspath(root or os.getcwd())
    target = os.path.abspath(rules) if rules else os.path.join(base, RULES_NAME)
    if rules and not root:
        base = os.path.dirname(target)
    if os.path.exists(target) and not force:
        raise RefusedError(f"{target} already exists (pass --force to overwrite it)")
    roots, where = source_roots(base)
    text = _HEADER.format(
        where=where, roots="[" + ", ".join(f'"{r}"' for r in roots) + "]", pkg=_package(base, roots)
    )
    with open(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    try:
        load_rules(target, base)  # what the tool writes always loads
    except BaseException:
        os.unlink(target)
        raise
    state = state_dir(base)
    out.out(f"wrote {target} (source roots: {', '.join(roots)}: {where})")
    out.err(f"created {state} (ignored by git: it holds its own .gitignore)")
    out.err("next: add your moves to it, then run 'migrate plan --diff'")
    return 0


def source_roots(base: str) -> tuple[list[str], str]:
    """The project's source roots and where they were found (pyproject, setup.cfg, src/)."""
    for found, where in (
        (_from_pyproject(base), "from pyproject.toml"),
        (_from_setup_cfg(base), "from setup.cfg"),
    ):
        existing = [r for r in found if os.path.isdir(os.path.join(base, r))]
        if existing:
            return existing, where
    if _has_python(os.path.join(base, "src")):
        return ["src"], "the src/ layout"
    return ["."], "the project folder itself"


def _from_pyproject(base: str) -> list[str]:
    text = _read(os.path.join(base, "pyproject.toml"))
    if not text:
        return []
    data = _toml(text)
    if data is None:
        return _regex_roots(text)
    tool = data.get("tool", {})
    setuptools = tool.get("setuptools", {}) if isinstance(tool, dict) else {}
    roots: list[str] = []
    packages = setuptools.get("packages") if isinstance(setuptools, dict) else None
    find = packages.get("find") if isinstance(packages, dict) else None
    if isinstance(find, dict):
        roots += [str(w) for w in find.get("where", []) if isinstance(w, str)]
    package_dir = setuptools.get("package-dir") if isinstance(setuptools, dict) else None
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        roots.append(package_dir[""])
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    for entry in poetry.get("packages", []) if isinstance(poetry, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("from"), str):
            roots.append(entry["from"])
    return _unique(roots)


def _toml(text: str) -> dict[str, object] | None:
    try:
        import tomllib
    except ImportError:  # Python 3.10: no TOML reader in the standard library
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _regex_roots(text: str) -> list[str]:
    """``where = [...]`` and ``"" = "src"`` read without a TOML parser (Python 3.10)."""
    roots = []
    for match in re.finditer(r"^\s*where\s*=\s*\[([^\]]*)\]", text, re.M):
        roots += re.findall(r'["\']([^"\']+)["\']', match.group(1))
    roots += re.findall(r'""\s*=\s*["\']([^"\']+)["\']', text)
    return _unique(roots)


def _from_setup_cfg(base: str) -> list[str]:
    import configparser

    text = _read(os.path.join(base, "setup.cfg"))
    if not text:
        return []
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    roots = []
    where = parser.get("options.packages.find", "where", fallback="").strip()
    if where:
        roots.append(where)
    for line in parser.get("options", "package_dir", fallback="").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.strip() and value.strip():
            roots.append(value.strip())
    return _unique(roots)


def _package(base: str, roots: list[str]) -> str:
    """A real top-level package name for the commented example, else ``mypkg``."""
    for root in roots:
        folder = os.path.join(base, root)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            package = os.path.isfile(os.path.join(folder, name, "__init__.py"))
            if package and name.isidentifier() and name not in ("tests", "test", "docs"):
                return name
    return "mypkg"


def _has_python(folder: str) -> bool:
    try:
        return any(
            name.endswith(".py") or os.path.isfile(os.path.join(folder, name, "__init__.py"))
            for name in os.listdir(folder)
        )
    except OSError:
        return False


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return ""


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        clean = item.strip().replace("\\", "/").rstrip("/") or "."
        if clean not in out:
            out.append(clean)
    return out


# -- migrate demo ---------------------------------------------------------------------------


def run_demo(out: Output, folder: str) -> int:
    """Write the bundled demo (project, rules.yaml, codemods) into an empty ``folder``."""
    target = os.path.abspath(folder)
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise RefusedError(f"{folder} is not an empty folder; name a new or empty one")
    written = 0
    for rel, data in demo_files():
        path = os.path.join(target, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        written += 1
    rules = os.path.join(folder, RULES_NAME)
    out.out(f"wrote the demo project ({written} files) into {folder}")
    why = _commit_demo(target)
    if why is None:
        out.out(f"made it a git repository with one commit: 'git -C {folder} diff' shows changes")
    else:
        out.err(
            f"note: {folder} is not a git repository of its own ({why}); inside another "
            "repository, apply will refuse its uncommitted files unless --allow-dirty"
        )
    out.out("next:")
    out.out(f"  migrate --rules {rules} plan --diff")
    out.out(f"  migrate --rules {rules} apply")
    return 0


def _commit_demo(target: str) -> str | None:
    """Make the demo its own git repository with one commit, so that apply's dirty-tree
    guard sees committed files (even when the folder sits inside another repository) and
    ``git diff`` shows what apply changed. Returns why it could not, or None."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        return "git is not installed"
    identity = ["-c", "user.name=importshift demo", "-c", "user.email=demo@importshift.invalid"]
    steps = [
        [git, "init", "-q"],
        [git, "add", "-A"],
        [git, *identity, "commit", "-q", "--no-verify", "-m", "The importshift demo, before"],
    ]
    for step in steps:
        proc = subprocess.run(step, cwd=target, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return (proc.stderr.strip().splitlines() or [f"git exited {proc.returncode}"])[-1]
    return None


def demo_files() -> Iterator[tuple[str, bytes]]:
    """The demo as (path relative to its folder, bytes): the same layout as this repository
    (``rules.yaml``, ``codemods/``, ``examples/demo/``), so its rules.yaml is the root one."""
    package = resources.files("importshift")
    bundle = package / "examples"
    rules = bundle / RULES_NAME
    if not rules.is_file():
        raise ImportshiftError("the demo is missing from this installation of importshift")
    yield RULES_NAME, rules.read_bytes()
    yield from _tree(package / "codemods", "codemods")
    yield from _tree(bundle / "demo", "examples/demo")


def _tree(node: Traversable, rel: str) -> Iterator[tuple[str, bytes]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__" or child.name.endswith((".pyc", ".pyo")):
            continue
        path = f"{rel}/{child.name}"
        if child.is_dir():
            yield from _tree(child, path)
        elif child.is_file():
            yield path, child.read_bytes()
