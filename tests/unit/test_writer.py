"""The rules writer: edits in place, in the file's own style, and never writes invalid rules."""

from __future__ import annotations

import os
import pathlib

import pytest
import yaml

from importshift.config.rules import load_rules
from importshift.config.writer import (
    NewMove,
    add_moves_text,
    set_kinds,
    set_kinds_text,
    write_moves,
)
from importshift.core.errors import ImportshiftError

NEW = [NewMove("pkg.a.X", "pkg.b.X", "symbol", 'found by "doctor"')]
ITEM = '{old: pkg.a.X, new: pkg.b.X, kind: symbol, reason: "found by \\"doctor\\""}'


def _moves(text: str) -> list[dict[str, str]]:
    return list(yaml.safe_load(text)["moves"])


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # indented block list, comments kept, next key kept after the list
            "version: 1  # top\nmoves:\n  # first\n  - old: pkg.c   # c\n    new: pkg.d\n\n"
            "exclude: []  # e\n",
            "version: 1  # top\nmoves:\n  # first\n  - old: pkg.c   # c\n    new: pkg.d\n"
            '  - old: pkg.a.X\n    new: pkg.b.X\n    kind: symbol\n    reason: "found by '
            '\\"doctor\\""\n\nexclude: []  # e\n',
        ),
        (  # unindented block list: stays unindented (no second 'moves:' key)
            "version: 1\nmoves:\n- old: pkg.c\n  new: pkg.d\n",
            "version: 1\nmoves:\n- old: pkg.c\n  new: pkg.d\n- old: pkg.a.X\n  new: pkg.b.X\n"
            '  kind: symbol\n  reason: "found by \\"doctor\\""\n',
        ),
        (  # a flow list stays a flow list
            "version: 1\nmoves: [{old: pkg.c, new: pkg.d}]  # flow\n",
            f"version: 1\nmoves: [{{old: pkg.c, new: pkg.d}}, {ITEM}]  # flow\n",
        ),
        (  # a flow list with a trailing comma
            "version: 1\nmoves: [\n  {old: pkg.c, new: pkg.d},\n]\n",
            f"version: 1\nmoves: [\n  {{old: pkg.c, new: pkg.d}},\n  {ITEM},\n]\n",
        ),
        (  # a flow list, one item per line, no trailing comma
            "version: 1\nmoves: [\n  {old: pkg.c, new: pkg.d}  # c\n]\n",
            f"version: 1\nmoves: [\n  {{old: pkg.c, new: pkg.d}},  # c\n  {ITEM},\n]\n",
        ),
        (  # block list of flow items
            "version: 1\nmoves:\n    - {old: pkg.c, new: pkg.d}\n",
            f"version: 1\nmoves:\n    - {{old: pkg.c, new: pkg.d}}\n    - {ITEM}\n",
        ),
        (  # empty flow list, comment kept
            "version: 1\nmoves: []  # none yet\nexclude: []\n",
            "version: 1\nmoves:  # none yet\n  - old: pkg.a.X\n    new: pkg.b.X\n    kind: symbol\n"
            '    reason: "found by \\"doctor\\""\nexclude: []\n',
        ),
        (  # 'moves:' with nothing, in the middle of the file
            "version: 1\nmoves:\nexclude: []\n",
            "version: 1\nmoves:\n  - old: pkg.a.X\n    new: pkg.b.X\n    kind: symbol\n"
            '    reason: "found by \\"doctor\\""\nexclude: []\n',
        ),
        (  # no 'moves:' key, no final newline
            "version: 1",
            "version: 1\nmoves:\n  - old: pkg.a.X\n    new: pkg.b.X\n    kind: symbol\n"
            '    reason: "found by \\"doctor\\""\n',
        ),
        (  # last item without a final newline
            "version: 1\nmoves:\n  - old: pkg.c\n    new: pkg.d",
            "version: 1\nmoves:\n  - old: pkg.c\n    new: pkg.d\n  - old: pkg.a.X\n"
            '    new: pkg.b.X\n    kind: symbol\n    reason: "found by \\"doctor\\""\n',
        ),
    ],
)
def test_add_moves_in_the_files_own_style(before: str, after: str) -> None:
    new, written = add_moves_text(before, NEW)
    assert new == after
    assert len(written) == 1 and not written.skipped
    assert _moves(new)[-1] == {
        "old": "pkg.a.X",
        "new": "pkg.b.X",
        "kind": "symbol",
        "reason": 'found by "doctor"',
    }


def test_crlf_and_bom_are_kept() -> None:
    before = "\ufeffversion: 1\r\nmoves:\r\n  - old: pkg.c\r\n    new: pkg.d\r\n# end\r\n"
    new, _ = add_moves_text(before, NEW)
    assert new.startswith(before[: before.index("# end")])
    assert new.endswith("# end\r\n")
    assert "\n" not in new.replace("\r\n", "")
    again, changed = set_kinds_text(new, {"pkg.c": "module"})
    assert changed == ["pkg.c"]
    assert "  - old: pkg.c\r\n    kind: module\r\n    new: pkg.d\r\n" in again
    assert "\n" not in again.replace("\r\n", "")


def test_invalid_moves_are_skipped_with_a_note_and_not_counted() -> None:
    text = "version: 1\nmoves:\n  - old: pkg.c\n    new: pkg.d\n"
    moves = [
        NewMove("pkg.same", "pkg.same", "symbol", ""),
        NewMove("pkg.c", "pkg.e", "module", ""),  # already declared
        NewMove("pkg.d", "pkg.c", "module", ""),  # pkg.c -> pkg.d -> pkg.c
        NewMove("pkg.d.sub", "pkg.c.sub", "module", ""),  # a cycle through the prefix
        NewMove("pkg.f", "pkg.g", "module", ""),
        NewMove("pkg.f", "pkg.h", "module", ""),  # twice in one write
        NewMove("pkg.x", "pkg.y", "klass", ""),
    ]
    new, written = add_moves_text(text, moves)
    assert [m.old for m in written.added] == ["pkg.f"]
    assert len(written) == 1
    assert written.notes() == [
        "skipped pkg.same -> pkg.same: 'old' equals 'new'",
        "skipped pkg.c -> pkg.e: a move with old pkg.c is already declared",
        "skipped pkg.d -> pkg.c: it would form a cycle of moves",
        "skipped pkg.d.sub -> pkg.c.sub: it would form a cycle of moves",
        "skipped pkg.f -> pkg.h: a move with old pkg.f is already declared",
        "skipped pkg.x -> pkg.y: unknown kind 'klass'",
    ]
    assert [m["old"] for m in _moves(new)] == ["pkg.c", "pkg.f"]
    assert add_moves_text(text, moves[:2]) == (text, add_moves_text(text, moves[:2])[1])


def test_values_yaml_would_misread_are_quoted() -> None:
    new, _ = add_moves_text("version: 1\n", [NewMove("on.off", "yes", "module", "")])
    assert _moves(new) == [{"old": "on.off", "new": "yes", "kind": "module", "reason": ""}]


def test_set_kinds_block_flow_and_out_of_order_keys() -> None:
    text = (
        "version: 1\nmoves:\n  - old: pkg.a   # a\n    new: pkg.b\n"
        "  - {old: pkg.c, new: pkg.d}\n  - new: pkg.f\n    old: pkg.e\n"
        "  - old: pkg.g\n    new: pkg.h\n    kind: module\n"
    )
    new, changed = set_kinds_text(text, {"pkg.a": "module", "pkg.c": "symbol", "pkg.e": "module"})
    assert changed == ["pkg.a", "pkg.c", "pkg.e"]
    assert new == (
        "version: 1\nmoves:\n  - old: pkg.a   # a\n    kind: module\n    new: pkg.b\n"
        "  - {old: pkg.c, kind: symbol, new: pkg.d}\n  - new: pkg.f\n    old: pkg.e\n"
        "    kind: module\n  - old: pkg.g\n    new: pkg.h\n    kind: module\n"
    )
    assert set_kinds_text(new, {"pkg.g": "symbol"}) == (new, [])  # an explicit kind is kept


def _tree(tmp_path: pathlib.Path, rules: bytes) -> pathlib.Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/b.py").write_text("class X:\n    pass\n")
    path = tmp_path / "rules.yaml"
    path.write_bytes(rules)
    return path


def test_write_moves_reloads_with_the_real_loader(tmp_path: pathlib.Path) -> None:
    path = _tree(
        tmp_path, b"version: 1\r\nmoves:\r\n- old: pkg.c.Y\r\n  new: pkg.b.X\r\n  kind: symbol\r\n"
    )
    os.chmod(path, 0o600)
    written = write_moves(str(path), NEW)
    assert len(written) == 1
    data = path.read_bytes()
    assert data.startswith(
        b"version: 1\r\nmoves:\r\n- old: pkg.c.Y\r\n  new: pkg.b.X\r\n  kind: symbol\r\n- old: "
    )
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert os.stat(path).st_mode & 0o777 == 0o600
    rules = load_rules(str(path), str(tmp_path), check_targets=False).ruleset
    assert [m.old for m in rules.moves] == ["pkg.c.Y", "pkg.a.X"]


def test_a_result_that_would_not_load_leaves_the_file_untouched(tmp_path: pathlib.Path) -> None:
    original = b"version: 1\nmoves: []\n"
    path = _tree(tmp_path, original)
    # a symbol without a module passes every textual check but not the loader
    with pytest.raises(ImportshiftError, match="left unchanged.*a symbol needs a module"):
        write_moves(str(path), [NewMove("Thing", "pkg.b.X", "symbol", "")])
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "rules.yaml"]  # no temp left


def test_set_kinds_lets_the_rules_load_without_the_old_module(tmp_path: pathlib.Path) -> None:
    path = _tree(tmp_path, b"version: 1\nmoves:\n  - old: pkg.gone.Y  # c\n    new: pkg.b.X\n")
    (tmp_path / "pkg/gone.py").write_text("from pkg.b import X as Y\n")
    assert set_kinds(str(path), {"pkg.gone.Y": "symbol"}) == ["pkg.gone.Y"]
    (tmp_path / "pkg/gone.py").unlink()
    assert load_rules(str(path), str(tmp_path)).ruleset.moves[0].old == "pkg.gone.Y"
    assert path.read_text() == (
        "version: 1\nmoves:\n  - old: pkg.gone.Y  # c\n    kind: symbol\n    new: pkg.b.X\n"
    )


def test_a_move_to_a_missing_target_is_refused_when_the_file_checked_clean(
    tmp_path: pathlib.Path,
) -> None:
    original = b"version: 1\nmoves: []\n"
    path = _tree(tmp_path, original)
    missing = NewMove("pkg.old.Y", "pkg.b.Missing", "symbol", "")
    with pytest.raises(ImportshiftError, match="has no top-level name 'Missing'"):
        write_moves(str(path), [missing])
    assert path.read_bytes() == original
    # a file that already fails the target check (the user runs --no-check-targets) is held
    # to the shape and meaning checks only, like the loader itself under that flag
    dirty = b"version: 1\nmoves:\n  - old: pkg.old.Z\n    new: pkg.b.Gone\n    kind: symbol\n"
    path.write_bytes(dirty)
    assert len(write_moves(str(path), [missing])) == 1
    assert b"new: pkg.b.Missing" in path.read_bytes()


def test_a_new_moves_list_follows_the_files_other_lists() -> None:
    new, _ = add_moves_text("version: 1\nsource_roots:\n- src\n", NEW)
    assert new.startswith("version: 1\nsource_roots:\n- src\nmoves:\n- old: pkg.a.X\n  new: ")
    new, _ = add_moves_text("version: 1\nexclude:\n    - a\nmoves: []\n", NEW)
    assert "moves:\n    - old: pkg.a.X\n      new: pkg.b.X\n" in new


def test_any_reason_text_round_trips() -> None:
    reason = 'a\u2028b\x85c\ufeffd\x07e \U0001f600 "q" \\ \n\ttab: # not a comment'
    new, _ = add_moves_text("version: 1\n", [NewMove("pkg.a.X", "pkg.b.X", "symbol", reason)])
    assert _moves(new)[0]["reason"] == reason
    assert new.count("\n") == 6  # one line per key: nothing in the reason broke a line
