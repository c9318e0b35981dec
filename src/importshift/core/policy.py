"""Which resolved sites a file may rewrite: the pure rules shared by detection and rewriting."""

from __future__ import annotations

from importshift.core import dotted
from importshift.core.model import Kind, Move, Resolution


def is_shim_of(module: str | None, move: Move) -> bool:
    """The file is the old module of ``move`` (or inside it): it is the shim, left alone."""
    if module is None:
        return False
    if move.kind is Kind.MODULE:
        return move.covers(module)
    return module == dotted.parent(move.old)


def applies(res: Resolution | None, module: str | None) -> Resolution | None:
    """``res`` if the file may rewrite it; None for the shim itself or a self-import."""
    if res is None or is_shim_of(module, res.move):
        return None
    if module is not None and (res.new == module or dotted.parent(res.new) == module):
        return None  # the target lives in this very file: importing it here would be circular
    return res
