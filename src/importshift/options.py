"""Command-line flags turned into one frozen value at the CLI edge."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Format(enum.Enum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


class VerifyMode(enum.Enum):
    IMPORT = "import"
    COLLECT = "collect"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Options:
    rules: str | None = None
    root: str | None = None
    jobs: int = 0
    format: Format = Format.TEXT
    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    strings: bool = False
    check_targets: bool = True


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    mode: VerifyMode = VerifyMode.IMPORT
    command: str | None = None
    python: str | None = None
    timeout: float = 60.0
