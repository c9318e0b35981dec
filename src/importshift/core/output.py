"""Where commands send text: a small port, so commands never print or exit themselves."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds

if TYPE_CHECKING:
    from typing import Protocol

    class Output(Protocol):
        def out(self, text: str) -> None:
            """A line of the report (stdout)."""

        def err(self, text: str) -> None:
            """Progress, warnings and summaries (stderr)."""

        @property
        def is_terminal(self) -> bool: ...
else:
    Output = object
