"""The ``migrate`` executable. ``migrate check`` takes a fast path without click.

The pre-commit hook runs on every commit, and importing click alone costs more than the
whole check of a typical commit. Anything the fast parser does not understand (help,
unusual spellings) goes to the full click command line, which behaves the same.
"""

from __future__ import annotations

import sys

_VALUE = {"--rules", "--root", "-j", "--jobs", "--format", "--base", "--head", "--stdin-filename"}
_FLAGS = {
    "-q",
    "--quiet",
    "-v",
    "--verbose",
    "--strings",
    "--no-check-targets",
    "--new-only",
    "--fix",
    "--exit-zero",
    "--no-cache",
    "--report-unparseable",
}


def _fast_check(args: list[str]) -> int | None:
    """Run ``check`` directly when every argument is understood; None to fall back."""
    if "check" not in args:
        return None
    values: dict[str, str] = {}
    flags: set[str] = set()
    files: list[str] = []
    i = 0
    seen_command = False
    while i < len(args):
        arg = args[i]
        if arg == "check" and not seen_command:
            seen_command = True
        elif arg == "--":
            files.extend(args[i + 1 :])
            break
        elif arg in _VALUE and i + 1 < len(args):
            values[arg] = args[i + 1]
            i += 1
        elif "=" in arg and arg.split("=", 1)[0] in _VALUE:
            key, value = arg.split("=", 1)
            values[key] = value
        elif arg in _FLAGS:
            flags.add(arg)
        elif arg == "-" and seen_command:
            files.append(arg)
        elif arg.startswith("-") or not seen_command:
            return None
        else:
            files.append(arg)
        i += 1
    fmt = values.get("--format", "text")
    jobs = values.get("--jobs", values.get("-j", "0"))
    if fmt not in ("text", "json", "github", "sarif") or not jobs.isdigit():
        return None
    from importshift.commands import check
    from importshift.core.errors import ImportshiftError, RulesError
    from importshift.core.options import Format, Options

    verbosity = -1 if flags & {"-q", "--quiet"} else int(bool(flags & {"-v", "--verbose"}))
    opts = Options(
        rules=values.get("--rules"),
        root=values.get("--root"),
        jobs=int(jobs),
        format=Format(fmt),
        verbosity=verbosity,
        strings="--strings" in flags,
        check_targets="--no-check-targets" not in flags,
    )
    try:
        check_args = check.CheckArgs(
            files,
            "--new-only" in flags,
            values.get("--base"),
            values.get("--head"),
            "--fix" in flags,
            "--exit-zero" in flags,
            "--no-cache" not in flags,
            "--report-unparseable" in flags,
            values.get("--stdin-filename"),
        )
        return check.run(opts, _StdOutput(), check_args)
    except RulesError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        return 2
    except ImportshiftError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        raise  # the reader of stdout went away: main() ends quietly, with no second run
    except Exception as exc:  # noqa: BLE001 - anything odd: let the full CLI handle and report it
        if "-" in files or "--stdin-filename" in values:  # standard input is spent: no rerun
            sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n")
            return 2
        return None


class _StdOutput:
    def out(self, text: str) -> None:
        sys.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        sys.stderr.write(text + "\n")

    @property
    def is_terminal(self) -> bool:
        return sys.stderr.isatty()


def main() -> None:
    # `migrate plan | head` ends quietly, like any CLI: by catching the broken pipe on
    # stdout, not by SIGPIPE's default action, which would also kill migrate without a word
    # when a worker process dies under one of its pipes
    try:
        code = _fast_check(sys.argv[1:])
        if code is None:
            from importshift.cli import main as full

            full()
            return
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(141)
    sys.exit(code)


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that the flush at exit raises nothing more."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
