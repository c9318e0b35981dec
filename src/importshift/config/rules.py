"""rules.yaml -> RuleSet: read, shape checked, resolved; every problem reported at once.

Loading the rules never walks the repository: module names are looked up by ``stat``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from importshift.adapters.interpreter import SpecProbe
from importshift.codebase.lookup import ModuleLookup
from importshift.config.resolve import Resolver
from importshift.config.shape import ShapeReader
from importshift.config.yamltree import load
from importshift.core.errors import ImportshiftError
from importshift.core.model import RuleSet, Skip


@dataclass(frozen=True, slots=True)
class Loaded:
    ruleset: RuleSet
    warnings: tuple[str, ...]
    files: tuple[str, ...] = ()  # every file under the root that the rules cover
    skips: tuple[Skip, ...] = ()
    index: dict[str, str] | None = None  # module -> path, under the source roots


def load_rules(
    path: str,
    root: str | None = None,
    *,
    check_targets: bool = True,
    strings: bool = False,
    probe: SpecProbe | None = None,
    python: str | None = None,
) -> Loaded:
    """Read, validate and compile a rules file. Raises RulesError listing every problem.

    Names outside the source roots are asked of the project's interpreter (``--python``,
    ``$VIRTUAL_ENV``, ``$CONDA_PREFIX``, ``.venv``/``venv``, ours: see ``choose_python``).
    The result carries no files: the tree is walked by the caller that needs it
    (``commands.common.load``).
    """
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ImportshiftError(f"rules file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportshiftError(f"cannot read rules file {path}: {exc}") from None
    root = os.path.abspath(root or os.path.dirname(os.path.abspath(path)))
    display = os.path.relpath(path) if not os.path.isabs(path) else path
    tree, problems = load(text, display)
    reader = ShapeReader(display)
    reader.problems.extend(problems)
    if tree is None:
        reader.fail_if_any()
        raise AssertionError("unreachable: a rules file without a tree has problems")
    raw = reader.read(tree)
    reader.fail_if_any()
    lookup = ModuleLookup(root, raw.source_roots)
    resolver = Resolver(display, root, lookup, check_targets, probe, python)
    moves = resolver.resolve(raw.moves)
    resolver.fail_if_any()
    ruleset = RuleSet(
        moves=tuple(moves),
        root=root,
        source_roots=raw.source_roots,
        exclude=raw.exclude,
        include=raw.include,
        gitignore=raw.gitignore,
        codemods=raw.codemods,
        rules_path=display,
        strings=strings,
        docs=raw.docs,
        configs=raw.configs,
    )
    return Loaded(ruleset, tuple(resolver.warnings))
