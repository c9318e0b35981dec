"""Small builders and readers of LibCST nodes for dotted names and import statements."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def expr(name: str) -> cst.Name | cst.Attribute:
    """``a.b.C`` as a Name/Attribute expression."""
    parts = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def name_of(node: cst.BaseExpression | None) -> str:
    """The dotted name spelled by a Name/Attribute chain ('' for anything else)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = name_of(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def alias_name(alias: cst.ImportAlias) -> str:
    return name_of(alias.name)


def alias_as(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    target = alias.asname.name
    return target.value if isinstance(target, cst.Name) else None


def set_alias(alias: cst.ImportAlias, name: str, asname: str | None) -> cst.ImportAlias:
    """Same alias (commas, comments) with a new name and ``as`` part."""
    new_name = expr(name)
    if asname is None:
        return alias.with_changes(name=new_name, asname=None)
    if alias.asname is not None:
        return alias.with_changes(
            name=new_name, asname=alias.asname.with_changes(name=cst.Name(asname))
        )
    return alias.with_changes(name=new_name, asname=cst.AsName(name=cst.Name(asname)))


def from_module(
    target: str, relative: tuple[int, str] | None
) -> tuple[list[cst.Dot], cst.Name | cst.Attribute | None]:
    """``relative`` and ``module`` fields of an ImportFrom for the module ``target``."""
    if relative is None:
        return [], expr(target)
    dots, rest = relative
    return [cst.Dot() for _ in range(dots)], (expr(rest) if rest else None)


def strip_last_comma(
    aliases: Sequence[cst.ImportAlias], parenthesized: bool
) -> list[cst.ImportAlias]:
    out = list(aliases)
    if out and not parenthesized and not isinstance(out[-1].comma, cst.MaybeSentinel):
        out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return out


def comments_in(node: cst.CSTNode) -> bool:
    return any(isinstance(n, cst.Comment) for n in _walk(node))


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def is_parenthesized(node: cst.ImportFrom) -> bool:
    return node.lpar is not None


def append_aliases(stmt: cst.ImportFrom, extra: Sequence[cst.ImportAlias]) -> cst.ImportFrom:
    """``stmt`` importing ``extra`` too, in the layout the statement already has."""
    names = stmt.names
    assert not isinstance(names, cst.ImportStar)
    present = {(alias_name(a), alias_as(a)) for a in names}
    new = [a for a in extra if (alias_name(a), alias_as(a)) not in present]
    if not new:
        return stmt
    existing = list(names)
    last = existing[-1]
    if len(existing) >= 2 and isinstance(existing[-2].comma, cst.Comma):
        sep = existing[-2].comma
    elif stmt.lpar is not None and isinstance(
        stmt.lpar.whitespace_after, cst.ParenthesizedWhitespace
    ):
        sep = cst.Comma(whitespace_after=stmt.lpar.whitespace_after)
    else:
        sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    tail = last.comma
    if isinstance(tail, cst.Comma) and comments_in(tail):
        ws = tail.whitespace_after
        sep_ws = sep.whitespace_after
        if isinstance(ws, cst.ParenthesizedWhitespace) and isinstance(
            sep_ws, cst.ParenthesizedWhitespace
        ):
            last_comma: cst.Comma = tail.with_changes(
                whitespace_after=ws.with_changes(last_line=sep_ws.last_line)
            )
            tail = tail.with_changes(
                whitespace_after=ws.with_changes(
                    first_line=cst.TrailingWhitespace(), empty_lines=[]
                )
            )
        else:
            last_comma = tail
            tail = cst.MaybeSentinel.DEFAULT if stmt.lpar is None else cst.Comma()
    else:
        last_comma = sep
    clean = [a.with_changes(comma=sep) for a in new]
    clean[-1] = clean[-1].with_changes(comma=tail)
    return stmt.with_changes(names=[*existing[:-1], last.with_changes(comma=last_comma), *clean])
