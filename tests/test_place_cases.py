"""Golden cases for every place beyond a plain module: tests/cases/<form>/<name>/ holds a
real ``rules.yaml``, ``before/<file>`` and, when the file changes, ``after/<file>``; an
optional ``check.txt`` lists what ``check`` reports for the before file (``where:line:col
old``). Also: notebooks, docs and config files that no rule concerns stay byte-identical.
"""

from __future__ import annotations

import pathlib

import pytest
from helpers import NoProbe

from importshift.codebase.files import source_file
from importshift.config.rules import load_rules
from importshift.core.model import Status
from importshift.rewrite.engine import Engine
from importshift.rewrite.gate import gate_sites

CASES = pathlib.Path(__file__).parent / "cases"
DIRS = sorted(p.parent for p in CASES.rglob("rules.yaml"))


def _engine(case: pathlib.Path) -> Engine:
    loaded = load_rules(str(case / "rules.yaml"), str(case), check_targets=False, probe=NoProbe())
    return Engine(loaded.ruleset)


def _before(case: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in (case / "before").rglob("*") if p.is_file())


@pytest.mark.parametrize("case", DIRS, ids=[str(p.relative_to(CASES)) for p in DIRS])
def test_place_case(case: pathlib.Path) -> None:
    engine = _engine(case)
    reported = []
    for before in _before(case):
        rel = before.relative_to(case / "before").as_posix()
        sf = source_file(rel, ("src", "."))
        data = before.read_bytes()
        result = engine.rewrite(data, rel, sf.module, sf.is_package)
        after = case / "after" / rel
        if after.exists():
            assert result.status is Status.CHANGED, (result.status, result.reason)
            assert result.new == after.read_bytes()
            again = engine.rewrite(result.new, rel, sf.module, sf.is_package)
            assert again.status is Status.UNCHANGED, "a second run must change nothing"
            left = engine.detect(result.new, rel, sf.module, sf.is_package).sites
            assert not left or "left_alone" in case.name  # an unparseable part stays reported
        else:
            assert result.status is Status.UNCHANGED, (result.status, result.new)
        found = gate_sites(engine.rules, data, rel, sf.module, sf.is_package)
        assert found is not None, "check must be able to read it"
        reported += [f"{rel}{at}:{s.line}:{s.column} {s.old}" for at, s in found]
    expected = case / "check.txt"
    if expected.exists():
        assert reported == expected.read_text().splitlines()


def test_every_place_has_cases() -> None:
    forms = {p.parent.name for p in DIRS}
    assert {"stub", "script", "notebook", "docs", "doctest", "config"} <= forms
