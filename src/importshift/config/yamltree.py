"""Safe YAML loading that keeps line numbers and refuses what a rules file never needs.

Duplicate keys, anchors/aliases, Python tags and oversized documents are problems, not
silently accepted: PyYAML alone keeps the last duplicate key and expands alias bombs.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from importshift.core.errors import Problem

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "bool", "null", "float")}


@dataclass(frozen=True, slots=True)
class Mark:
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class YMap:
    items: tuple[tuple[str, Value, Mark], ...]  # key, value, mark of the key
    mark: Mark


@dataclass(frozen=True, slots=True)
class YSeq:
    items: tuple[Value, ...]
    mark: Mark


@dataclass(frozen=True, slots=True)
class YScalar:
    value: object
    mark: Mark


Value = YMap | YSeq | YScalar


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def problem(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.col, message))

    def build(self, node: yaml.Node) -> Value:
        mark = _mark(node)
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(mark)
        if id(node) in self.seen:
            self.problem(mark, "anchors and aliases are not supported in a rules file")
            return YScalar(None, mark)
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._map(node, mark)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _STD + "seq":
                self.problem(mark, f"unsupported tag {node.tag!r}")
            return YSeq(tuple(self.build(item) for item in node.value), mark)
        if node.tag not in _SCALAR_TAGS:
            self.problem(mark, f"unsupported tag {node.tag!r} (rules files take plain values)")
            return YScalar(None, mark)
        return YScalar(self.constructor.construct_object(node), mark)

    def _map(self, node: yaml.MappingNode, mark: Mark) -> YMap:
        if node.tag != _STD + "map":
            self.problem(mark, f"unsupported tag {node.tag!r}")
        items: list[tuple[str, Value, Mark]] = []
        keys: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            key_mark = _mark(key_node)
            if key_node.tag == _STD + "merge":
                self.problem(key_mark, "merge keys ('<<') are not supported in a rules file")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STD + "str":
                self.problem(key_mark, "keys must be plain strings")
                continue
            key = str(key_node.value)
            if key in keys:
                first = keys[key]
                self.problem(key_mark, f"duplicate key '{key}' (first at line {first.line})")
                continue
            keys[key] = key_mark
            items.append((key, self.build(value_node), key_mark))
        return YMap(tuple(items), mark)


class _TooBig(Exception):
    def __init__(self, mark: Mark) -> None:
        self.mark = mark


def load(text: str, path: str) -> tuple[Value | None, list[Problem]]:
    """Parse ``text`` into a marked tree; every problem found is returned, none raised."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None, [Problem(path, 1, 1, f"file is larger than {MAX_BYTES} bytes")]
    builder = _Builder(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Problem(path, line, col, f"invalid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, 1, f"invalid YAML: {exc}")]
    if node is None:
        return None, [Problem(path, 1, 1, "the rules file is empty")]
    try:
        tree = builder.build(node)
    except _TooBig as exc:
        return None, [Problem(path, exc.mark.line, exc.mark.col, "document is too large")]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return None, [Problem(path, 1, 1, f"invalid YAML value: {exc}")]
    return tree, builder.problems
