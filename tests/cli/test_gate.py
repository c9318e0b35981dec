"""``migrate check`` fails closed: unparseable files, bad arguments, stdin, suppression,
the rules cache, and the GitHub / SARIF / JSON renderings."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import sarif_schema
from click.testing import CliRunner
from helpers import SMALL_TREE, git, make_tree

from importshift.cli import group

HERE = pathlib.Path(__file__).resolve().parent
PY = f"{sys.version_info[0]}.{sys.version_info[1]}"

STRINGS_TREE = {
    **SMALL_TREE,
    "rules.yaml": SMALL_TREE["rules.yaml"] + "    strings: true\n",  # on pkg.factory
}


def invoke(*args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, list(args), input=input, catch_exceptions=False)


CLICK = "import sys; from importshift.cli import main; main(sys.argv[1:])"


def run_migrate(
    cwd: pathlib.Path, *args: str, stdin: bytes = b"", fast: bool = True
) -> subprocess.CompletedProcess[str]:
    """``migrate ARGS`` in a subprocess: the click-free fast path the hook takes, or (``fast``
    False) the full click command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT")}
    launcher = ["-m", "importshift"] if fast else ["-c", CLICK]
    proc = subprocess.run(
        [sys.executable, *launcher, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        env=env,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )


# -- 1. files that do not parse -------------------------------------------------------------

UNPARSEABLE = {
    "python 2": "print 'legacy'\n",
    "merge conflict": "<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> other\n",
    "null byte": "x = 1  # \x00\n",
}
if sys.version_info < (3, 12):
    UNPARSEABLE["syntax newer than this interpreter (PEP 695)"] = "type Alias = list[int]\n"


@pytest.mark.parametrize("broken", list(UNPARSEABLE.values()), ids=list(UNPARSEABLE))
def test_unparseable_file_is_checked_textually(tmp_path: pathlib.Path, broken: str) -> None:
    make_tree(tmp_path, STRINGS_TREE)
    (tmp_path / "app/new.py").write_text(
        broken + "from pkg.events import (\n"
        "    Other,\n"
        "    Manager,  # across lines, in parentheses\n"
        ")\n"
        "import pkg.factory as f\n"
        "target = 'pkg.factory.create'\n"
        "unrelated = 'pkg.monitor.Monitor'\n"
    )
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "check", str(tmp_path / "app/new.py"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    first = len(broken.splitlines()) + 1
    assert [line.split(": MIG")[0] for line in lines] == [
        f"app/new.py:{first}:1",
        f"app/new.py:{first + 4}:1",
        f"app/new.py:{first + 5}:10",
    ]
    assert all(" MIG003 " in line for line in lines)
    assert all(
        "matched textually" in line and "could not parse (Python " + PY in line for line in lines
    )
    assert "'pkg.events.Manager' moved to 'pkg.monitor.Monitor'" in lines[0]
    assert "'pkg.factory' moved to 'pkg.canonical'" in lines[1]
    assert "'pkg.factory.create' moved to 'pkg.canonical.create'" in lines[2]


def test_attribute_chains_in_an_unparseable_file(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    (tmp_path / "app/new.py").write_text(
        "print 'py2'\n"
        "import pkg.events\n"
        "import pkg.events as ev\n"
        "import pkg.factory\n"
        "a = pkg.events.Manager()\n"  # through `import pkg.events`
        "b = ev.Manager\n"  # through the alias
        "c = pkg.factory.create()\n"  # a moved module already reported at its import
        "d = pkg.events.Other, xev.Manager\n"  # neither reaches an old name
    )
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "check", str(tmp_path / "app/new.py"))
    assert [line.split(" moved")[0] for line in result.stdout.splitlines()] == [
        "app/new.py:4:1: MIG003 'pkg.factory'",
        "app/new.py:5:5: MIG003 'pkg.events.Manager'",
        "app/new.py:6:5: MIG003 'pkg.events.Manager'",
    ]


def test_a_parse_failure_alone_is_reported_only_on_request(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    (tmp_path / "app/bad.py").write_text("import os\nprint 'Manager'\n")
    rules = str(tmp_path / "rules.yaml")
    bad = str(tmp_path / "app/bad.py")
    quiet = invoke("--rules", rules, "check", bad)
    assert (quiet.exit_code, quiet.stdout) == (0, "")
    assert "1 file(s) do not parse and were checked textually" in quiet.stderr
    loud = invoke("--rules", rules, "check", "--report-unparseable", bad)
    assert loud.exit_code == 1
    assert loud.stdout == (
        f"app/bad.py:2:1: MIG004 could not parse (Python {PY}, line 2: Missing parentheses in "
        "call to 'print'. Did you mean print(...)?); checked textually\n"
    )
    # with the flag even a file that mentions no old name is parsed
    (tmp_path / "app/other.py").write_text("def f(:\n")
    other = invoke(
        "--rules", rules, "check", "--report-unparseable", str(tmp_path / "app/other.py")
    )
    assert other.exit_code == 1 and "app/other.py:1:" in other.stdout


# -- 2. bad arguments: exit 2 with one line --------------------------------------------------


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "click"])
def test_bad_arguments_exit_2_with_one_line(tmp_path: pathlib.Path, fast: bool) -> None:
    make_tree(tmp_path, SMALL_TREE)
    outside = tmp_path.parent / (tmp_path.name + "-nogit")
    make_tree(outside, SMALL_TREE)
    cases = [
        ((tmp_path, "check", "app/missing.py"), "no such file or folder: app/missing.py"),
        ((tmp_path, "--root", "apq", "check"), "apq"),
        ((outside, "check", "--new-only", "app/views.py"), "needs a git repository"),
        ((tmp_path, "check", "--base", "main", "app/views.py"), "only make sense with --new-only"),
        ((tmp_path, "check", "--fix", "-"), "--fix cannot rewrite standard input"),
    ]
    for (cwd, *args), expected in cases:
        proc = run_migrate(cwd, *args, fast=fast)
        code, err = proc.returncode, proc.stderr
        assert code == 2, (args, err)
        assert expected in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err


def test_unknown_base_and_shallow_clone(tmp_path: pathlib.Path) -> None:
    repo = tmp_path / "repo"
    make_tree(repo, SMALL_TREE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (repo / "app/plain.py").write_text("import os\n")
    _git(repo, "commit", "-qam", "two")
    unknown = run_migrate(repo, "check", "--new-only", "--base", "nope", "app/views.py")
    assert unknown.returncode == 2
    assert unknown.stderr == "error: unknown --base nope: no such revision in this repository\n"
    shallow = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    missing = run_migrate(shallow, "check", "--new-only", "--base", "HEAD~1", "app/views.py")
    assert missing.returncode == 2
    assert "is not in this shallow clone" in missing.stderr
    assert "fetch-depth: 0" in missing.stderr
    # both tips fetched, their common ancestor not: refused too, never "all new"
    _git(repo, "branch", "side", "HEAD~1")
    _git(repo, "checkout", "-q", "side")
    (repo / "app/side.py").write_text("x = 1\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "side")
    _git(repo, "checkout", "-q", "-")
    tips = tmp_path / "tips"
    _git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(tips))
    cut = run_migrate(
        tips, "check", "--new-only", "--base", "origin/side", "--head", "HEAD", "app/views.py"
    )
    assert cut.returncode == 2
    assert "have no common ancestor: fetch more history" in cut.stderr


def test_stdin_with_filename(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, {**SMALL_TREE, "pkg/sub/__init__.py": ""})
    rules = str(tmp_path / "rules.yaml")
    source = "from ..events import Manager\n"  # relative: only the filename gives it meaning
    named = invoke(
        "--rules",
        rules,
        "check",
        "--stdin-filename",
        str(tmp_path / "pkg/sub/rel.py"),
        "-",
        input=source,
    )
    assert named.exit_code == 1
    assert named.stdout.startswith("pkg/sub/rel.py:1:1: MIG001 'pkg.events.Manager'")
    anonymous = invoke("--rules", rules, "check", "-", input="import pkg.factory\n")
    assert anonymous.exit_code == 1
    assert anonymous.stdout.startswith("-:1:1: MIG001 'pkg.factory' moved to 'pkg.canonical'")
    clean = invoke("--rules", rules, "check", "-", input="import os\n")
    assert (clean.exit_code, clean.stdout) == (0, "")
    # the fast path, as an editor runs it
    proc = run_migrate(
        tmp_path, "check", "--stdin-filename", "pkg/sub/rel.py", stdin=source.encode()
    )
    assert proc.returncode == 1
    assert proc.stdout == named.stdout


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "click"])
def test_file_named_like_an_option(tmp_path: pathlib.Path, fast: bool) -> None:
    make_tree(tmp_path, {**SMALL_TREE, "app/-new.py": "import pkg.factory\n"})
    proc = run_migrate(tmp_path / "app", "check", "--", "-new.py", fast=fast)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("app/-new.py:1:1: MIG001")


# -- 4. suppression, --exit-zero, --no-cache ------------------------------------------------


def test_noqa_with_the_code_accepts_one_line(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, STRINGS_TREE)
    (tmp_path / "app/new.py").write_text(
        "from pkg.events import Manager  # noqa: MIG001 (kept on purpose)\n"
        "import pkg.factory  # noqa: F401,mig001\n"
        "from pkg.factory import create  # noqa\n"  # bare noqa: not for the gate
        "from pkg.factory import *  # noqa: MIG002\n"  # another code
        "x = 'pkg.factory.create'  # noqa: MIG002\r\n"
        "y = 'pkg.factory.create'  # noqa: MIG001\n"
    )
    result = invoke("--rules", str(tmp_path / "rules.yaml"), "check", str(tmp_path / "app/new.py"))
    assert result.exit_code == 1
    assert [line.split(" '")[0] for line in result.stdout.splitlines()] == [
        "app/new.py:3:1: MIG001",
        "app/new.py:4:1: MIG001",
        "app/new.py:6:5: MIG002",
    ]
    as_json = json.loads(
        invoke(
            "--rules",
            str(tmp_path / "rules.yaml"),
            "check",
            "--format",
            "json",
            str(tmp_path / "app/new.py"),
        ).stdout
    )
    assert as_json["suppressed"] == 3 and len(as_json["findings"]) == 3


def test_exit_zero_still_reports(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    result = invoke(
        "--rules",
        str(tmp_path / "rules.yaml"),
        "check",
        "--exit-zero",
        str(tmp_path / "app/views.py"),
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("app/views.py:1:1: MIG001")
    missing = invoke("--rules", str(tmp_path / "rules.yaml"), "check", "--exit-zero", "nope.py")
    assert missing.exit_code == 2  # --exit-zero is about findings, never about refusals


def test_no_cache_writes_no_cache(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    proc = run_migrate(tmp_path, "check", "--no-cache", "app/views.py")
    assert proc.returncode == 1
    assert not (tmp_path / ".migrate").exists()
    run_migrate(tmp_path, "check", "app/views.py")
    assert list((tmp_path / ".migrate/cache").iterdir())


def _warm_then(tmp_path: pathlib.Path, change) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """Warm the cache, make ``change``, and demand that the warm run answers exactly as a
    cold one (CI has no cache)."""
    warm = run_migrate(tmp_path, "check", "app/views.py")
    assert warm.returncode == 1, warm.stderr
    assert list((tmp_path / ".migrate/cache").iterdir())
    change()
    cached = run_migrate(tmp_path, "check", "app/views.py")
    cold = run_migrate(tmp_path, "check", "--no-cache", "app/views.py")
    assert (cached.returncode, cached.stdout, cached.stderr) == (
        cold.returncode,
        cold.stdout,
        cold.stderr,
    )
    return cached


def test_cache_never_hides_a_rules_error(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    monitor = tmp_path / "pkg/monitor.py"
    # the target symbol disappears: the rules are now wrong
    result = _warm_then(tmp_path, lambda: monitor.write_text("class Renamed:\n    pass\n"))
    assert result.returncode == 2
    assert "has no top-level name 'Monitor'" in result.stderr


def test_cache_sees_a_same_size_same_mtime_rules_edit(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    rules = tmp_path / "rules.yaml"

    def edit() -> None:
        st = rules.stat()
        rules.write_text(rules.read_text().replace("pkg.monitor.Monitor", "pkg.monitor.Monitox"))
        os.utime(rules, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert rules.stat().st_size == st.st_size

    result = _warm_then(tmp_path, edit)
    assert result.returncode == 2


def test_cache_follows_the_tree_and_replays_warnings(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **SMALL_TREE,
            "rules.yaml": SMALL_TREE["rules.yaml"]
            + "  - old: pkg.legacy\n    new: notinstalled_lib.thing\n",
            "pkg/legacy.py": "",
            "app/views.py": SMALL_TREE["app/views.py"] + "import pkg.legacy\n",
        },
    )
    # the target module of a move is deleted: an error, warm or cold
    result = _warm_then(tmp_path, lambda: (tmp_path / "pkg/canonical.py").unlink())
    assert result.returncode == 2
    (tmp_path / "pkg/canonical.py").write_text("def create():\n    return 1\n")
    again = _warm_then(tmp_path, lambda: None)
    assert "warning: " in again.stderr and "not importable here" in again.stderr


# -- 5. GitHub, SARIF, JSON --------------------------------------------------------------------


def _monorepo(tmp_path: pathlib.Path) -> pathlib.Path:
    """Rules in a subfolder of the repository; a file name with ',' and ':'; a reason with
    '%' and a newline."""
    rules = SMALL_TREE["rules.yaml"].replace(
        'reason: "events.py is a compatibility alias"', 'reason: "100% gone,\\nsee: docs"'
    )
    api = tmp_path / "services/api"
    make_tree(
        api, {**SMALL_TREE, "rules.yaml": rules, "app/we,ird:name.py": "import pkg.factory\n"}
    )
    _git(tmp_path, "init", "-q")
    return api


@pytest.mark.skipif(os.name == "nt", reason="':' cannot be in a Windows file name")
def test_github_annotations_are_escaped_and_relative_to_the_top_level(
    tmp_path: pathlib.Path,
) -> None:
    api = _monorepo(tmp_path)
    proc = run_migrate(api, "check", "--format", "github", "app/views.py", "app/we,ird:name.py")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "::error file=services/api/app/views.py,line=1,col=1,title=MIG001 deprecated-import::"
        "MIG001 'pkg.events.Manager' moved to 'pkg.monitor.Monitor' (100%25 gone,%0Asee: docs)",
        "::error file=services/api/app/we%2Cird%3Aname.py,line=1,col=1,"
        "title=MIG001 deprecated-import::MIG001 'pkg.factory' moved to 'pkg.canonical'",
    ]


@pytest.mark.skipif(os.name == "nt", reason="':' cannot be in a Windows file name")
def test_sarif_is_valid_2_1_0(tmp_path: pathlib.Path) -> None:
    api = _monorepo(tmp_path)
    (api / "app/bad.py").write_text("print 'x'\nfrom pkg.events import Manager\n")
    proc = run_migrate(api, "check", "--format", "sarif", "--report-unparseable")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    sarif_schema.validate(log)
    results = log["runs"][0]["results"]
    rules = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert {r["ruleId"] for r in results} == {"MIG001", "MIG003", "MIG004"}
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "services/api/app/we%2Cird%3Aname.py" in uris
    assert "services/api/app/bad.py" in uris
    # an empty run is valid too
    clean = run_migrate(api, "check", "--format", "sarif", "app/plain.py")
    assert clean.returncode == 0
    sarif_schema.validate(json.loads(clean.stdout))


def test_the_fallback_validator_rejects_what_the_schema_forbids() -> None:
    good = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}
    assert not list(sarif_schema._errors(good, sarif_schema.SCHEMA, "$"))
    for bad in (
        {"version": "2.0.0", "runs": []},
        {"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]},
        {"version": "2.1.0", "runs": [], "extra": 1},
        {**good, "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {}}]}]},
    ):
        assert list(sarif_schema._errors(bad, sarif_schema.SCHEMA, "$")), bad


def test_json_envelope(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    proc = run_migrate(tmp_path, "check", "--format", "json", "app/views.py", "app/broken.py")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert (doc["version"], doc["command"], doc["checked"]) == (1, "check", 2)
    assert doc["unparseable"] == ["app/broken.py"]
    assert [f["code"] for f in doc["findings"]] == ["MIG003", "MIG001"]


_git = git


def test_stubs_and_scripts_given_by_name_are_checked(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **SMALL_TREE,
            "app/views.pyi": "from pkg.events import Manager\n",
            "bin/tool": "#!/usr/bin/env python3\nimport pkg.factory\n",
            "bin/notes": "import pkg.factory\n",  # no shebang, no suffix: not Python
        },
    )
    proc = run_migrate(tmp_path, "check", "app/views.pyi", "bin/tool", "bin/notes")
    assert proc.returncode == 1
    assert [line.split(": ")[0] for line in proc.stdout.splitlines()] == [
        "app/views.pyi:1:1",
        "bin/tool:2:1",
    ]


def test_a_clean_commit_with_new_only_starts_no_git(tmp_path: pathlib.Path) -> None:
    """The hook's common case: git is asked nothing unless a file mentions an old name; a
    base named on purpose is still validated."""
    make_tree(tmp_path, SMALL_TREE)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "legacy")
    launcher = "import sys\nfrom importshift.entry import main\nsys.exit(main())\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for _ in range(2):  # the first run fills the cache
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", launcher, "check", "--new-only"]
            + ["app/plain.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "subprocess" not in imported
    named = run_migrate(tmp_path, "check", "--new-only", "--base", "nope", "app/plain.py")
    assert named.returncode == 2 and "unknown --base nope" in named.stderr


def test_cache_written_by_another_interpreter_is_not_used(tmp_path: pathlib.Path) -> None:
    import marshal

    make_tree(tmp_path, SMALL_TREE)
    assert run_migrate(tmp_path, "check", "app/views.py").returncode == 1
    (entry,) = (tmp_path / ".migrate/cache").iterdir()
    data = marshal.loads(entry.read_bytes())
    data["python"] = ["2.7.18 (other)", "/elsewhere/python"]
    entry.write_bytes(marshal.dumps(data))
    launcher = "import sys\nfrom importshift.entry import main\nsys.exit(main())\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", launcher, "check", "app/views.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert " yaml\n" in proc.stderr  # the rules were compiled again, not taken from the entry


def test_the_cache_keeps_one_entry_per_rules_file(tmp_path: pathlib.Path) -> None:
    make_tree(tmp_path, SMALL_TREE)
    rules = tmp_path / "rules.yaml"
    for reason in ("first", "second", "third"):
        rules.write_text(SMALL_TREE["rules.yaml"].replace("events.py is", f"{reason}:"))
        assert run_migrate(tmp_path, "check", "app/views.py").returncode == 1
    assert len(list((tmp_path / ".migrate/cache").iterdir())) == 1
