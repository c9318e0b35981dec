"""Static verification of the imports a rewrite wrote: the module resolves, the name is bound.

Works at any depth (functions, methods, ``if TYPE_CHECKING:``, try blocks) because it never
imports anything: the written statements are read from the edits (each edit's ``after``
text, parsed alone; the whole file only when a fragment does not parse), modules are
resolved under the source roots as the import system would (a package beats a module of the
same name, a module beats a namespace folder), and names outside the source roots are asked
of the project's interpreter, all of them in one subprocess per batch.

A need is proven, ``missing`` (the file must not be written), or ``unknown`` (cannot tell:
a module ``__getattr__``, a compiled module, a probe that failed), which is reported.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from importshift.adapters.interpreter import Spec, find_origins
from importshift.codebase.lookup import extension_in
from importshift.codebase.needs import _ANY, FileToCheck, Need, written_needs
from importshift.core import dotted


class Verdict(NamedTuple):
    missing: tuple[str, ...]  # each: what was written, and why it does not resolve
    unknown: tuple[str, ...]  # each: what was written, and why it cannot be told

    @property
    def proven(self) -> bool:
        return not self.missing and not self.unknown


class _Module(NamedTuple):
    kind: str  # "file", "namespace", "compiled", "missing", "external"
    path: str
    why: str


class Resolver:
    """Resolves needs against the tree (and the project's interpreter); memoised per run.

    ``overrides`` maps a path (relative to root) to the bytes it will hold once written
    (the plan's new content), so bindings are read from what will be on disk."""

    def __init__(
        self,
        root: str,
        source_roots: Sequence[str],
        python: str,
        overrides: Mapping[str, bytes] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.root = root
        self.roots = [os.path.normpath(os.path.join(root, r)) for r in source_roots]
        self.python = python
        self.overrides = {
            os.path.normpath(os.path.join(root, p)): b for p, b in (overrides or {}).items()
        }
        self.timeout = timeout
        self._modules: dict[str, _Module] = {}
        self._bindings: dict[str, tuple[frozenset[str], str] | None] = {}
        self._specs: dict[str, Spec] = {}
        self._listings: dict[str, frozenset[str]] = {}
        self.probes = 0  # subprocesses started (one per batch at most)

    def check(self, files: Iterable[FileToCheck], targets: Sequence[str]) -> dict[str, Verdict]:
        needs = {f.path: written_needs(f, targets, self.root) for f in files}
        self._ask_external({n for ns in needs.values() for n in ns})
        out = {}
        for path, file_needs in needs.items():
            missing, unknown = [], []
            for need in sorted(file_needs, key=lambda n: (n.module, n.name or "", n.text)):
                state, why = self._judge(need)
                if state == "missing":
                    missing.append(f"{need.text}: {why}")
                elif state == "unknown":
                    unknown.append(f"{need.text}: {why}")
            out[path] = Verdict(tuple(missing), tuple(unknown))
        return out

    def _ask_external(self, needs: set[Need]) -> None:
        """Every module name outside the roots that a need may ask about, in one probe."""
        ask: set[str] = set()
        for need in needs:
            if not need.module:
                continue
            names = [need.module]
            if need.name == _ANY:
                names = [dotted.parent(need.module), need.module]
            elif need.name:
                names.append(f"{need.module}.{need.name}")
            for name in names:
                if name and name not in self._specs and self._locate(name).kind == "external":
                    ask.add(name)
        if ask:
            self.probes += 1
            self._specs.update(find_origins(self.python, ask, self.root, self.timeout))

    def _judge(self, need: Need) -> tuple[str, str]:
        if not need.module:
            return "unknown", "a relative import in a file outside the source roots"
        if need.name == _ANY:
            return self._judge_ref(need.module)
        kind, why = self._resolves(need.module)
        if kind != "ok" or need.name is None:
            return kind, why
        return self._binds(need.module, need.name)

    def _judge_ref(self, ref: str) -> tuple[str, str]:
        """A dotted reference: the longest prefix that is a module, then one name in it."""
        probe = ref
        while probe:
            kind, why = self._resolves(probe)
            if kind == "ok":
                rest = ref[len(probe) + 1 :].split(".")[0] if ref != probe else ""
                return self._binds(probe, rest) if rest else ("ok", "")
            if kind == "unknown":
                return kind, why
            probe = dotted.parent(probe)
        return "missing", f"no module named {ref.split('.')[0]!r}"

    def _resolves(self, name: str) -> tuple[str, str]:
        found = self._locate(name)
        if found.kind in ("file", "namespace", "compiled"):
            return "ok", ""
        if found.kind == "missing":
            return "missing", found.why
        spec = self._specs.get(name)
        if spec is None or spec.found is None:
            why = spec.error if spec else "not asked"
            return "unknown", f"cannot tell whether {name} is importable ({why})"
        if not spec.found:
            return "missing", f"no module named {name!r} in {self.python}"
        return "ok", ""

    def _binds(self, module: str, name: str) -> tuple[str, str]:
        found = self._bound(module)
        if found is None:
            return "unknown", self._why_unknown(module)
        names, _ = found
        if name in names:
            return "ok", ""
        sub = f"{module}.{name}"
        if self._resolves(sub)[0] == "ok":
            return "ok", ""
        return "missing", f"{module} does not bind {name}"

    def _why_unknown(self, module: str) -> str:
        found = self._locate(module)
        if found.kind == "external":
            origin = self._specs.get(module)
            where = origin.origin if origin and origin.origin else "no source"
            return f"cannot tell what {module} binds ({where})"
        if found.kind == "compiled":
            return f"cannot tell what {module} binds (compiled: {found.path})"
        return f"cannot tell what {module} binds ({found.why or 'dynamic'})"

    def _locate(self, name: str) -> _Module:
        """Where the import system finds ``name`` under the source roots."""
        cached = self._modules.get(name)
        if cached is not None:
            return cached
        found = self._locate_uncached(name)
        self._modules[name] = found
        return found

    def _locate_uncached(self, name: str) -> _Module:
        parent = dotted.parent(name)
        if parent:
            up = self._locate(parent)
            if up.kind in ("external", "compiled"):
                return _Module("external", "", "")
            if up.kind == "missing":
                return up
            if up.kind == "file" and not up.path.endswith("__init__.py"):
                return _Module("missing", "", f"{parent} is a module, not a package")
            folder = os.path.dirname(up.path)
            dirs = [folder] if up.kind == "file" else up.path.split(os.pathsep)
        else:
            dirs = list(self.roots)
        leaf = dotted.leaf(name)
        portions = []
        for folder in dirs:
            base = os.path.join(folder, leaf)
            if os.path.isfile(os.path.join(base, "__init__.py")):
                return _Module("file", os.path.join(base, "__init__.py"), "")
            if os.path.isfile(base + ".py"):
                return _Module("file", base + ".py", "")
            if self._compiled(folder, leaf):
                return _Module("compiled", base, "")
            if os.path.isdir(base):
                portions.append(base)
        if portions:
            return _Module("namespace", os.pathsep.join(portions), "")
        if not parent:
            return _Module("external", "", "")
        if self._locate(parent).kind == "namespace":
            return _Module("external", "", "")  # a namespace perhaps shared with installed ones
        return _Module("missing", "", f"no module named {name!r}")

    def _compiled(self, folder: str, leaf: str) -> bool:
        return extension_in(folder, leaf, self._listings)

    def _bound(
        self, module: str, seen: frozenset[str] = frozenset()
    ) -> tuple[frozenset[str], str] | None:
        """The names ``module`` binds at its top level; None: cannot tell."""
        if module in self._bindings:
            return self._bindings[module]
        result = self._bound_uncached(module, seen | {module})
        self._bindings[module] = result
        return result

    def _bound_uncached(
        self, module: str, seen: frozenset[str]
    ) -> tuple[frozenset[str], str] | None:
        found = self._locate(module)
        path = found.path if found.kind == "file" else ""
        if found.kind == "namespace":
            return frozenset(), ""
        if found.kind == "external":
            spec = self._specs.get(module)
            origin = spec.origin if spec else None
            path = origin if origin and origin.endswith(".py") else ""
        if not path:
            return None
        summary = _top_level(self.overrides.get(os.path.normpath(path)), path, module)
        if summary is None:
            return None
        names, stars, public = summary
        for star in stars:
            if star in seen:
                continue
            inner = self._bound(star, seen)
            if inner is None:
                return None
            inner_names, inner_public = inner
            names |= (
                set(inner_public.split(",")) - {""}
                if inner_public
                else {n for n in inner_names if not n.startswith("_")}
            )
        return frozenset(names), public


def _top_level(
    data: bytes | None, path: str, module: str
) -> tuple[set[str], list[str], str] | None:
    """(names bound, star-imported modules, ``__all__`` joined by commas); None: dynamic
    (a module ``__getattr__``, writes through ``globals()``, a star it cannot follow)."""
    try:
        if data is None:
            with open(path, "rb") as fh:
                data = fh.read()
        tree = ast.parse(data)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: set[str] = set()
    stars: list[str] = []
    public = ""
    is_package = os.path.basename(path).startswith("__init__.")
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Import):
            names.update(a.asname or a.name.partition(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name)
                else:
                    base = dotted.resolve_relative(
                        node.level, node.module or "", module, is_package
                    )
                    if not base:
                        return None
                    stars.append(base)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
                if _writes_globals(target):
                    return None
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                if isinstance(value, (ast.List, ast.Tuple)):
                    public = ",".join(
                        e.value
                        for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    )
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody"):
                stack.extend(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)
            bound = [getattr(node, "target", None)]
            bound += [item.optional_vars for item in getattr(node, "items", [])]
            for target in filter(None, bound):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Expr) and _writes_globals(node.value):
            return None
    # ``global X`` in a function binds X once it runs: counted, never a false "missing"
    names.update(n for g in ast.walk(tree) if isinstance(g, ast.Global) for n in g.names)
    if "__getattr__" in names:
        return None
    return names, stars, public


def _writes_globals(value: ast.expr) -> bool:
    """``globals().update(...)`` / ``globals()[k] = ...`` style: names no parser can list."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "globals"
        for n in ast.walk(value)
    )
