"""Python code embedded in other text: notebook cells, doctests, docs code blocks.

A ``Snippet`` is code lines taken out of a host text, each with the prefix it had there
(indentation, ``>>> ``). The Python engine finds and rewrites the code as a whole; changes
go back into the host line by line, so every other byte of the host stays as it was.
IPython magics (``%``, ``%%``) and shell lines (``!``) are masked before parsing and put
back after.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from importshift.core.model import Note, Site

_MASK = "pass  # importshift-masked-line-"
_MASKED = re.compile(r"^([ \t]*)pass  # importshift-masked-line-(\d+)$", re.M)
_SHELL = re.compile(r"^[ \t]*(?:[%!]|[\w.,\s]+=[ \t]*[%!])")
_CLOSERS = (")", "]", "}")


@dataclass(frozen=True, slots=True)
class Snippet:
    """Code lines of a host text: for each, its 0-based host line, prefix and code."""

    lines: tuple[int, ...]
    prefixes: tuple[str, ...]
    code: tuple[str, ...]
    doctest: bool = False

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.code)


def mask(code: str) -> tuple[str, list[str]] | None:
    """``code`` with magic and shell lines replaced by ``pass`` markers (and the lines they
    replaced); None for a cell magic (``%%bash``...): the whole cell is not Python (and for
    code that already holds the marker text)."""
    if "importshift-masked-line-" in code:
        return None  # the marker itself: masking could not be undone exactly; left alone
    lines = code.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        return None
    masked: list[str] = []
    out = []
    for line in lines:
        stripped = line.strip()
        if (
            stripped
            and not stripped.startswith("#")
            and (_SHELL.match(line) or stripped.endswith("?"))
        ):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{_MASK}{len(masked)}")
            masked.append(line)
        else:
            out.append(line)
    return "\n".join(out), masked


def unmask(code: str, masked: Sequence[str]) -> str:
    if not masked:
        return code
    return _MASKED.sub(lambda m: masked[int(m.group(2))], code)


Detect = Callable[[str], "tuple[list[Site], list[Note]] | None"]
Rewrite = Callable[[str], "str | None"]


def snippet_sites(snippet: Snippet, detect: Detect) -> tuple[list[Site], list[Note], bool]:
    """The sites of ``snippet`` in host coordinates (1-based lines, columns), its notes,
    and whether it parsed as a whole. A snippet that does not parse (a fragment) is
    searched line by line: an import line parses alone."""
    found = detect(snippet.text)
    whole = found is not None
    if found is None:
        sites: list[Site] = []
        notes: list[Note] = []
        for k, line in enumerate(snippet.code):
            one = detect(line.strip() + "\n")
            if one:
                indent = len(line) - len(line.lstrip())
                sites += [s._replace(line=k + 1, column=s.column + indent) for s in one[0]]
                notes += [n._replace(line=k + 1, column=n.column + indent) for n in one[1]]
        found = sites, notes
    sites, notes = found
    host_sites = []
    for s in sites:
        at, col = _to_host(snippet, s.line, s.column)
        host_sites.append(s._replace(line=at, column=col))
    host_notes = []
    for n in notes:
        at, col = _to_host(snippet, n.line, n.column)
        host_notes.append(n._replace(line=at, column=col))
    return host_sites, host_notes, whole


def _to_host(snippet: Snippet, line: int, column: int) -> tuple[int, int]:
    k = min(max(line - 1, 0), len(snippet.lines) - 1)
    return snippet.lines[k] + 1, column + len(snippet.prefixes[k])


_BLOCK = "if True:  # importshift-block-"
_INDENT = "    "


def join_blocks(codes: Sequence[str]) -> tuple[str, list[int]] | None:
    """One program holding each code as the body of its own ``if True:`` block, and the
    program line each code starts after (None: a code already holds the marker).

    Notebook cells and the code blocks of one docs page share a namespace (an import in one
    serves the next), so they are rewritten together; each in its own block, so that no
    import line ever moves from one cell or block to another."""
    out: list[str] = []
    starts: list[int] = []
    line = 0
    for i, code in enumerate(codes):
        if _BLOCK in code:
            return None
        out.append(f"{_BLOCK}{i}\n")
        line += 1
        starts.append(line)
        for text in code.split("\n")[:-1] if code.endswith("\n") else code.split("\n"):
            out.append(_INDENT + text + "\n")
            line += 1
    return "".join(out), starts


def split_blocks(program: str, count: int) -> list[str] | None:
    """The codes of ``join_blocks`` back out of a (rewritten) program; None when its shape
    is not the one ``join_blocks`` made (never guessed)."""
    codes: list[list[str]] = []
    for text in program.split("\n")[:-1] if program.endswith("\n") else program.split("\n"):
        if text == f"{_BLOCK}{len(codes)}":
            codes.append([])
        elif not codes or _BLOCK in text or not (text.startswith(_INDENT) or not text):
            return None
        else:
            codes[-1].append(text[len(_INDENT) :])
    if len(codes) != count:
        return None
    return ["".join(line + "\n" for line in lines) for lines in codes]


def has_statements(code: str) -> bool:
    """Whether ``code`` parses and holds at least one statement."""
    try:
        return bool(ast.parse(code).body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def rewrite_blocks(codes: Sequence[str], rewrite: Rewrite) -> list[str | None]:
    """Each code rewritten (None: left as it is), all together as one namespace (see
    ``join_blocks``); a code that does not parse alone is left as it is. Falls back to one
    at a time when the joined program does not parse (``from __future__`` ...)."""
    whole = [i for i, code in enumerate(codes) if has_statements(code)]
    out: list[str | None] = [None] * len(codes)
    joined = join_blocks([codes[i] for i in whole]) if len(whole) > 1 else None
    if joined is not None and has_statements(joined[0]):
        new = rewrite(joined[0])
        parts = split_blocks(new, len(whole)) if new is not None else None
        if new is not None and parts is None:
            return out  # the rewrite broke the block shape: change nothing
        for i, part in zip(whole, parts or [], strict=False):
            out[i] = part
        return out
    for i in whole:
        out[i] = rewrite(codes[i])
    return out


def rewrite_into(host: list[str], snippets: Sequence[Snippet], rewrite: Rewrite) -> bool:
    """Rewrite the snippets (as one namespace, see ``rewrite_blocks``) and put the changes
    back into ``host`` (lines with their endings, changed in place). Whether any changed."""
    plans: dict[int, list[str]] = {}
    news = rewrite_blocks([s.text for s in snippets], rewrite)
    for snippet, new in zip(snippets, news, strict=True):
        if new is None or new == snippet.text:
            continue
        lines = new.split("\n")[:-1] if new.endswith("\n") else new.split("\n")
        plans.update(_placed(host, snippet, lines))
    if not plans:
        return False
    for index in sorted(plans, reverse=True):
        host[index : index + 1] = plans[index]
    return True


def _placed(host: list[str], snippet: Snippet, new: list[str]) -> dict[int, list[str]]:
    """Host line -> the lines that replace it (empty: removed; more: lines added after)."""
    old = list(snippet.code)
    out: dict[int, list[str]] = {}
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                out[snippet.lines[i1 + k]] = [_line(host, snippet, i1 + k, new[j1 + k], False)]
            continue
        for k in range(i1, i2):
            out[snippet.lines[k]] = []
        if j2 > j1:
            anchor = i1 - 1 if i1 > 0 else 0
            host_index = snippet.lines[anchor]
            added = [_line(host, snippet, anchor, text, True) for text in new[j1:j2]]
            kept = out.get(host_index, [host[host_index]])
            out[host_index] = kept + added if i1 > 0 else added + kept
    return out


def _line(host: list[str], snippet: Snippet, k: int, code: str, added: bool) -> str:
    """A host line holding ``code``, prefixed and ended like snippet line ``k``."""
    original = host[snippet.lines[k]]
    ending = original[len(original.rstrip("\r\n")) :] or "\n"
    prefix = snippet.prefixes[k]
    if added and prefix.rstrip().endswith((">>>", "...")):
        base = prefix.rstrip()[:-3] if prefix.rstrip().endswith((">>>", "...")) else prefix
        continued = code[:1].isspace() or code.startswith(_CLOSERS)
        prefix = base + ("... " if continued else ">>> ")
    if not code.strip():
        return prefix.rstrip() + ending
    return prefix + code + ending
