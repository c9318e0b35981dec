"""The one JSON envelope of every command's ``--format json``: ``{"version", "command", ...}``.

``version`` is the version of that command's document (docs/json.md has one schema per
command); a consumer dispatches on ``command`` and refuses a ``version`` it does not know.
"""

from __future__ import annotations

import json

from importshift.core.output import Output

VERSION = 1


def envelope(command: str, version: int = VERSION, **fields: object) -> dict[str, object]:
    """The document for ``command``: the envelope keys first, then the command's own."""
    return {"version": version, "command": command, **fields}


def dumps(command: str, **fields: object) -> str:
    """The document for ``command`` (of the current version) as indented JSON text."""
    return json.dumps({"version": VERSION, "command": command, **fields}, indent=2)


class JsonOutput:
    """The Output of a command run with ``--format json``: its text report lines go to stderr
    (still read by a person), so that stdout carries exactly one JSON document."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self.lines: list[str] = []  # the report lines, for commands that pass them on

    def out(self, text: str) -> None:
        self.lines.append(text)
        self._out.err(text)

    def err(self, text: str) -> None:
        self._out.err(text)

    @property
    def is_terminal(self) -> bool:
        return self._out.is_terminal

    def emit(self, command: str, **fields: object) -> None:
        """The one document, on stdout."""
        self._out.out(dumps(command, **fields))
