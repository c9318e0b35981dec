"""Removing the bindings of retired names from a shim's source, byte-exact elsewhere."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst


class _Remove(cst.CSTTransformer):
    """Drops the bindings of ``names`` (import aliases, ``Old = New`` lines, ``__all__``)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def _bound(self, alias: cst.ImportAlias) -> str:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return alias.asname.name.value
        return _name(alias.name).partition(".")[0]

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        keep = [a for a in updated_node.names if self._bound(a) not in self.names]
        if len(keep) == len(updated_node.names):
            return updated_node
        if not keep:
            return cst.RemoveFromParent()
        if updated_node.lpar is None and not isinstance(keep[-1].comma, cst.MaybeSentinel):
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=keep)

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.Assign | cst.RemovalSentinel:
        targets = [t.target for t in updated_node.targets]
        if len(targets) == 1 and isinstance(targets[0], cst.Name):
            if targets[0].value in self.names:
                return cst.RemoveFromParent()
            if targets[0].value == "__all__" and isinstance(
                updated_node.value, (cst.List, cst.Tuple)
            ):
                elements = [
                    e
                    for e in updated_node.value.elements
                    if not (
                        isinstance(e.value, cst.SimpleString)
                        and e.value.evaluated_value in self.names
                    )
                ]
                if len(elements) != len(updated_node.value.elements):
                    if (
                        elements
                        and isinstance(updated_node.value, cst.List)
                        and not isinstance(elements[-1].comma, cst.MaybeSentinel)
                        and not _multiline(updated_node.value)
                    ):
                        elements[-1] = elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    return updated_node.with_changes(
                        value=updated_node.value.with_changes(elements=elements)
                    )
        return updated_node


def _multiline(node: cst.List | cst.Tuple) -> bool:
    return "\n" in cst.Module([]).code_for_node(node)


def _name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_name(node.value)}.{node.attr.value}"
    return ""


def remove_names(data: bytes, names: set[str]) -> bytes:
    """The shim's source without the bindings of ``names`` (byte-exact elsewhere)."""
    tree = cst.parse_module(data)
    return tree.visit(_Remove(names)).bytes


def removable_names(data: bytes, names: Iterable[str]) -> frozenset[str]:
    """The names whose binding ``remove_names`` really drops (each on its own), from one
    parse; nothing when LibCST cannot parse the shim."""
    wanted = set(names)
    if not wanted:
        return frozenset()
    try:
        tree = cst.parse_module(data)
        return frozenset(n for n in wanted if tree.visit(_Remove({n})).bytes != data)
    except Exception:  # noqa: BLE001 - a shim LibCST cannot parse: nothing is removable
        return frozenset()
