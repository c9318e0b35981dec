"""``put_back`` and ``merge3`` on crafted batches: symlinks, deletions, metadata, parse check."""

from __future__ import annotations

import os
import pathlib

import pytest

from importshift.adapters.verify import NoVerifier
from importshift.codebase.textio import atomic_write
from importshift.core.model import SourceFile
from importshift.ops.journal import Journal
from importshift.ops.landing import Change, land
from importshift.ops.merge import merge3
from importshift.ops.objects import Store, digest
from importshift.ops.restore import ALREADY, LEFT, MERGED, RESTORED, put_back


def _land(root: pathlib.Path, path: str, new: bytes | None) -> Journal:
    journal = Journal(str(root))
    old = (root / path).read_bytes()
    change = Change(SourceFile(path, None, False), digest(old), new, ("r",))
    report = land(str(root), NoVerifier(), journal, str(journal.next_id()), [change])
    assert report.landed == [path], report
    return journal


def _undo(root: pathlib.Path, journal: Journal) -> list[str]:
    batch = journal.batches()[-1]
    return [put_back(str(root), Store(str(root)), rec, batch.id).status for rec in batch.files]


def test_deleted_file_comes_back_with_mode_and_owner(tmp_path: pathlib.Path) -> None:
    shim = tmp_path / "shim.py"
    shim.write_bytes(b"from x import y  # \xff bytes\r\n")
    shim.chmod(0o750)
    if os.geteuid() == 0:
        os.chown(shim, 4321, 8765)
    journal = _land(tmp_path, "shim.py", None)
    assert not shim.exists()
    assert _undo(tmp_path, journal) == [RESTORED]
    assert shim.read_bytes() == b"from x import y  # \xff bytes\r\n"
    st = shim.stat()
    assert st.st_mode & 0o7777 == 0o750
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (4321, 8765)
    assert _undo(tmp_path, journal) == [ALREADY]


def test_deleted_symlink_comes_back_as_a_symlink(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real.py").write_text("X = 1\n")
    os.symlink("real.py", tmp_path / "alias.py")
    journal = _land(tmp_path, "alias.py", None)
    assert not os.path.lexists(tmp_path / "alias.py")
    assert _undo(tmp_path, journal) == [RESTORED]
    assert os.readlink(tmp_path / "alias.py") == "real.py"
    assert (tmp_path / "real.py").read_text() == "X = 1\n"


def test_rewrite_through_a_symlink_keeps_the_link(tmp_path: pathlib.Path) -> None:
    (tmp_path / "real.py").write_text("X = 1\n")
    os.symlink("real.py", tmp_path / "alias.py")
    journal = _land(tmp_path, "alias.py", b"X = 2\n")
    assert os.readlink(tmp_path / "alias.py") == "real.py"
    assert (tmp_path / "real.py").read_text() == "X = 2\n"
    assert _undo(tmp_path, journal) == [RESTORED]
    assert os.path.islink(tmp_path / "alias.py")
    assert (tmp_path / "real.py").read_text() == "X = 1\n"


def test_clean_merge_that_does_not_parse_is_not_written(tmp_path: pathlib.Path) -> None:
    (tmp_path / "m.py").write_text("import a\nx = 1\n")
    after = b"try:\n    import a\nexcept ImportError:\n    pass\nx = 1\n"
    journal = _land(tmp_path, "m.py", after)
    user = b"try:\n    import a\nexcept ImportError:\n    pass\n    y = 2\nx = 1\n"
    (tmp_path / "m.py").write_bytes(user)
    assert _undo(tmp_path, journal) == [LEFT]
    assert (tmp_path / "m.py").read_bytes() == user
    saved = tmp_path / ".migrate/conflicts/batch-1/m.py.conflict"
    assert saved.read_bytes() == b"import a\n    y = 2\nx = 1\n"


def test_merge_keeps_user_edits_and_crlf(tmp_path: pathlib.Path) -> None:
    (tmp_path / "m.py").write_bytes(b"import old\r\n\r\nA = 1\r\nB = 2\r\n")
    journal = _land(tmp_path, "m.py", b"import new\r\n\r\nA = 1\r\nB = 2\r\n")
    (tmp_path / "m.py").write_bytes(b"import new\r\n\r\nA = 1\r\nB = 3\r\nC = 4\r\n")
    assert _undo(tmp_path, journal) == [MERGED]
    assert (tmp_path / "m.py").read_bytes() == b"import old\r\n\r\nA = 1\r\nB = 3\r\nC = 4\r\n"


def test_user_deleted_file_is_left_alone(tmp_path: pathlib.Path) -> None:
    (tmp_path / "m.py").write_text("import old\n")
    journal = _land(tmp_path, "m.py", b"import new\n")
    (tmp_path / "m.py").unlink()
    assert _undo(tmp_path, journal) == [LEFT]
    assert not (tmp_path / "m.py").exists()


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "expected"),
    [
        (b"a\nb\nc\n", b"a\nb\nc\n", b"a\nB\nc\n", b"a\nB\nc\n"),
        (b"a\nb\nc\n", b"A\nb\nc\n", b"a\nb\nC\n", b"A\nb\nC\n"),
        (b"a\nb\nc\n", b"a\nX\nc\n", b"a\nX\nc\n", b"a\nX\nc\n"),  # the same change
        (b"a\nb\n", b"a\nb\nz\n", b"a\nB\n", b"a\nB\nz\n"),  # insertion at the edge
        (b"a\nb\nc\n", b"a\nX\nc\n", b"a\nY\nc\n", None),
        (b"a\nc\n", b"a\nX\nc\n", b"a\nY\nc\n", None),  # two insertions at one place
        (b"a\nb\nc\nd\n", b"a\nX\nY\nd\n", b"a\nb\nZ\nd\n", None),  # overlapping
        (b"", b"new\n", b"old\n", None),
        (b"a\nb", b"a\nb\n", b"A\nb", b"A\nb\n"),  # missing final newline, byte exact
    ],
)
def test_merge3(base: bytes, ours: bytes, theirs: bytes, expected: bytes | None) -> None:
    assert merge3(base, ours, theirs).data == expected


def test_atomic_write_as_root_keeps_another_users_ownership(tmp_path: pathlib.Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to create a file owned by someone else")
    target = tmp_path / "f.py"
    target.write_text("x\n")
    os.chown(target, 1000, 1000)
    atomic_write(str(target), b"y\n")
    assert (target.stat().st_uid, target.stat().st_gid) == (1000, 1000)


def test_atomic_write_refuses_when_it_cannot_keep_the_owner(tmp_path: pathlib.Path) -> None:
    import subprocess
    import sys

    if os.geteuid() != 0:
        pytest.skip("needs root to run a writer as another user")
    import shutil
    import tempfile

    folder = pathlib.Path(tempfile.mkdtemp(prefix="importshift-owner-"))  # not under 0700 dirs
    folder.chmod(0o777)
    request_cleanup = shutil.rmtree
    target = folder / "f.py"
    target.write_text("x\n")
    os.chown(target, 2000, 2000)
    target.chmod(0o666)
    code = (
        "import os, sys, tempfile\n"
        "from importshift.codebase.textio import atomic_write\n"
        "os.setgid(1000); os.setuid(1000)\n"
        "try:\n"
        f"    atomic_write({str(target)!r}, b'y\\n')\n"
        "except PermissionError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "belongs to uid 2000 gid 2000" in proc.stdout, proc.stderr
    assert target.read_text() == "x\n" and target.stat().st_uid == 2000
    assert [p.name for p in folder.iterdir()] == ["f.py"]  # no temp file left
    request_cleanup(folder)


def test_store_packs_and_loose_objects_round_trip_and_reject_damage(
    tmp_path: pathlib.Path,
) -> None:
    store = Store(str(tmp_path))
    packed = [b"one\n", b"two\r\n", b"", b"\xff\x00"]
    loose = [b"after\n"]
    store.put_all(packed + packed)
    store.put_all(loose, durable=False)
    fresh = Store(str(tmp_path))
    assert [fresh.get(digest(b)) for b in packed + loose] == packed + loose
    names = sorted(os.listdir(tmp_path / ".migrate/objects"))
    assert len([n for n in names if n.endswith(".pack")]) == 1 and digest(b"after\n") in names
    pack = next(tmp_path.glob(".migrate/objects/*.pack"))
    pack.write_bytes(pack.read_bytes().replace(b"two", b"TWO"))  # damaged on disk
    damaged = Store(str(tmp_path))
    assert damaged.get(digest(b"two\r\n")) is None  # missing, never wrong bytes
    assert damaged.get(digest(b"one\n")) == b"one\n"
    assert damaged.get("../../etc/passwd") is None
