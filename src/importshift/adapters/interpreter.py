"""Asks an interpreter, in a subprocess, which dotted names are importable modules.

``importlib.util.find_spec("a.b")`` imports ``a``: third-party code runs, so never here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from typing import Protocol

_SCRIPT = r"""
import importlib.util, json, sys
out = {}
for name in json.loads(sys.stdin.read()):
    try:
        out[name] = importlib.util.find_spec(name) is not None
    except BaseException:
        out[name] = False
sys.stdout.write("\n@@importshift@@" + json.dumps(out))
"""


class SpecProbe(Protocol):
    def find(self, names: Iterable[str]) -> dict[str, bool | None]:
        """name -> True (a module), False (not one), None (could not tell)."""
        ...


class SubprocessProbe:
    def __init__(
        self, python: str | None = None, cwd: str | None = None, timeout: float = 30.0
    ) -> None:
        self.python = python or sys.executable
        self.cwd = cwd
        self.timeout = timeout

    def find(self, names: Iterable[str]) -> dict[str, bool | None]:
        wanted = sorted(set(names))
        if not wanted:
            return {}
        unknown: dict[str, bool | None] = dict.fromkeys(wanted)
        try:
            proc = subprocess.run(
                [self.python, "-I", "-c", _SCRIPT],
                input=json.dumps(wanted),
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return unknown
        _, sep, payload = proc.stdout.rpartition("\n@@importshift@@")
        if not sep:
            return unknown
        try:
            found = json.loads(payload)
        except ValueError:
            return unknown
        return {name: bool(found[name]) if name in found else None for name in wanted}
