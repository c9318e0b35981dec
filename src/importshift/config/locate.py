"""Finding the rules file (light: no YAML, no LibCST)."""

from __future__ import annotations

import os

from importshift.core.errors import ImportshiftError

RULES_NAME = "rules.yaml"


def find_rules(start: str) -> str | None:
    """``rules.yaml`` in ``start`` or the nearest parent folder."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, RULES_NAME)
        if os.path.isfile(candidate):
            return candidate
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


def rules_path(explicit: str | None, root: str | None) -> str:
    if explicit:
        if not os.path.isfile(explicit):
            raise ImportshiftError(f"rules file not found: {explicit}")
        return explicit
    found = find_rules(root or os.getcwd())
    if found is None:
        raise ImportshiftError("no rules.yaml in this folder or any parent (use --rules PATH)")
    return found
