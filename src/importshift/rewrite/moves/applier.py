"""Applies the decisions in one transform and tidies each block it touches: dropped lines
leave their comments, new lines follow their statement, one ``from N import`` per block."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from importshift.core import dotted
from importshift.rewrite import nodes
from importshift.rewrite.moves.uses import Decisions


class Applier(cst.CSTTransformer):
    def __init__(
        self, decisions: Decisions, module: str | None, is_package: bool, wanted: set[int]
    ) -> None:
        super().__init__()
        self.wanted = wanted
        self.d = decisions
        self.module = module
        self.is_package = is_package
        # keyed by id() of nodes made during the transform: the values keep them alive, so
        # an id is never reused by another node while it is a key here
        self.pending: dict[int, tuple[cst.CSTNode, list[cst.SimpleStatementLine], bool]] = {}
        self.ours: dict[int, cst.CSTNode] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) not in self.wanted:
            return False  # nothing below changes
        return super().on_visit(node)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.d.expr_new.get(id(original_node), updated_node)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return self.d.expr_new.get(id(original_node), updated_node)

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment) -> cst.Comment:
        return self.d.comment_new.get(id(original_node), updated_node)

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        return self.d.expr_new.get(id(original_node), updated_node)

    def _small(
        self, original: Sequence[cst.BaseSmallStatement], updated: Sequence[cst.BaseSmallStatement]
    ) -> tuple[list[cst.BaseSmallStatement], list[cst.SimpleStatementLine], bool]:
        body: list[cst.BaseSmallStatement] = []
        extras: list[cst.SimpleStatementLine] = []
        touched = False
        for orig, upd in zip(original, updated, strict=False):
            extras.extend(self.d.after.get(id(orig), []))
            if id(orig) in self.d.stmt_new:
                touched = True
                new = self.d.stmt_new[id(orig)]
                if new is not None:
                    body.append(new)
            else:
                body.append(upd)
        dropped_last = self.d.stmt_new.get(id(original[-1]), original[-1]) is None
        if body and dropped_last and not isinstance(body[-1].semicolon, cst.MaybeSentinel):
            body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return body, extras, touched or bool(extras)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        body, extras, touched = self._small(original_node.body, updated_node.body)
        if not touched:
            return updated_node
        line = updated_node.with_changes(body=body) if body else updated_node
        self.pending[id(line)] = (line, extras, not body)
        return line

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        body, extras, touched = self._small(original_node.body, updated_node.body)
        if not touched:
            return updated_node
        for line in extras:
            body.extend(line.body)
        spaced = [
            s.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
            for s in body[:-1]
        ]
        return updated_node.with_changes(body=[*spaced, *body[-1:]] or [cst.Pass()])

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, carry = self._tidy(updated_node.body)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=carry)]
            carry = []
        return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, carry = self._tidy(updated_node.body)
        return updated_node.with_changes(body=body, footer=[*carry, *updated_node.footer])

    def _tidy(
        self, body: Sequence[cst.BaseStatement]
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        out: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        touched = False
        for stmt in body:
            info = self.pending.get(id(stmt))
            if info is None or info[0] is not stmt:
                if carry:
                    leading = getattr(stmt, "leading_lines", ())
                    stmt = stmt.with_changes(leading_lines=[*carry, *leading])
                    carry = []
                out.append(stmt)
                continue
            touched = True
            _, extras, emptied = info
            assert isinstance(stmt, cst.SimpleStatementLine)
            if emptied:
                carry.extend(stmt.leading_lines)
                if stmt.trailing_whitespace.comment is not None:
                    carry.append(cst.EmptyLine(comment=stmt.trailing_whitespace.comment))
            else:
                if carry:
                    stmt = stmt.with_changes(leading_lines=[*carry, *stmt.leading_lines])
                    carry = []
                out.append(stmt)
                self.ours[id(stmt)] = stmt
            for extra in extras:
                if carry:
                    extra = extra.with_changes(leading_lines=carry)
                    carry = []
                out.append(extra)
                self.ours[id(extra)] = extra
        if touched:
            out = self._merge(out)
        return out, carry

    # -- one ``from N import`` per block -------------------------------------------------

    def _key(self, stmt: cst.BaseStatement) -> str | None:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return None
        node = stmt.body[0]
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return None
        return dotted.resolve_relative(
            len(node.relative), nodes.name_of(node.module), self.module, self.is_package
        )

    def _merge(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        out = list(body)
        removed: set[int] = set()
        for i, stmt in enumerate(out):
            if self.ours.get(id(stmt)) is not stmt or i in removed:
                continue
            key = self._key(stmt)
            if key is None:
                continue
            for j, other in enumerate(out):
                if j == i or j in removed or self._key(other) != key:
                    continue
                if j < i and _plain_line(out[i]):
                    out[j] = _merged(out[j], out[i])
                    removed.add(i)
                elif (
                    j > i
                    and _plain_line(out[j])
                    and all(_is_import_line(s) for s in out[i + 1 : j])
                ):
                    out[i] = _merged(out[i], out[j])
                    self.ours[id(out[i])] = out[i]
                    removed.add(j)
                break
        return [s for k, s in enumerate(out) if k not in removed]


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _plain_line(stmt: cst.BaseStatement) -> bool:
    """A line that can disappear into another without losing a comment."""
    return not nodes.comments_in(stmt)


def _merged(into: cst.BaseStatement, source: cst.BaseStatement) -> cst.BaseStatement:
    assert isinstance(into, cst.SimpleStatementLine) and isinstance(source, cst.SimpleStatementLine)
    target, extra = into.body[0], source.body[0]
    assert isinstance(target, cst.ImportFrom) and isinstance(extra, cst.ImportFrom)
    assert not isinstance(extra.names, cst.ImportStar)
    aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in extra.names]
    return into.with_changes(body=[nodes.append_aliases(target, aliases)])
