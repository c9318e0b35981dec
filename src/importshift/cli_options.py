"""The options every subcommand shares, merged into one ``Options`` value at the edge.

``common_options`` are accepted before or after the subcommand; ``command`` wraps a
subcommand so that it receives the merged options and returns an exit code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from importshift.core.options import Format, Options, VerifyMode, VerifyOptions

F = TypeVar("F", bound=Callable[..., Any])


class ClickOutput:
    def out(self, text: str) -> None:
        click.echo(text)

    def err(self, text: str) -> None:
        click.echo(text, err=True)

    @property
    def is_terminal(self) -> bool:
        return sys.stderr.isatty()


_COMMON = ("rules", "root", "jobs", "fmt", "quiet", "verbose", "strings", "no_check_targets")


_ALL_FORMATS = ("text", "json", "github", "sarif")


def common_options(func: F, formats: tuple[str, ...] = _ALL_FORMATS) -> F:
    """The options every command accepts, before or after the subcommand (``--format``:
    the formats the command honours; before the subcommand any, checked by the command)."""
    decorators = [
        click.option(
            "--rules",
            type=click.Path(dir_okay=False),
            default=None,
            help="Rules file (default: rules.yaml here or in a parent folder).",
        ),
        click.option(
            "--root",
            type=click.Path(file_okay=False, exists=True),
            default=None,
            help="Repository root (default: the rules file's folder).",
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes (default: CPU count).",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(list(_ALL_FORMATS)),  # the others: one clear line from _options
            metavar="[" + "|".join(formats) + "]",
            default=None,
            help="Output format.",
        ),
        click.option("-q", "--quiet", is_flag=True, default=None, help="Less output."),
        click.option("-v", "--verbose", count=True, default=None, help="More output."),
        click.option(
            "--strings",
            is_flag=True,
            default=None,
            help="Rewrite dotted string references for every rule.",
        ),
        click.option(
            "--no-check-targets",
            is_flag=True,
            default=None,
            help="Do not require move targets to exist.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _options(ctx: click.Context, kwargs: dict[str, Any], formats: tuple[str, ...]) -> Options:
    merged: dict[str, Any] = dict(ctx.obj or {})
    for key in _COMMON:
        value = kwargs.pop(key, None)
        if value not in (None, 0) or key not in merged:
            merged[key] = value
    fmt = merged.get("fmt") or "text"
    if fmt not in formats:
        raise click.UsageError(
            f"--format {fmt} is not available here (choose from {', '.join(formats)})"
        )
    verbosity = -1 if merged.get("quiet") else int(merged.get("verbose") or 0)
    return Options(
        rules=merged.get("rules"),
        root=merged.get("root"),
        jobs=int(merged.get("jobs") or 0),
        format=Format(fmt),
        verbosity=verbosity,
        strings=bool(merged.get("strings")),
        check_targets=not merged.get("no_check_targets"),
    )


def command(formats: tuple[str, ...] = ("text", "json")) -> Callable[[F], F]:
    def wrap(func: F) -> F:
        @click.pass_context  # type: ignore[arg-type]
        @functools.wraps(func)
        def inner(ctx: click.Context, **kwargs: Any) -> None:
            opts = _options(ctx, kwargs, formats)
            ctx.meta["verbosity"] = opts.verbosity
            ctx.exit(func(opts, **kwargs))

        return common_options(inner, formats)  # type: ignore[return-value]

    return wrap


def verify_values(
    verify: str, verify_cmd: str | None, python: str | None, timeout: float
) -> VerifyOptions:
    return VerifyOptions(VerifyMode(verify), verify_cmd, python, timeout)


def verify_options(func: F) -> F:
    for decorator in reversed(
        [
            click.option(
                "--verify",
                type=click.Choice(["import", "collect", "none"]),
                default="import",
                show_default=True,
                help="How each batch is verified.",
            ),
            click.option(
                "--verify-cmd",
                default=None,
                help="Verify each batch by running this shell command instead.",
            ),
            click.option(
                "--python",
                "python",
                default=None,
                help=(
                    "Interpreter for verification (default: $VIRTUAL_ENV, $CONDA_PREFIX, "
                    "the root's .venv or venv, else the one migrate runs in)."
                ),
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0.1),
                default=60.0,
                show_default=True,
                help="Seconds allowed per verified module.",
            ),
        ]
    ):
        func = decorator(func)
    return func
