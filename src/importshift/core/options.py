"""Command-line flags turned into one frozen value at the CLI edge."""

from __future__ import annotations

from collections import namedtuple

from importshift.core.choice import Choice


class Format(Choice):
    TEXT: Format
    JSON: Format
    GITHUB: Format
    SARIF: Format


Format.define(TEXT="text", JSON="json", GITHUB="github", SARIF="sarif")


class VerifyMode(Choice):
    IMPORT: VerifyMode
    COLLECT: VerifyMode
    NONE: VerifyMode


VerifyMode.define(IMPORT="import", COLLECT="collect", NONE="none")


class Options(
    namedtuple(
        "Options",
        "rules root jobs format verbosity strings check_targets",
        defaults=(None, None, 0, Format.TEXT, 0, False, True),
    )
):
    """The common options; verbosity is -1 quiet, 0 normal, 1+ verbose."""

    __slots__ = ()
    rules: str | None
    root: str | None
    jobs: int
    format: Format
    verbosity: int
    strings: bool
    check_targets: bool


class VerifyOptions(
    namedtuple(
        "VerifyOptions",
        "mode command python timeout spawn",
        defaults=(VerifyMode.IMPORT, None, None, 60.0, None),
    )
):
    """How batches are verified. ``spawn``: one fresh interpreter per import instead of a
    fork server (None: only when the interpreter cannot fork)."""

    __slots__ = ()
    mode: VerifyMode
    command: str | None
    python: str | None
    timeout: float
    spawn: bool | None
