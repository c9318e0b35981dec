"""Every way a file can still reach a shim, beyond the imports that ``apply`` migrates.

``retire`` deletes code, so "unused" must be proved, not assumed. Besides plain imports (found
by the rewrite engine), a shim is still used when a file:

- names it in a string: ``importlib.import_module("pkg.events")``, ``__import__``,
  ``pkgutil.resolve_name("pkg.events:Manager")``, ``mock.patch("pkg.events.Manager")``, an
  entry point ``"x = pkg.events:main"``, a relative ``import_module(".events", ...)``;
- reaches a name dynamically: ``getattr(events, "Manager")``, ``hasattr(...)``,
  ``mock.patch.object(events, "Manager")``, or passes the module object on;
- re-exports it with ``from pkg.events import *`` (everything it holds stays reachable);
- is a ``.pyi`` stub that imports it (or the shim's own stub), or a packaging/tool config
  file (``pyproject.toml``, ``setup.cfg``, ``tox.ini``) that names it;
- does not parse (on this Python) and textually names the shim: nothing can be proved.

Each finding is a ``Use`` of one shim: of one name it provides, of the module as a whole
(``name=ALL``: every name is blocked), or of the module only (``name=MODULE``: other names,
so the file cannot be deleted, but the aliases may go).
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from importshift.core import dotted

ALL = "*"  # a use that may reach every name of the shim
MODULE = ""  # a use of the module that reaches none of its moved names

CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", "setup.py")
_NEVER = {
    ".git",
    ".hg",
    ".svn",
    ".migrate",
    "__pycache__",
    "node_modules",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
}
_DYNAMIC = ("getattr", "hasattr", "setattr", "delattr")
_IMPORTERS = ("import_module", "__import__")


@dataclass(frozen=True, slots=True, order=True)
class Use:
    path: str
    line: int
    module: str  # the shim
    name: str  # a provided name, ALL or MODULE
    why: str
    proof: bool = True  # False: the file could not be analysed ("cannot prove unused")

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        if not self.proof:
            return f"cannot prove unused: {self.where} ({self.why})"
        return f"{self.where} {self.why}"


def extra_files(root: str, exclude: Iterable[str]) -> list[str]:
    """``.pyi`` stubs and packaging/tool config files under ``root`` (minus ``exclude``)."""
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(list(exclude))
    out = []
    for folder, dirs, names in os.walk(root):
        rel_dir = os.path.relpath(folder, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _NEVER
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
            and not spec.match_file(f"{rel_dir}/{d}/".lstrip("/"))
        )
        for name in sorted(names):
            rel = f"{rel_dir}/{name}".lstrip("/")
            wanted = name.endswith(".pyi") or name in CONFIG_FILES[:3]
            if wanted and not spec.match_file(rel) and not os.path.islink(f"{folder}/{name}"):
                out.append(rel)
    return out


def find_uses(
    data: bytes,
    path: str,
    module: str | None,
    is_package: bool,
    shims: Mapping[str, frozenset[str]],
    static: bool,
) -> list[Use]:
    """Uses of ``shims`` (module -> the names it provides; ``ALL`` for a moved module) in one
    file. ``static``: also report plain imports and attribute chains (for files that the
    engine does not scan, such as stubs)."""
    own = [m for m in shims if module is not None and dotted.within(module, m)]
    out = [
        Use(path, 1, m, ALL, "is a stub of the shim: remove or update it first")
        for m in own
        if path.endswith(".pyi")
    ]
    relevant = {
        m: names for m, names in shims.items() if m not in own and dotted.leaf(m).encode() in data
    }
    if not relevant:
        return out
    if path.endswith((".toml", ".cfg", ".ini")):
        return _config_uses(data, path, relevant)
    if not relevant:
        return out
    try:
        tree = ast.parse(data, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return out + _unparsed(data, path, relevant, exc)
    finder = _Finder(path, module, is_package, relevant, static)
    finder.run(tree)
    if path.endswith("setup.py"):
        finder.found.extend(_config_uses(data, path, relevant))
    return out + sorted(set(finder.found))


def _unparsed(
    data: bytes, path: str, shims: Mapping[str, frozenset[str]], exc: BaseException
) -> list[Use]:
    reason = (
        f"does not parse on Python {sys.version_info[0]}.{sys.version_info[1]}: "
        f"{getattr(exc, 'msg', None) or type(exc).__name__}"
    )
    out = []
    for module in shims:
        match = re.search(
            rb"(?<![\w])" + re.escape(dotted.leaf(module).encode()) + rb"(?!\w)", data
        )
        if match:
            line = data.count(b"\n", 0, match.start()) + 1
            out.append(Use(path, line, module, ALL, f"{reason}; it names {module}", proof=False))
    return out


def _config_uses(data: bytes, path: str, shims: Mapping[str, frozenset[str]]) -> list[Use]:
    """A config file naming the shim as a whole dotted token (entry points, plugins)."""
    text = data.decode("utf-8", "replace")
    out = []
    for module, names in shims.items():
        pattern = r"(?<![\w.])" + re.escape(module) + r"(?:([.:])(\w+))?(?![\w])"
        for match in re.finditer(pattern, text):
            line = text.count("\n", 0, match.start()) + 1
            name = match.group(2) or ""
            which = name if name in names else (MODULE if name else ALL)
            out.append(Use(path, line, module, which, f"names {match.group(0)} (config)"))
    return out


def _classify(text: str, module: str, names: frozenset[str]) -> str | None:
    """Which name of ``module`` the dotted text ``a.b:C`` reaches (None: not the shim)."""
    if text == module:
        return ALL
    for sep in (".", ":"):
        if text.startswith(module + sep):
            first = re.split(r"[.:]", text[len(module) + 1 :])[0]
            return first if first in names else MODULE
    return None


class _Finder:
    """One walk over a parsed file; ``found`` collects the uses."""

    def __init__(
        self,
        path: str,
        module: str | None,
        is_package: bool,
        shims: Mapping[str, frozenset[str]],
        static: bool,
    ) -> None:
        self.path = path
        self.module = module
        self.is_package = is_package
        self.shims = shims
        self.static = static
        self.found: list[Use] = []
        self.bound: dict[str, str] = {}  # local name -> the dotted module it holds
        self.passive: set[int] = set()  # nodes read only as ``x.attr`` or getattr(x, ...)

    def use(self, node: ast.AST, module: str, name: str, why: str) -> None:
        self.found.append(Use(self.path, getattr(node, "lineno", 1), module, name, why))

    def run(self, tree: ast.Module) -> None:
        calls: list[ast.Call] = []
        strings: list[tuple[ast.Constant, str]] = []
        refs: list[ast.Name | ast.Attribute] = []
        for node in ast.walk(tree):  # one walk; bindings first, then what reads them
            kind = type(node)
            if kind is ast.Name:
                refs.append(node)  # type: ignore[arg-type]
            elif kind is ast.Attribute:
                self.passive.add(id(node.value))  # type: ignore[attr-defined]
                refs.append(node)  # type: ignore[arg-type]
            elif kind is ast.Constant:
                value = node.value  # type: ignore[attr-defined]
                if isinstance(value, str):
                    strings.append((node, value))  # type: ignore[arg-type]
            elif kind is ast.Call:
                calls.append(node)  # type: ignore[arg-type]
            elif kind is ast.Import:
                self._import(node)  # type: ignore[arg-type]
            elif kind is ast.ImportFrom:
                self._import_from(node)  # type: ignore[arg-type]
            elif kind is ast.Assign:
                self._assign(node)  # type: ignore[arg-type]
        for call in calls:
            self._call(call)
        for constant, text in strings:
            self._string(constant, text)
        if self.bound:
            for ref in refs:
                if isinstance(ref.ctx, ast.Load):
                    self._reference(ref)

    def _shim_of(self, name: str) -> tuple[str, str] | None:
        for module, names in self.shims.items():
            which = _classify(name, module, names)
            if which is not None:
                return module, which
        return None

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bound[alias.asname] = alias.name
            else:
                top = alias.name.partition(".")[0]
                self.bound.setdefault(top, top)
            hit = self._shim_of(alias.name)
            if hit and self.static:
                self.use(node, hit[0], hit[1] if hit[1] != ALL else MODULE, "imports it")

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = dotted.resolve_relative(node.level, node.module or "", self.module, self.is_package)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                hit = self._shim_of(base)
                if hit and hit[1] == ALL and ALL not in self.shims[hit[0]]:
                    self.use(node, hit[0], ALL, f"re-exports everything of {base} (import *)")
                elif hit and self.static:
                    self.use(node, hit[0], MODULE, "imports it")
                continue
            full = dotted.join(base, alias.name)
            self.bound[alias.asname or alias.name] = full
            hit = self._shim_of(full)
            if hit and self.static:
                self.use(node, hit[0], hit[1] if hit[1] != ALL else MODULE, "imports it")

    def _assign(self, node: ast.Assign) -> None:
        """``m = importlib.import_module("pkg.events")`` binds ``m`` to the module."""
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        call = node.value
        if not (isinstance(call, ast.Call) and call.args and _callee(call) in _IMPORTERS):
            return
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            name = first.value
            if _callee(call) == "__import__" and len(call.args) < 4 and not call.keywords:
                name = name.partition(".")[0]  # __import__("a.b") returns ``a``
            self.bound[node.targets[0].id] = name

    def resolve(self, node: ast.expr) -> str | None:
        """The dotted module (or module attribute) an expression names, when known."""
        if isinstance(node, ast.Name):
            return self.bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _call(self, node: ast.Call) -> None:
        callee = _callee(node)
        args = node.args
        if callee in _DYNAMIC or callee == "object" and _attr_base(node.func) == "patch":
            if len(args) < 2 or not (
                isinstance(args[1], ast.Constant) and isinstance(args[1].value, str)
            ):
                return
            self.passive.add(id(args[0]))
            attr = args[1].value
            target = self.resolve(args[0])
            label = f"{callee}(..., {attr!r})"
            if target is not None:
                hit = self._shim_of(f"{target}.{attr}")
                if hit:
                    self.use(node, hit[0], hit[1], f"reaches it through {label}")
                return
            for module, names in self.shims.items():
                if attr in names and self._names(module):
                    self.use(node, module, attr, f"may reach it through {label}")

    def _names(self, module: str) -> bool:
        """The file binds ``module`` (or a parent of it) somewhere."""
        return any(dotted.within(module, b) for b in self.bound.values())

    def _string(self, node: ast.Constant, value: str) -> None:
        text = value.strip()
        if text.startswith(".") and dotted.is_identifier_path(text.lstrip(".")):
            tail = text.lstrip(".")
            for module in self.shims:
                parts = module.split(".")
                suffixes = {".".join(parts[i:]) for i in range(1, len(parts))}
                if tail in suffixes or any(tail.startswith(s + ".") for s in suffixes):
                    self.use(node, module, ALL, f"relative string {value!r} may name it")
            return
        for token in re.findall(r"[A-Za-z_][\w.]*(?::[A-Za-z_][\w.]*)?", text):
            if token != text and ":" not in token:
                continue  # inside prose only ``module:attr`` (an entry point) counts
            hit = self._shim_of(token)
            if hit:
                self.use(node, hit[0], hit[1], f"string reference {token!r}")

    def _reference(self, node: ast.Name | ast.Attribute) -> None:
        """A module object of the shim read as a value (passed on, returned, stored)."""
        target = self.resolve(node)
        if target is None:
            return
        hit = self._shim_of(target)
        if hit is None:
            return
        module, which = hit
        if which != ALL:
            if self.static and which != MODULE:
                self.use(node, module, which, f"uses {target}")
            return
        if id(node) not in self.passive:
            self.use(node, module, ALL, f"passes the module object {target} on")


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _attr_base(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        value = func.value
        if isinstance(value, ast.Name):
            return value.id
        if isinstance(value, ast.Attribute):
            return value.attr
    return ""


def iter_sources(root: str, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    for rel in paths:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                yield rel, fh.read()
        except OSError:
            continue
