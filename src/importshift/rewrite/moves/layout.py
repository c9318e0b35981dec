"""The layout of import lines the rewrite writes: new ``from N import`` lines, and the
closing of alias lists it shortens, in the style of the original statement."""

from __future__ import annotations

import libcst as cst

from importshift.rewrite import nodes


def new_import_line(
    target: str,
    aliases: list[cst.ImportAlias],
    relative_to: tuple[int, str] | None,
    original: cst.ImportFrom,
) -> cst.SimpleStatementLine:
    comments = [comment_of(a) for a in aliases]
    bare = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
    if not target:  # moved to a top-level module: ``import x as local``
        return cst.SimpleStatementLine(
            [cst.Import([cst.ImportAlias(a.name, a.asname) for a in bare])]
        )
    relative, module = nodes.from_module(target, relative_to)
    present = [c for c in comments if c is not None]
    if len(present) <= 1:
        spaced = [
            a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            for a in bare[:-1]
        ] + bare[-1:]
        stmt = cst.ImportFrom(module=module, relative=relative, names=spaced)
        trailing = (
            cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=present[0])
            if present
            else cst.TrailingWhitespace()
        )
        return cst.SimpleStatementLine([stmt], trailing_whitespace=trailing)
    indent = "    "
    if original.lpar is not None and isinstance(
        original.lpar.whitespace_after, cst.ParenthesizedWhitespace
    ):
        indent = original.lpar.whitespace_after.last_line.value or indent
    items = []
    for i, (alias, comment) in enumerate(zip(bare, comments, strict=False)):
        last = i == len(bare) - 1
        first = cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace("  " if comment else ""), comment=comment
        )
        items.append(
            alias.with_changes(
                comma=cst.Comma(
                    whitespace_after=(
                        cst.ParenthesizedWhitespace(
                            first_line=first,
                            indent=True,
                            last_line=cst.SimpleWhitespace("" if last else indent),
                        )
                    )
                )
            )
        )
    lpar = cst.LeftParen(
        whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(),
            indent=True,
            last_line=cst.SimpleWhitespace(indent),
        )
    )
    stmt = cst.ImportFrom(
        module=module, relative=relative, names=items, lpar=lpar, rpar=cst.RightParen()
    )
    return cst.SimpleStatementLine([stmt])


def comment_of(alias: cst.ImportAlias) -> cst.Comment | None:
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line.comment
    return None


def close(
    aliases: list[cst.ImportAlias], original: list[cst.ImportAlias], paren: bool
) -> list[cst.ImportAlias]:
    """Fix the tail of a shortened alias list so the closing layout stays the original's."""
    if not aliases:
        return aliases
    if not paren:
        return nodes.strip_last_comma(aliases, False)
    out = list(aliases)
    last, orig_last = out[-1], original[-1]
    if (
        last is orig_last
        or nodes.alias_name(last) == nodes.alias_name(orig_last)
        and last.comma == orig_last.comma
    ):
        return out
    comma = last.comma
    if isinstance(orig_last.comma, cst.Comma) and isinstance(comma, cst.Comma):
        ws, closing = comma.whitespace_after, orig_last.comma.whitespace_after
        if isinstance(ws, cst.ParenthesizedWhitespace) and isinstance(
            closing, cst.ParenthesizedWhitespace
        ):
            out[-1] = last.with_changes(
                comma=comma.with_changes(
                    whitespace_after=ws.with_changes(last_line=closing.last_line)
                )
            )
        elif not isinstance(ws, cst.ParenthesizedWhitespace):
            out[-1] = last.with_changes(comma=orig_last.comma)
    elif (
        isinstance(comma, cst.Comma)
        and isinstance(orig_last.comma, cst.MaybeSentinel)
        and comment_of(last) is None
    ):
        out[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return out
