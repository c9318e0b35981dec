"""Extra LibCST codemods named by the rules file, run after the moves in the same pipeline."""

from __future__ import annotations

import difflib
import importlib.util
import sys
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, SkipFile

from importshift.core.errors import ImportshiftError
from importshift.core.model import CodemodSpec, Edit


@dataclass(frozen=True)
class LoadedCodemod:
    spec: CodemodSpec
    cls: type[Codemod]

    @property
    def tokens(self) -> tuple[bytes, ...]:
        """Substrings one of which a file must contain for the codemod to look at it."""
        raw = getattr(self.cls, "TOKENS", None)
        if raw is None:
            return ()
        args = dict(self.spec.args)
        values = raw(**args) if callable(raw) else raw
        return tuple(str(v).encode() for v in values)


_CACHE: dict[tuple[str, str, str], LoadedCodemod] = {}


def load_codemod(spec: CodemodSpec) -> LoadedCodemod:
    """Import the codemod class (once per process)."""
    key = (spec.path, spec.class_name, repr(spec.args))
    if key in _CACHE:
        return _CACHE[key]
    name = f"importshift_codemod_{abs(hash(spec.path))}"
    module_spec = importlib.util.spec_from_file_location(name, spec.path)
    if module_spec is None or module_spec.loader is None:
        raise ImportshiftError(f"cannot load codemod {spec.id}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's file: report, never crash
        raise ImportshiftError(f"codemod {spec.id} failed to load: {exc}") from None
    cls = getattr(module, spec.class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Codemod)):
        raise ImportshiftError(f"{spec.id} is not a LibCST Codemod class")
    loaded = LoadedCodemod(spec, cls)
    _CACHE[key] = loaded
    return loaded


def run_codemod(
    loaded: LoadedCodemod, tree: cst.Module, code: str, module: str | None, path: str
) -> tuple[cst.Module, str, list[Edit]]:
    """Run one codemod on ``tree`` (whose text is ``code``); its changes become line edits
    under its id. Returns the new tree, its text and the edits."""
    context = CodemodContext(filename=path, full_module_name=module)
    try:
        instance = loaded.cls(context, **dict(loaded.spec.args))
        new_tree = instance.transform_module(tree)
    except SkipFile:
        return tree, code, []
    if new_tree is tree:
        return tree, code, []
    new_code = new_tree.code
    if new_code == code:
        return tree, code, []
    return new_tree, new_code, line_edits(loaded.spec.id, code, new_code)


def line_edits(rule: str, before: str, after: str) -> list[Edit]:
    """Changed line ranges between two texts, as edits."""
    a, b = before.splitlines(), after.splitlines()
    edits = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.append(Edit(rule, i1 + 1, 1, "\n".join(a[i1:i2]), "\n".join(b[j1:j2])))
    return edits
