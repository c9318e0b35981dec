"""Where Python code sits in docs: doctests, fenced Markdown blocks, reST code blocks.

Pure text scans returning ``Snippet`` values (host line numbers and prefixes), so the
Python engine can check and rewrite the code and put changes back line by line.
- doctests: ``>>> `` lines and their ``... `` continuations, in docstrings, ``.md``,
  ``.rst`` and fenced ``pycon`` blocks; consecutive groups form one snippet;
- Markdown: fenced blocks (backticks or tildes) tagged ``python``, ``py``, ``python3``;
- reST: ``.. code-block:: python`` (also ``code``, ``sourcecode``) with indented content,
  and Sphinx ``.. testcode::`` / ``.. testsetup::`` blocks.
"""

from __future__ import annotations

import re

from importshift.rewrite.snippets import Snippet

_PROMPT = re.compile(r"^([ \t]*)(>>>|\.\.\.)( |$)")
_FENCE = re.compile(r"^([ \t]*)(```+|~~~+)[ \t]*\{?\.?([\w+-]*)")
_DIRECTIVE = re.compile(
    r"^([ \t]*)\.\. (?:code-block|code|sourcecode|(testcode|testsetup))::[ \t]*([\w+-]*)"
)
_PYTHON = {"python", "py", "python3", "py3"}
_PYCON = {"pycon", "doctest"}


def doctests(lines: list[str]) -> list[Snippet]:
    """Every run of doctest groups: lines ``>>> code`` and ``... more``, output lines
    between groups ignored; a run ends at a blank line after output or a change of
    indentation."""
    out: list[Snippet] = []
    idx: list[int] = []
    pre: list[str] = []
    code: list[str] = []
    indent: str | None = None
    for i, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        m = _PROMPT.match(line)
        if m is None:
            if not line.strip() and idx:
                out.append(Snippet(tuple(idx), tuple(pre), tuple(code), True))
                idx, pre, code, indent = [], [], [], None
            continue
        if indent is not None and m.group(1) != indent and idx:
            out.append(Snippet(tuple(idx), tuple(pre), tuple(code), True))
            idx, pre, code = [], [], []
        if m.group(2) == "..." and not idx:
            continue  # a continuation with no statement: an ellipsis in output
        indent = m.group(1)
        prefix = m.group(0)
        idx.append(i)
        pre.append(prefix)
        code.append(line[len(prefix) :])
    if idx:
        out.append(Snippet(tuple(idx), tuple(pre), tuple(code), True))
    return out


def markdown(lines: list[str]) -> list[Snippet]:
    out: list[Snippet] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, lang = m.group(2), m.group(3).lower()
        j = i + 1
        while j < len(lines) and not lines[j].lstrip().startswith(fence):
            j += 1
        body = list(range(i + 1, j))
        if lang in _PYTHON:
            out.append(_block(lines, body, m.group(1)))
        elif lang in _PYCON:
            out.extend(_shift(doctests([lines[k] for k in body]), i + 1))
        i = j + 1
    return out


def rest(lines: list[str]) -> list[Snippet]:
    out: list[Snippet] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if m is None:
            i += 1
            continue
        base, lang = len(m.group(1)), "python" if m.group(2) else m.group(3).lower()
        j = i + 1
        while j < len(lines) and lines[j].strip().startswith(":"):
            j += 1  # directive options
        body: list[int] = []
        while j < len(lines):
            text = lines[j].rstrip("\r\n")
            if text.strip() and len(text) - len(text.lstrip()) <= base:
                break
            body.append(j)
            j += 1
        while body and not lines[body[-1]].strip():
            body.pop()
        taken.update(body)
        if lang in _PYTHON and body:
            indent = min(
                (len(lines[k]) - len(lines[k].lstrip()) for k in body if lines[k].strip()),
                default=0,
            )
            out.append(_block(lines, body, " " * indent))
        elif lang in _PYCON:
            out.extend(_shift(doctests([lines[k] for k in body]), body[0] if body else 0))
        i = j
    rest_lines = [line if k not in taken else "\n" for k, line in enumerate(lines)]
    return out + doctests(rest_lines)


def _block(lines: list[str], body: list[int], indent: str) -> Snippet:
    prefixes, code = [], []
    for k in body:
        text = lines[k].rstrip("\r\n")
        cut = indent if text.startswith(indent) else text[: len(text) - len(text.lstrip())]
        prefixes.append(cut)
        code.append(text[len(cut) :])
    return Snippet(tuple(body), tuple(prefixes), tuple(code))


def _shift(snippets: list[Snippet], by: int) -> list[Snippet]:
    return [
        Snippet(tuple(k + by for k in s.lines), s.prefixes, s.code, s.doctest) for s in snippets
    ]


def docs_snippets(path: str, lines: list[str]) -> list[Snippet]:
    """The code snippets of a docs file (``.md`` or ``.rst``)."""
    if path.endswith(".rst"):
        return rest(lines)
    fenced = markdown(lines)
    inside = {k for s in fenced for k in s.lines}
    loose = [line if k not in inside else "\n" for k, line in enumerate(lines)]
    return fenced + [s for s in doctests(loose) if not set(s.lines) & inside]
