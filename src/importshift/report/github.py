"""GitHub workflow-command annotations (``::error file=...::message``) for the gate.

Paths are relative to the git top-level (what GitHub attaches annotations to), not to the
rules root, and every property and message is escaped by the workflow-command rules:
``%``, ``\\r``, ``\\n`` in the message; those and ``:`` and ``,`` in properties.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from importshift.adapters import gitbase
from importshift.report.findings import CODES, Finding, file_of


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def toplevel(root: str) -> str | None:
    """Where repository paths start: the git top-level (None outside a repository)."""
    return gitbase.toplevel(root)


def prefix(root: str, top: str | None) -> str:
    """What to put before a root-relative path to make it top-level relative (POSIX);
    nothing outside a repository (paths stay relative to the rules root)."""
    if top is None:
        return ""
    rel = os.path.relpath(os.path.realpath(root), os.path.realpath(top)).replace(os.sep, "/")
    return "" if rel == "." else rel + "/"


def workflow_commands(found: Iterable[Finding], path_prefix: str) -> Iterator[str]:
    for f in found:
        props = ",".join(
            f"{key}={escape_property(value)}"
            for key, value in (
                ("file", path_prefix + file_of(f.path)),
                ("line", str(f.line)),
                ("col", str(f.column)),
                ("title", f"{f.code} {CODES[f.code][0]}"),
            )
        )
        yield f"::error {props}::{escape_data(f.message())}"
