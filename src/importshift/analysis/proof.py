"""The proof that a shim is unused, file by file: Python sources, stubs, config and text.

``find_uses`` reads one file and returns every ``Use`` of the shims in it (see
``analysis.uses`` for what counts). A Python file that does not parse on this interpreter
but names a shim yields a use that cannot be proved away ("cannot prove unused:
path:line"). ``extra_files`` lists what the walk of ``.py`` files does not hold: ``.pyi``
stubs and packaging/tool config files.
"""

from __future__ import annotations

import ast
import gc
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from importshift.analysis.uses import ALL, MODULE, PyFinder, Use
from importshift.codebase.facts import Facts, facts
from importshift.codebase.files import NEVER_DESCEND
from importshift.codebase.pool import in_chunks
from importshift.codebase.regular import read_source
from importshift.core import dotted
from importshift.core.model import FileOutcome

CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", "setup.py")
_DYNAMIC_TOKENS = (b"import_module", b"__import__", b"resolve_name")


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
            if d not in NEVER_DESCEND
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
            and not spec.match_file(f"{rel_dir}/{d}/".lstrip("/"))
        )
        for name in sorted(names):
            rel = f"{rel_dir}/{name}".lstrip("/")
            wanted = name.endswith(".pyi") or name in CONFIG_FILES[:3]
            if wanted and not spec.match_file(rel) and not os.path.islink(f"{folder}/{name}"):
                out.append(rel)
    return sorted(out)


def find_uses(
    data: bytes,
    path: str,
    module: str | None,
    is_package: bool,
    shims: Mapping[str, frozenset[str]],
    static: bool,
    named: Sequence[str] | None = None,
    parse: Parse = ast.parse,
) -> list[Use]:
    """Uses of ``shims`` (module -> the names it provides; ``ALL`` for a moved module) in one
    file. ``static``: also report plain imports and attribute chains (for files that the
    engine does not scan, such as stubs). ``named``: the shims whose last component the
    bytes hold, when the caller has looked already."""
    own = [m for m in shims if module is not None and dotted.within(module, m)]
    out = [
        Use(path, 1, m, ALL, "is a stub of the shim: remove or update it first")
        for m in own
        if path.endswith(".pyi")
    ]
    dynamic = _is_python(path) and any(t in data for t in _DYNAMIC_TOKENS)
    hold = {m for m in shims if dotted.leaf(m).encode() in data} if named is None else set(named)
    relevant = {m: names for m, names in shims.items() if m not in own and (dynamic or m in hold)}
    if not relevant:
        return out
    if not _is_python(path):
        return _config_uses(data, path, relevant) + _text_imports(data, path, relevant)
    try:
        tree = parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        reason = (
            f"does not parse on Python {sys.version_info[0]}.{sys.version_info[1]}: "
            f"{getattr(exc, 'msg', None) or type(exc).__name__}"
        )
        return out + _unparsed(data, path, relevant, reason)
    finder = PyFinder(path, module, is_package, relevant, static)
    finder.run(tree)
    if path.endswith("setup.py"):
        finder.found.extend(_config_uses(data, path, relevant))
    return out + sorted(set(finder.found))


def _unparsed(
    data: bytes, path: str, shims: Mapping[str, frozenset[str]], reason: str
) -> list[Use]:
    out = []
    for module in shims:
        match = re.search(
            rb"(?<![\w])" + re.escape(dotted.leaf(module).encode()) + rb"(?!\w)", data
        )
        if match:
            line = data.count(b"\n", 0, match.start()) + 1
            out.append(Use(path, line, module, ALL, f"{reason}; it names {module}", proof=False))
    return out


def _is_python(path: str) -> bool:
    """Python source (``.py``, ``.pyi``, an extensionless script); anything else is text."""
    name = path.rpartition("/")[2]
    return name.endswith((".py", ".pyi")) or "." not in name.lstrip(".")


def _text_imports(data: bytes, path: str, shims: Mapping[str, frozenset[str]]) -> list[Use]:
    """``from pkg import events`` in a text file (docs, notebooks): the dotted path is not
    written out, so the token search of ``_config_uses`` misses it."""
    text = data.decode("utf-8", "replace")
    out = []
    for module in shims:
        parent, leaf = dotted.parent(module), dotted.leaf(module)
        if not parent:
            continue
        pattern = rf"\bfrom\s+{re.escape(parent)}\s+import\s+[^\n]*\b{re.escape(leaf)}\b"
        for match in re.finditer(pattern, text):
            line = text.count("\n", 0, match.start()) + 1
            out.append(Use(path, line, module, ALL, f"imports {module} (in text)"))
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


Target = tuple[str, str | None, bool, bool]  # path, module, is_package, read statically
Parse = Callable[[bytes], ast.Module]
_IN_PROCESS_BELOW = 512


class Asks(NamedTuple):
    """What else a caller wants of the bytes of each file while they are read."""

    probe: Callable[[bytes], bool] | None = None  # which files it accepts
    # the engine's outcome of a file (None: nothing to report), sharing the parse
    detect: Callable[[Target, bytes, Parse], FileOutcome | None] | None = None


class Scanned(NamedTuple):
    """One read of every target: the uses, and what else the callers wanted of the bytes."""

    uses: list[Use]
    naming: dict[str, list[str]]  # shim -> paths whose bytes hold its last component
    probed: list[str]  # paths whose bytes ``probe`` accepted
    facts: dict[str, Facts]  # the textual facts of the files in ``naming`` (who they import)
    outcomes: list[FileOutcome]  # what ``detect`` reported
    detected: list[str]  # the paths ``detect`` was asked about (not: unreadable, crashed)


_NOTHING = Asks()


def _scanned() -> Scanned:
    return Scanned([], {}, [], {}, [], [])


def scan_files(
    root: str,
    targets: Sequence[Target],
    shims: Mapping[str, frozenset[str]],
    jobs: int = 1,
    asks: Asks = _NOTHING,
) -> Scanned:
    """``find_uses`` over every target, each file read once (in worker processes for a large
    tree). A file that cannot be read cannot be proved free of uses: it blocks every shim,
    saying why; a file that kills its worker blocks every shim it names."""
    if not targets or not (shims or asks.probe or asks.detect):
        return _scanned()
    shims = dict(shims)
    if jobs <= 1 or len(targets) < _IN_PROCESS_BELOW:
        return _merge([_scan_chunk(root, list(targets), shims, asks)])
    size = max(64, min(512, len(targets) // (jobs * 8)))  # small enough to balance the load

    def crashed(target: Target) -> Scanned:
        return _crashed(root, target[0], shims)

    parts = in_chunks(_scan_one_chunk, root, list(targets), (shims, asks), jobs, size, crashed)
    return _merge(parts)


def _scan_one_chunk(
    root: str, targets: list[Target], shims: dict[str, frozenset[str]], asks: Asks
) -> list[Scanned]:
    return [_scan_chunk(root, targets, shims, asks)]


def _merge(parts: Iterable[Scanned]) -> Scanned:
    out = _scanned()
    for part in parts:
        out.uses.extend(part.uses)
        for module, paths in part.naming.items():
            out.naming.setdefault(module, []).extend(paths)
        out.probed.extend(part.probed)
        out.facts.update(part.facts)
        out.outcomes.extend(part.outcomes)
        out.detected.extend(part.detected)
    return out


def _crashed(root: str, path: str, shims: Mapping[str, frozenset[str]]) -> Scanned:
    """A file that killed the worker reading it: every shim it names (every shim, when it
    cannot be read either) cannot be proved unused."""
    why = "its analysis crashed the worker process"
    try:
        with open(os.path.join(root, path), "rb") as fh:
            data = fh.read()
    except OSError:
        return _scanned()._replace(uses=[Use(path, 1, m, ALL, why, proof=False) for m in shims])
    return _scanned()._replace(uses=_unparsed(data, path, shims, why))


def _scan_chunk(
    root: str, targets: list[Target], shims: dict[str, frozenset[str]], asks: Asks
) -> Scanned:
    collecting = gc.isenabled()
    gc.disable()  # trees hold no cycles: the collector would only walk them, many times
    try:
        return _scan_files(root, targets, shims, asks)
    finally:
        if collecting:
            gc.enable()


def _scan_files(
    root: str, targets: list[Target], shims: dict[str, frozenset[str]], asks: Asks
) -> Scanned:
    out = _scanned()
    tokens = [(m, dotted.leaf(m).encode()) for m in shims]
    for target in targets:
        path, module, is_package, static = target
        try:
            data = read_source(os.path.join(root, path))
        except OSError as exc:
            why = f"cannot read it: {exc.strerror or exc}"
            out.uses.extend(Use(path, 1, m, ALL, why, proof=False) for m in shims)
            continue
        named = [m for m, token in tokens if token in data]
        for m in named:
            out.naming.setdefault(m, []).append(path)
        if named:
            out.facts[path] = facts(data, parse=False)
        if asks.probe is not None and asks.probe(data):
            out.probed.append(path)
        parse = _parse_once(data)
        if asks.detect is not None:
            found = asks.detect(target, data, parse)
            out.detected.append(path)
            if found is not None:
                out.outcomes.append(found)
        out.uses.extend(find_uses(data, path, module, is_package, shims, static, named, parse))
    return out


def _parse_once(data: bytes) -> Parse:
    """``ast.parse`` that parses ``data`` at most once, for everyone who asks (its error too)."""
    memo: list[ast.Module | SyntaxError | ValueError | RecursionError | MemoryError] = []

    def parse(source: bytes) -> ast.Module:
        if source is not data:
            return ast.parse(source)
        if not memo:
            try:
                memo.append(ast.parse(data))
            except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
                memo.append(exc)
        got = memo[0]
        if isinstance(got, ast.Module):
            return got
        raise got

    return parse
