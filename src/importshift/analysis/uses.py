"""Every way a file can still reach a shim, beyond the imports that ``apply`` migrates.

``retire`` deletes code, so "unused" must be proved, not assumed. Besides plain imports (found
by the rewrite engine), a shim is still used when a file:

- names it in a string: ``importlib.import_module("pkg.events")``, ``__import__``,
  ``pkgutil.resolve_name("pkg.events:Manager")``, ``mock.patch("pkg.events.Manager")``, an
  entry point ``"x = pkg.events:main"``, a relative ``import_module(".events", ...)``;
- reaches a name dynamically: ``getattr(events, "Manager")``, ``hasattr(...)``,
  ``mock.patch.object(events, "Manager")``, or passes the module object on;
- imports it from code written in a string (a doctest, ``exec``);
- imports a module whose name is built at run time from parts that may spell the shim
  (``import_module("pkg." + name)``): not provable either way;
- re-exports it with ``from pkg.events import *`` (everything it holds stays reachable);
- is a ``.pyi`` stub that imports it (or the shim's own stub), or a packaging/tool config
  file (``pyproject.toml``, ``setup.cfg``, ``tox.ini``) that names it;
- does not parse (on this Python) and textually names the shim: nothing can be proved.

This module judges one parsed Python file (``PyFinder``); ``analysis.proof`` reads the
files, handles the ones that are not Python or do not parse.

Each finding is a ``Use`` of one shim: of one name it provides, of the module as a whole
(``name=ALL``: every name is blocked), or of the module only (``name=MODULE``: other names,
so the file cannot be deleted, but the aliases may go).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass

from importshift.codebase import scan
from importshift.core import dotted

ALL = "*"  # a use that may reach every name of the shim
MODULE = ""  # a use of the module that reaches none of its moved names

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


def _classify(text: str, module: str, names: frozenset[str]) -> str | None:
    """Which name of ``module`` the dotted text ``a.b:C`` reaches (None: not the shim)."""
    if text == module:
        return ALL
    for sep in (".", ":"):
        if text.startswith(module + sep):
            first = re.split(r"[.:]", text[len(module) + 1 :])[0]
            if not first:
                return ALL  # ``f"pkg.events.{name}"``: any name of it
            return first if first in names else MODULE
    return None


class PyFinder:
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
        for node in nodes(tree):  # bindings first, then what reads them
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
        if callee in (*_IMPORTERS, "resolve_name") and args:
            self._dynamic_import(node, args[0])
            return
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

    def _dynamic_import(self, node: ast.Call, arg: ast.expr) -> None:
        """``import_module("pkg." + name)``: a name built at run time may be the shim."""
        if isinstance(arg, ast.Constant):
            return  # a plain string: judged as a string reference
        parts = [
            n.value.strip(".")
            for n in ast.walk(arg)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.strip(".")
        ]
        for module in self.shims:
            padded = f".{module}."
            if any(f".{p}." in padded or module.startswith(p) for p in parts):
                self.found.append(
                    Use(
                        self.path,
                        node.lineno,
                        module,
                        ALL,
                        f"{_callee(node)}() of a name built at run time may import it",
                        proof=False,
                    )
                )

    def _names(self, module: str) -> bool:
        """The file binds ``module`` (or a parent of it) somewhere."""
        return any(dotted.within(module, b) for b in self.bound.values())

    def _string(self, node: ast.Constant, value: str) -> None:
        if "import" in value:
            self._code_in_string(node, value)
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

    def _code_in_string(self, node: ast.Constant, value: str) -> None:
        """Imports written in a docstring (doctests, examples) still import the shim."""
        code = re.sub(r"(?m)^([ \t]*)(?:>>>|\.\.\.)(?: |$)", r"\1", value)
        for stmt in scan.imports(code.encode("utf-8", "surrogatepass")):
            if stmt.level:
                continue
            names = [n for n, _ in stmt.names] if stmt.is_from else [""]
            for name in names:
                full = dotted.join(stmt.module, "" if name == "*" else name)
                hit = self._shim_of(full)
                if hit is None:
                    continue
                which = hit[1] if stmt.is_from and name != "*" else ALL
                line = node.lineno + stmt.line - 1
                self.found.append(
                    Use(self.path, line, hit[0], which, f"code in a string imports {full}")
                )

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


# fields that never hold a node worth visiting: names and numbers, and the contexts and
# operators (``Load()``, ``Add()``: leaves that no question here is about)
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level", "kind"}
    | {"type_comment", "conversion", "simple", "is_async", "lineno"}
)
_CHILDREN: dict[type, tuple[str, ...]] = {}


def _children(kind: type) -> tuple[str, ...]:
    return tuple(f for f in getattr(kind, "_fields", ()) if f not in _LEAF_FIELDS)


def nodes(tree: ast.AST) -> list[ast.AST]:
    """The nodes of ``tree`` in the order of ``ast.walk`` (breadth first), without the
    leaves no question here is about (see ``_LEAF_FIELDS``); no generators: this walk is
    most of the time of a ``shims`` run."""
    queue: list[ast.AST] = [tree]
    push, node_type, seen = queue.append, ast.AST, 0
    while seen < len(queue):
        node = queue[seen]
        seen += 1
        fields = _CHILDREN.get(type(node))
        if fields is None:
            fields = _CHILDREN[type(node)] = _children(type(node))
        for field in fields:
            value = getattr(node, field, None)
            if isinstance(value, node_type):
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
    return queue


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
