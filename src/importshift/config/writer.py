"""Changing a rules file the way a careful person would: in place, nothing else touched.

Every writer of ``rules.yaml`` (``discover --write``, ``doctor --write-rules``, ``retire``)
goes through here. The text is edited at the positions PyYAML reports, so comments, blank
lines, indentation style, quoting and line endings (CRLF stays CRLF) are kept; block,
unindented and flow ``moves:`` lists are extended in their own style, and a file with no
``moves:`` key gets one. A move that would make the file invalid (``old == new``, an ``old``
already declared, a cycle) is skipped with a note. The result is loaded with the real loader
before it replaces the file: if it would not load, the file is left untouched and
``ImportshiftError`` is raised (exit 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml

from importshift.codebase.textio import atomic_write
from importshift.core import dotted
from importshift.core.errors import ImportshiftError, RulesError


@dataclass(frozen=True, slots=True)
class NewMove:
    old: str
    new: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Written:
    """What a write really did: the moves added and the ones skipped (with why)."""

    added: tuple[NewMove, ...]
    skipped: tuple[tuple[NewMove, str], ...]

    def __len__(self) -> int:  # ``added N move(s)`` counts what was written
        return len(self.added)

    def notes(self) -> list[str]:
        return [f"skipped {m.old} -> {m.new}: {why}" for m, why in self.skipped]


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar that loads back as the same string."""
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok and value.strip() == value else _quoted(value)


_LINE_BREAKS = {"\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, plus YAML's for what YAML reads as a
    line break (which it would fold) and for characters PyYAML refuses unescaped."""
    out = json.dumps(text, ensure_ascii=False)
    for char, escape in _LINE_BREAKS.items():
        out = out.replace(char, escape)
    return "".join(
        c
        if c.isprintable() or c in "\t"
        else f"\\u{ord(c):04x}"
        if ord(c) < 0x10000
        else f"\\U{ord(c):08x}"
        for c in out
    )


def _fields(m: NewMove) -> list[tuple[str, str]]:
    return [
        ("old", _scalar(m.old)),
        ("new", _scalar(m.new)),
        ("kind", _scalar(m.kind)),
        ("reason", _quoted(m.reason)),
    ]


def render(moves: Sequence[NewMove], dash: int = 2, key: int = 4, nl: str = "\n") -> str:
    """Block-style list items: ``dash`` spaces before ``-``, keys at column ``key``."""
    out = []
    for m in moves:
        for i, (name, value) in enumerate(_fields(m)):
            lead = " " * dash + "-" + " " * (key - dash - 1) if i == 0 else " " * key
            out.append(f"{lead}{name}: {value}{nl}")
    return "".join(out)


def _flow(m: NewMove) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in _fields(m)) + "}"


# -- reading the structure ------------------------------------------------------------------


def _compose(text: str) -> yaml.MappingNode | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ImportshiftError(f"cannot edit the rules file: invalid YAML: {exc}") from None
    if node is None:
        return None
    if not isinstance(node, yaml.MappingNode):
        raise ImportshiftError("cannot edit the rules file: it is not a mapping")
    return node


def _key(node: yaml.MappingNode | None, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    if node is None:
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == name:
            return k, v
    return None


def _items(node: yaml.MappingNode | None) -> list[yaml.MappingNode]:
    found = _key(node, "moves")
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        return []
    return [i for i in found[1].value if isinstance(i, yaml.MappingNode)]


def _value(item: yaml.MappingNode, name: str) -> str | None:
    found = _key(item, name)
    if found and isinstance(found[1], yaml.ScalarNode):
        return str(found[1].value)
    return None


def _last_end(node: yaml.Node) -> int:
    """Where the text of ``node`` really ends (block collections end at the next token)."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _last_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_end(node.value[-1])
    return int(node.end_mark.index)


def _line_end(text: str, index: int) -> int:
    """The start of the line after ``index`` (``index`` itself if it starts a line)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def _list_style(root: yaml.MappingNode | None) -> tuple[int, int]:
    """Columns of ``-`` and of the keys for a new top-level list: those of the file's first
    block list (``source_roots``, ``exclude`` or ``codemods``), else 2 and 4."""
    for _, value in root.value if root is not None else ():
        if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
            dash = int(value.start_mark.column)
            first = value.value[0]
            if isinstance(first, yaml.MappingNode) and not first.flow_style:
                return dash, int(first.start_mark.column)
            return dash, dash + 2
    return 2, 4


def _newline(text: str) -> str:
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"


# -- edits ----------------------------------------------------------------------------------


def _filter(
    existing: Sequence[tuple[str, str]], moves: Sequence[NewMove]
) -> tuple[list[NewMove], list[tuple[NewMove, str]]]:
    """The moves that keep the rules valid, and the others with the reason."""
    edges = dict(existing)
    added: list[NewMove] = []
    skipped: list[tuple[NewMove, str]] = []
    for m in moves:
        if not (dotted.is_identifier_path(m.old) and dotted.is_identifier_path(m.new)):
            skipped.append((m, "not a dotted name"))
        elif m.kind not in ("module", "symbol"):
            skipped.append((m, f"unknown kind {m.kind!r}"))
        elif m.old == m.new:
            skipped.append((m, "'old' equals 'new'"))
        elif m.old in edges:
            skipped.append((m, f"a move with old {m.old} is already declared"))
        elif _cycle(edges, m.old, m.new):
            skipped.append((m, "it would form a cycle of moves"))
        else:
            edges[m.old] = m.new
            added.append(m)
    return added, skipped


def _cycle(edges: Mapping[str, str], old: str, new: str) -> bool:
    """Would ``old -> new`` make the chain that starts at ``new`` come back to a name it has
    seen? Chains are followed through the longest declared prefix, as the loader does; every
    move is taken to cover what lies below it, so this may refuse a valid edge, never let a
    cycle through."""
    graph = {**edges, old: new}
    current, seen = new, [old]
    for _ in range(len(graph) + 1):
        probe = current
        while probe and probe not in graph:
            probe = dotted.parent(probe)
        if not probe:
            return False
        if probe in seen:
            return True
        seen.append(probe)
        current = graph[probe] + current[len(probe) :]
    return True


def add_moves_text(text: str, moves: Sequence[NewMove]) -> tuple[str, Written]:
    """``text`` with the valid ``moves`` appended to its ``moves:`` list, in its style."""
    root = _compose(text)
    items = _items(root)
    existing = [(o, n) for o, n in ((_value(i, "old"), _value(i, "new")) for i in items) if o]
    added, skipped = _filter([(o, n or "") for o, n in existing], moves)
    written = Written(tuple(added), tuple(skipped))
    if not added:
        return text, written
    nl = _newline(text)
    found = _key(root, "moves")
    dash, key = _list_style(root)
    if found is None:
        base = text if not text or text.endswith("\n") else text + nl
        return base + "moves:" + nl + render(added, dash, key, nl), written
    seq = found[1]
    is_null = isinstance(seq, yaml.ScalarNode) and seq.tag == "tag:yaml.org,2002:null"
    if not (is_null or isinstance(seq, yaml.SequenceNode)):
        raise ImportshiftError("cannot edit the rules file: 'moves' is not a list")
    if is_null or (isinstance(seq, yaml.SequenceNode) and seq.flow_style and not seq.value):
        # ``moves:``, ``moves: null`` or ``moves: []``: the list starts on the next line
        start, end = int(seq.start_mark.index), int(seq.end_mark.index)
        if start == end:
            start = end = int(found[0].end_mark.index)
        rest = text[:start].rstrip(" \t") + text[end:]
        at = _line_end(rest, len(text[:start].rstrip(" \t")))
        if not rest[:at].endswith("\n"):
            rest, at = rest[:at] + nl + rest[at:], at + len(nl)
        return rest[:at] + render(added, dash, key, nl) + rest[at:], written
    assert isinstance(seq, yaml.SequenceNode)
    if seq.flow_style:
        close = int(seq.end_mark.index) - 1  # the ``]``
        last = _last_end(seq.value[-1])
        between = text[last:close]
        comma = "," in between
        if "\n" in between:  # one item per line: the new ones too, before the ``]`` line
            at = text.rfind("\n", 0, close) + 1
            pad = " " * int(seq.value[-1].start_mark.column)
            body = "".join(f"{pad}{_flow(m)},{nl}" for m in added)
            head = text[:last] + ("" if comma else ",") + text[last:at]
            return head + body + text[at:], written
        sep = "" if comma else ", "
        body = ", ".join(_flow(m) for m in added)
        return text[:close].rstrip(" \t") + sep + body + text[close:], written
    first = seq.value[0]
    dash = int(seq.start_mark.column)
    key = int(first.start_mark.column) if isinstance(first, yaml.MappingNode) else dash + 2
    if isinstance(first, yaml.MappingNode) and first.flow_style:
        block = "".join(f"{' ' * dash}- {_flow(m)}{nl}" for m in added)
    else:
        block = render(added, dash, key, nl)
    at = _line_end(text, _last_end(seq))
    if at == len(text) and not text.endswith("\n"):
        text, at = text + nl, at + len(nl)
    return text[:at] + block + text[at:], written


def add_moves(text: str, moves: Sequence[NewMove]) -> str:
    """``add_moves_text`` without the account of what was skipped (kept for older callers)."""
    return add_moves_text(text, moves)[0]


def set_kinds_text(text: str, kinds: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with ``kind:`` added to the moves whose ``old`` is in ``kinds`` and that have
    none yet; returns the olds changed."""
    edits: list[tuple[int, str]] = []
    changed: list[str] = []
    nl = _newline(text)
    for item in _items(_compose(text)):
        old = _value(item, "old")
        found = _key(item, "old")
        if old is None or found is None or old not in kinds or _key(item, "kind"):
            continue
        key_node, value_node = found
        value = _scalar(kinds[old])
        changed.append(old)
        if item.flow_style:
            edits.append((int(value_node.end_mark.index), f", kind: {value}"))
        else:
            at = _line_end(text, int(value_node.end_mark.index))
            edits.append((at, f"{' ' * int(key_node.start_mark.column)}kind: {value}{nl}"))
    for at, piece in sorted(edits, reverse=True):
        if at == len(text) and not text.endswith("\n") and piece.endswith(nl):
            piece = nl + piece[: -len(nl)]
        text = text[:at] + piece + text[at:]
    return text, sorted(changed)


# -- writing --------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportshiftError(f"cannot read rules file {path}: {exc}") from None


def _problem(folder: str, text: str, root: str, strict: bool) -> str | None:
    """The first problem the real loader finds in ``text`` (None: it loads)."""
    from importshift.config.rules import load_rules

    fd, tmp = tempfile.mkstemp(prefix=".importshift-rules-", suffix=".yaml", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        load_rules(tmp, root, check_targets=strict)
    except RulesError as exc:
        first = exc.problems[0]
        return f"line {first.line}: {first.message}"
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return None


def replace_checked(path: str, text: str, root: str | None = None, before: str = "") -> None:
    """Replace the rules file with ``text`` only if the real loader accepts it, targets
    checked too (unless ``before``, the current text, already fails that check: then the
    shape and meaning checks alone decide, as for ``--no-check-targets``)."""
    folder = os.path.dirname(os.path.abspath(path))
    root = root or folder
    problem = _problem(folder, text, root, strict=True)
    if problem is not None and before and _problem(folder, before, root, strict=True):
        problem = _problem(folder, text, root, strict=False)
    if problem is not None:
        raise ImportshiftError(
            f"{path} left unchanged: the edited rules would not load ({problem})"
        )
    atomic_write(path, text.encode("utf-8"))


def write_moves(path: str, moves: Sequence[NewMove], root: str | None = None) -> Written:
    """Add the valid ``moves`` to the rules file at ``path`` (checked before it is replaced)."""
    text = _read(path)
    new, written = add_moves_text(text, moves)
    if new != text:
        replace_checked(path, new, root, text)
    return written


def set_kinds(path: str, kinds: Mapping[str, str], root: str | None = None) -> list[str]:
    """Make ``kind:`` explicit for the moves whose ``old`` is in ``kinds`` (for example before
    their old module is deleted, so that the rules still load without it)."""
    text = _read(path)
    new, changed = set_kinds_text(text, kinds)
    if new != text:
        replace_checked(path, new, root, text)
    return changed
