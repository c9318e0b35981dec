"""The command line: click group, option merging, errors -> one line and an exit code.

This is the only module that prints or exits.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from importshift import __version__
from importshift.cli_options import (
    ClickOutput,
    command,
    common_options,
    verify_options,
    verify_values,
)
from importshift.core.errors import ImportshiftError, RulesError
from importshift.core.options import Options


class _Group(click.Group):
    """Turns the tool's own errors into one line and exit 2, wherever it is invoked from."""

    def invoke(self, ctx: click.Context) -> Any:
        verbose = bool(ctx.params.get("verbose")) or "-v" in sys.argv or "--verbose" in sys.argv
        try:
            return super().invoke(ctx)
        except RulesError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            ctx.exit(2)
        except ImportshiftError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise  # the reader of stdout went away (``| head``): main() ends quietly
        except OSError as exc:  # the machine said no (disk full, permissions): one line
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - a bug: short notice, traceback with -v
            if verbose:
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)",
                err=True,
            )
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.version_option(__version__, prog_name="migrate")
@click.pass_context  # type: ignore[arg-type]
def group(ctx: click.Context, **kwargs: Any) -> None:
    """Declare moved imports once in rules.yaml; plan, apply in verified batches, gate."""
    ctx.obj = kwargs
    ctx.meta["verbosity"] = 1 if kwargs.get("verbose") else 0


@group.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--diff", is_flag=True, help="Print unified diffs.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    help="Write the machine-readable plan (JSON) to this file.",
)
@command()
def plan_cmd(opts: Options, paths: tuple[str, ...], diff: bool, out_path: str | None) -> int:
    """Dry run: what would change, per rule. Writes no source file."""
    from importshift.commands import plan

    return plan.run(opts, ClickOutput(), paths, diff, out_path)


@group.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--batch",
    "batch_size",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Files per batch.",
)
@verify_options
@click.option("--allow-dirty", is_flag=True, help="Run on a tree with uncommitted changes.")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply exactly this saved plan (stale files are skipped).",
)
@click.option("--commit", is_flag=True, help="One git commit per verified batch.")
@click.option(
    "--no-verify-hooks",
    "no_hooks",
    is_flag=True,
    help="With --commit: skip the repository's pre-commit and commit-msg hooks "
    "(default: they run).",
)
@command()
def apply_cmd(
    opts: Options,
    paths: tuple[str, ...],
    batch_size: int,
    verify: str,
    verify_cmd: str | None,
    python: str | None,
    timeout: float,
    allow_dirty: bool,
    plan_file: str | None,
    commit: bool,
    no_hooks: bool,
) -> int:
    """Apply the plan in verified batches (rolled back and bisected when they break)."""
    from importshift.adapters.git import GitCli
    from importshift.commands import apply

    return apply.run(
        opts,
        verify_values(verify, verify_cmd, python, timeout),
        ClickOutput(),
        GitCli(),
        paths,
        batch_size,
        allow_dirty,
        plan_file,
        commit,
        hooks=not no_hooks,
    )


@group.command("check")
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--new-only",
    is_flag=True,
    help="Report only occurrences not already in the base revision "
    "(--base, else $PRE_COMMIT_FROM_REF, else HEAD).",
)
@click.option("--base", default=None, help="Git revision --new-only compares with.")
@click.option(
    "--head",
    default=None,
    help="Git revision the files are at (with --base: compare with their merge base).",
)
@click.option("--fix", is_flag=True, help="Rewrite the reported files in place.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when something is reported.")
@click.option("--no-cache", is_flag=True, help="Do not read or write .migrate/cache.")
@click.option(
    "--report-unparseable",
    is_flag=True,
    help="Also report every file that does not parse (MIG004).",
)
@click.option(
    "--stdin-filename",
    default=None,
    help="With '-' (or no FILES): the path standard input stands for (module name, rules).",
)
@command(("text", "json", "github", "sarif"))
def check_cmd(
    opts: Options,
    files: tuple[str, ...],
    new_only: bool,
    base: str | None,
    head: str | None,
    fix: bool,
    exit_zero: bool,
    no_cache: bool,
    report_unparseable: bool,
    stdin_filename: str | None,
) -> int:
    """Report imports of deprecated paths (the pre-commit gate); exit 1 if any.

    FILES after '--' are always files (a file may start with '-'); '-' reads standard input.
    """
    from importshift.commands import check

    args = check.CheckArgs(
        files,
        new_only,
        base,
        head,
        fix,
        exit_zero,
        not no_cache,
        report_unparseable,
        stdin_filename,
    )
    return check.run(opts, ClickOutput(), args)


@group.command("doctor")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--platform",
    type=click.Choice(["windows", "linux", "darwin"]),
    default=None,
    help="Also flag unguarded imports of standard-library modules it lacks.",
)
@click.option("--write-rules", is_flag=True, help="Add the unambiguous suggestions as moves.")
@click.option("--since", default=None, help="Rank by what moved in git since this revision.")
@click.option(
    "--python", "python", default=None, help="Interpreter that tells installed packages apart."
)
@command()
def doctor_cmd(
    opts: Options,
    paths: tuple[str, ...],
    platform: str | None,
    write_rules: bool,
    since: str | None,
    python: str | None,
) -> int:
    """Imports into the source roots that resolve to nothing, with suggested moves."""
    from importshift.commands import doctor

    return doctor.run(opts, ClickOutput(), paths, platform, write_rules, since, python)


@group.command("shims")
@click.option("--discovered", is_flag=True, help="Also list shims found by 'discover'.")
@command()
def shims_cmd(opts: Options, discovered: bool) -> int:
    """Every shim: the names it still provides and how many files import each."""
    from importshift.commands import shims

    return shims.run_shims(opts, ClickOutput(), discovered)


@group.command("retire")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; change nothing.")
@verify_options
@command()
def retire_cmd(
    opts: Options,
    dry_run: bool,
    verify: str,
    verify_cmd: str | None,
    python: str | None,
    timeout: float,
) -> int:
    """Remove shim aliases nobody imports, and shim modules nothing imports."""
    from importshift.adapters.git import GitCli
    from importshift.commands import shims

    return shims.run_retire(
        opts, verify_values(verify, verify_cmd, python, timeout), ClickOutput(), GitCli(), dry_run
    )


@group.command("discover")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--write", is_flag=True, help="Merge the proposed moves into the rules file.")
@click.option("--since", default=None, help="Also learn moves from git since this revision.")
@click.option(
    "--include-external",
    is_flag=True,
    help="Also propose aliases of standard-library and third-party names.",
)
@command()
def discover_cmd(
    opts: Options,
    paths: tuple[str, ...],
    write: bool,
    since: str | None,
    include_external: bool,
) -> int:
    """Find undeclared shims (and, with --since, moves made in git); propose moves."""
    from importshift.commands import discover

    return discover.run(opts, ClickOutput(), paths, write, since, include_external)


@group.command("undo")
@click.option("--last", "last", is_flag=True, help="Revert the last applied batch (default).")
@click.option("--batch", "batch_id", default=None, help="Revert this batch.")
@click.option("--all", "everything", is_flag=True, help="Revert every applied batch.")
@click.option(
    "--force-order",
    is_flag=True,
    help="Undo a batch even though a later batch changed the same files (merged).",
)
@command()
def undo_cmd(
    opts: Options, last: bool, batch_id: str | None, everything: bool, force_order: bool
) -> int:
    """Revert applied batches from the journal."""
    from importshift.commands import undo

    if sum(bool(x) for x in (last, batch_id, everything)) > 1:
        raise click.UsageError("choose one of --last, --batch ID, --all")
    return undo.run(opts, ClickOutput(), batch_id, everything, force_order)


@group.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing rules.yaml.")
@command(("text",))
def init_cmd(opts: Options, force: bool) -> int:
    """Write a starter rules.yaml for this project (source roots detected) and .migrate/."""
    from importshift.commands import init

    return init.run_init(ClickOutput(), opts.root, opts.rules, force)


@group.command("demo")
@click.argument("folder", type=click.Path(file_okay=False))
@command(("text",))
def demo_cmd(opts: Options, folder: str) -> int:
    """Write the bundled demo project, its rules.yaml and codemods into an empty FOLDER."""
    from importshift.commands import init

    return init.run_demo(ClickOutput(), folder)


def main(argv: list[str] | None = None) -> None:
    """Entry point: exit 0/1 as the command says, 2 on errors, 130 on Ctrl-C."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = group.main(args=args, prog_name="migrate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        code = 2
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
