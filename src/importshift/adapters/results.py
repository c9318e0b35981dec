"""What verification produces: targets, verdicts, results, and the failure signature that
blame compares (verdict, exception type, message with paths, addresses and line numbers
normalised)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

OUTPUT_TAIL = 4000


class Verdict(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timed out"
    EXITED = "exited"


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """Something to verify: a module to import, a file to compile or collect, a command."""

    kind: str  # "import" | "compile" | "collect" | "command"
    name: str


_PATHS = re.compile(r"""(?:[A-Za-z]:)?(?:[\w.~+-]*[/\\])+[\w.+-]*""")
_ADDRESSES = re.compile(r"\b0x[0-9a-fA-F]+\b")
_LINES = re.compile(r"\bline \d+")
_DURATIONS = re.compile(r"\b\d+(?:\.\d+)?\s?(?:s|ms|seconds?)\b")


def normalise(message: str, durations: bool = False) -> str:
    """A failure message without what changes between two runs of the same failure:
    paths, addresses, line numbers (and, for command output, durations)."""
    text = _ADDRESSES.sub("0x?", _PATHS.sub("<path>", message))
    text = _LINES.sub("line N", text)
    return " ".join((_DURATIONS.sub("N s", text) if durations else text).split())


@dataclass(frozen=True, slots=True)
class Result:
    target: Target
    verdict: Verdict
    detail: str = ""
    error: str = ""  # the failure in one line ("Type: message"), when known
    notes: tuple[str, ...] = ()  # things seen and dealt with (background processes killed)
    code: int | None = None  # a command's exit code

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK

    def cause(self) -> str:
        """The failure in one line: the exception, else the last line of its output."""
        if self.error:
            return self.error
        lines = [line.strip() for line in self.detail.strip().splitlines() if line.strip()]
        marked = [line[1:].strip() for line in lines if line.startswith("E ")]
        errors = [line for line in lines if "error" in line.lower()]
        return (marked or errors or lines or [""])[-1]

    @property
    def signature(self) -> str:
        """What identifies this failure across runs: verdict, exception type, normalised
        message. Two failures with equal signatures are the same failure."""
        if self.ok:
            return "ok"
        durations = self.target.kind in ("command", "collect")
        return f"{self.verdict.value}|{normalise(self.cause(), durations)}"

    def summary(self) -> str:
        first = self.cause()
        return f"{self.verdict.value}: {first}" if first else self.verdict.value
