"""Jupyter notebooks (``.ipynb``): code cells through the Python engine, JSON kept byte for byte.

The notebook is read with ``json`` to find its code cells; the text of each ``"source"``
value is located by a small position-keeping scan of the same JSON text, and only the
strings of lines that changed are written back. Everything else (layout, outputs,
metadata, escapes) is never re-serialised. Cell magics (``%%``), line magics (``%``) and
shell lines (``!``) are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from importshift.core.model import Edit, Note, Site
from importshift.rewrite.snippets import (
    Snippet,
    has_statements,
    join_blocks,
    mask,
    rewrite_blocks,
    snippet_sites,
    unmask,
)

_WS = " \t\r\n"


def scanstring(text: str, end: int) -> tuple[str, int]:
    """The JSON string starting before ``end`` and the offset after its closing quote."""
    value, after = json.decoder.scanstring(text, end)  # type: ignore[attr-defined]
    return str(value), int(after)


class NotebookError(ValueError):
    """The notebook is not JSON we can edit safely."""


@dataclass(frozen=True, slots=True)
class Cell:
    number: int  # 1-based, counting every cell
    code: str
    start: int  # the "source" value's span in the text
    end: int
    first_line: int  # 1-based line in the file of the value's start


def code_cells(text: str) -> list[Cell]:
    """The code cells of notebook ``text`` with the span of each ``source`` value."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not valid JSON: {exc}") from exc
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("no 'cells' list (nbformat 4 is supported)")
    spans = _source_spans(text)
    out = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            code = "".join(source)
        elif isinstance(source, str):
            code = source
        else:
            continue
        if i not in spans:
            raise NotebookError(f"cell {i + 1}: cannot locate its source")
        start, end = spans[i]
        out.append(Cell(i + 1, code, start, end, text.count("\n", 0, start) + 1))
    return out


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """cell index -> (start, end) of ``doc["cells"][i]["source"]`` in ``text``."""
    spans: dict[int, tuple[int, int]] = {}

    def value(i: int, path: tuple[object, ...]) -> int:
        i = _skip(text, i)
        c = text[i : i + 1]
        if c == "{":
            i = _skip(text, i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = scanstring(text, _skip(text, i) + 1)
                i = _skip(text, i)
                if text[i] != ":":
                    raise NotebookError("bad JSON object")
                start = _skip(text, i + 1)
                end = value(start, (*path, key))
                if len(path) == 2 and path[0] == "cells" and key == "source":
                    spans[int(path[1])] = (start, end)  # type: ignore[call-overload]
                i = _skip(text, end)
                if text[i] == "}":
                    return i + 1
                i += 1  # ","
        if c == "[":
            i = _skip(text, i + 1)
            if text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = _skip(text, value(i, (*path, n)))
                n += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        if c == '"':
            return scanstring(text, i + 1)[1]
        j = i
        while j < len(text) and text[j] not in ",]}" + _WS:
            j += 1
        return j

    value(0, ())
    return spans


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


Detect = Callable[[str], "tuple[list[Site], list[Note]] | None"]
Rewrite = Callable[[str], "tuple[str, list[Edit]] | None"]


def notebook_sites(text: str, detect: Detect) -> list[tuple[Cell, list[Site], list[Note]]]:
    """Per code cell: its sites and notes (lines and columns inside the cell). A cell that
    does not parse is searched line by line (``snippets.snippet_sites``)."""
    out = []
    for cell in code_cells(text):
        masked = mask(cell.code)
        if masked is None:
            continue
        lines = masked[0].split("\n")
        if masked[0].endswith("\n"):
            lines.pop()
        snippet = Snippet(tuple(range(len(lines))), ("",) * len(lines), tuple(lines))
        sites, notes, _ = snippet_sites(snippet, detect)
        if sites or notes:
            out.append((cell, sites, notes))
    return out


def rewrite_notebook(text: str, rewrite: Rewrite) -> tuple[str, list[Edit]] | None:
    """``text`` with its code cells rewritten (None: nothing changed).

    The cells share one namespace (an import in cell 1 serves cell 3): they are rewritten
    together, each in its own block (``snippets.rewrite_blocks``); a cell that does not
    parse alone is left as it is (its sites are still reported).
    """
    parts = [(cell, masked) for cell in code_cells(text) if (masked := mask(cell.code))]
    if not parts:
        return None
    codes = [code for _, (code, _) in parts]
    runs: list[tuple[str, list[Edit]]] = []

    def run(program: str) -> str | None:
        done = rewrite(program)
        if done is None:
            return None
        runs.append((program, done[1]))
        return done[0]

    news = rewrite_blocks(codes, run)
    pieces: list[str] = []
    last = 0
    for (cell, (code, hidden)), new in zip(parts, news, strict=True):
        if new is None:
            continue
        new_code = unmask(new if code.endswith("\n") else new.removesuffix("\n"), hidden)
        if new_code == cell.code:
            continue
        raw = text[cell.start : cell.end]
        pieces += [text[last : cell.start], _source_text(raw, cell.code, new_code, text)]
        last = cell.end
    if not pieces:
        return None
    return "".join(pieces) + text[last:], _edits(runs, parts, codes)


def _edits(runs: list[tuple[str, list[Edit]]], parts: list[_Part], codes: list[str]) -> list[Edit]:
    """The edits of each rewrite run, located at their line in the notebook file."""
    whole = [i for i, code in enumerate(codes) if has_statements(code)]
    joined = join_blocks([codes[i] for i in whole])
    out: list[Edit] = []
    for program, edits in runs:
        if joined is not None and program == joined[0]:
            starts = joined[1]
            for e in edits:
                k = max((i for i, start in enumerate(starts) if start < e.line), default=0)
                cell = parts[whole[k]][0]
                out.append(e._replace(line=cell.first_line + e.line - starts[k]))
        else:
            k = codes.index(program) if program in codes else 0
            out += [e._replace(line=parts[k][0].first_line + e.line) for e in edits]
    return out


_Part = tuple[Cell, tuple[str, list[str]]]


def _source_text(raw: str, old: str, new: str, whole: str) -> str:
    """The JSON text of a ``source`` value holding ``new``, laid out like ``raw``."""
    ascii_only = not any(ord(ch) > 127 for ch in whole)

    def enc(s: str) -> str:
        return json.dumps(s, ensure_ascii=ascii_only)

    if raw.startswith('"'):
        return enc(new)
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    items = _items(raw)
    if len(items) != len(old_lines):
        raise NotebookError("a source list the scan does not understand")
    if len(old_lines) == len(new_lines):  # same shape: swap the strings that changed
        out, last = [], 0
        for (start, end), before, after in zip(items, old_lines, new_lines, strict=True):
            out.append(raw[last:start])
            out.append(raw[start:end] if before == after else enc(after))
            last = end
        return "".join(out) + raw[last:]
    if not new_lines:
        return "[]"
    if items:
        sep = raw[items[0][1] : items[1][0]] if len(items) > 1 else ",\n" + _indent(raw, items)
        head, tail = raw[: items[0][0]], raw[items[-1][1] :]
    else:
        head, sep, tail = "[\n    ", ",\n    ", "\n   ]"
    return head + sep.join(enc(line) for line in new_lines) + tail


def _indent(raw: str, items: list[tuple[int, int]]) -> str:
    before = raw[: items[0][0]]
    return before[before.rfind("\n") + 1 :] if "\n" in before else ""


def _items(raw: str) -> list[tuple[int, int]]:
    """The spans of the strings of a JSON list of strings."""
    out = []
    i = _skip(raw, 1)
    while i < len(raw) and raw[i] == '"':
        end = scanstring(raw, i + 1)[1]
        out.append((i, end))
        i = _skip(raw, end)
        if raw[i : i + 1] == ",":
            i = _skip(raw, i + 1)
    return out
