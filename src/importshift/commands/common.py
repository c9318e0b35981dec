"""What every command does first: find and load the rules, pick the files."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from importshift.codebase.files import module_index, source_file
from importshift.codebase.files import walk as walk_tree
from importshift.config import locate
from importshift.config.rules import Loaded, load_rules
from importshift.core.errors import ImportshiftError
from importshift.core.model import Skip, SourceFile
from importshift.core.options import Options
from importshift.core.output import Output
from importshift.ops import planner


def rules_path(opts: Options) -> str:
    return locate.rules_path(opts.rules, opts.root)


def load(opts: Options, out: Output, *, walk: bool = True, python: str | None = None) -> Loaded:
    """The rules, and (unless ``walk`` is false) the files they cover and their modules."""
    loaded = load_rules(
        rules_path(opts),
        opts.root,
        check_targets=opts.check_targets,
        strings=opts.strings,
        python=python,
    )
    for warning in loaded.warnings:
        out.err(f"warning: {warning}")
    if not walk:
        return loaded
    rules = loaded.ruleset
    files, skips = walk_tree(rules.root, rules.exclude, rules.gitignore, rules.include)
    index = module_index(source_file(f, rules.source_roots) for f in files)
    return replace(loaded, files=tuple(files), skips=tuple(skips), index=index)


def select(loaded: Loaded, paths: Sequence[str]) -> tuple[list[SourceFile], list[Skip]]:
    root = loaded.ruleset.root
    for p in paths:
        full = os.path.abspath(p)
        if not os.path.exists(full):
            raise ImportshiftError(f"no such file or folder: {p}")
        if not (full == root or full.startswith(root + os.sep)):
            raise ImportshiftError(f"{p} is outside the root {root}")
    return planner.source_files(loaded.ruleset, loaded.files, loaded.skips, paths)
