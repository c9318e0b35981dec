"""The benchmark tooling: a deterministic corpus, filters that are a superset of a full
parse on it, and the one-command runner in its tiny smoke mode."""

from __future__ import annotations

import argparse
import ast
import os
import pathlib
import subprocess
import sys

import libcst as cst

from benchmarks import corpus
from importshift.codebase import files as modules
from importshift.config.rules import load_rules
from importshift.core.model import Status
from importshift.rewrite.engine import Engine
from importshift.rewrite.moves import rewrite_moves

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_corpus_is_deterministic(tmp_path: pathlib.Path) -> None:
    corpus.generate(str(tmp_path / "a"), 120, seed=7)
    corpus.generate(str(tmp_path / "b"), 120, seed=7)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.py"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.py"))
    assert files_a == files_b and len(files_a) == 120
    assert all(
        (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a
    )


def test_filters_keep_every_file_a_full_parse_changes(tmp_path: pathlib.Path) -> None:
    """On the generated corpus (all forms, CRLF, latin-1, broken files), the bytes and ast
    stages never drop a file that the LibCST rewrite, run on every file, would change."""
    root = tmp_path / "corpus"
    corpus.generate(str(root), 600, seed=3, mention_rate=0.2)
    loaded = load_rules(str(root / "rules.yaml"))
    engine = Engine(loaded.ruleset)
    changed = 0
    files, _ = modules.walk(str(root), loaded.ruleset.exclude, True, ())
    for rel in files:
        f = modules.source_file(rel, loaded.ruleset.source_roots)
        data = (root / rel).read_bytes()
        try:
            ast.parse(data)
            tree = cst.parse_module(data)
        except (SyntaxError, ValueError, cst.ParserSyntaxError):
            continue
        direct, _ = rewrite_moves(tree, loaded.ruleset, f.module, f.is_package)
        staged = engine.rewrite(data, rel, f.module, f.is_package)
        if direct.code != tree.code:
            changed += 1
            assert staged.status is Status.CHANGED, rel
            assert staged.new == direct.bytes, rel
        else:
            assert staged.status is not Status.CHANGED, rel
    assert changed > 50


def test_smoke_run_writes_results(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "RESULTS.md"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--smoke",
            "--out",
            str(out),
            "--notes",
            str(tmp_path / "none.md"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = out.read_text()
    assert "## Machine and versions" in text and "## Correctness" in text
    assert "| detect (300 generated files) | migrate plan |" in text
    assert "x ruff check --select TID251 |" in text
    assert "| 300 generated files | migrate apply | 0 | 0 |" in text


def test_targets_and_growth_are_read_off_the_rows() -> None:
    from benchmarks.run import REAL_PACKAGE, Row, Timing, growth_lines, target_lines

    def row(what: str, tool: str, wall: float, rss: float = 40.0) -> Row:
        return Row(what, tool, Timing([wall], [wall], [rss]))

    rows = [
        row("detect (10,000 generated files)", "ruff check --select TID251", 1.0),
        row("detect (10,000 generated files)", "migrate plan", 1.5, 30),
        row("detect (50,000 generated files)", "ruff check --select TID251", 5.0),
        row("detect (50,000 generated files)", "migrate plan", 12.0, 90),
        row("detect (1,000 generated files)", "migrate plan", 0.4, 25),
        row("rewrite (1,000 generated files)", "LibCST RenameCommand (all moves)", 900.0),
        row(f"detect ({REAL_PACKAGE} (721 files))", "migrate plan", 0.7),
        row(f"rewrite ({REAL_PACKAGE} (721 files))", "LibCST RenameCommand (all moves)", 7.0),
        row("20-file commit", "python -c pass (floor)", 0.020),
        row("20-file commit, no candidate", "migrate check", 0.030),
        row("verify a 50-module batch", "plain loop of `python -c 'import m'`", 1.0),
        row("verify a 50-module batch", "migrate's verifier", 0.6),
    ]
    args = argparse.Namespace(files=10_000, scale=50_000, peer_files=1_000)
    text = "\n".join(target_lines(rows, args))
    assert "1,000 generated files: LibCST takes 2,250x as long (target >= 20x: met)" in text
    assert "(721 files): LibCST takes 10x as long (target >= 20x: **missed**)" in text
    assert "10,000 generated files: 1.50x (target <= 2x: met)" in text
    assert "50,000 generated files: 2.40x (target <= 2x: **missed**)" in text
    assert "30 ms, 1.50x a bare `python -c pass` (target <= 2x: met)" in text
    assert "0.60x (target <= 1.1x: met)" in text
    memory = "25 MB at 1,000, 30 MB at 10,000, 90 MB at 50,000 files, 1.36 KB more per file"
    assert memory + " (target flat in N, read as < 1 KB per file: **missed**)" in text
    growth = growth_lines(rows, 10_000, 50_000)
    assert growth[5].startswith("| what | tool | 10,000 files (s) | 50,000 files (s) |")
    assert growth[7:] == ["| detect | migrate plan | 1.50 | 12.00 | 8.0x | 4,167 | 30 -> 90 |"]
    assert growth_lines(rows, 10_000, 0) == []
