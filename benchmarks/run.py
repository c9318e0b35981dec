"""Runs importshift and its peers side by side on the same corpora; writes RESULTS.md.

    python -m benchmarks                  # 10,000 generated files + boto 2.49.0 from PyPI
    python -m benchmarks --scale 50000    # also measure plan/apply/check at 50,000 files
    python -m benchmarks --smoke          # a tiny run (what the test suite checks)

Every figure is the median of --runs runs, measured in the same process on the same
machine, and compared as a ratio. Peers: ruff (TID251 banned-api, detection only), LibCST's
RenameCommand (one run per move), Bowler (lib2to3-based), a naive regex script (the hand
-written approach importshift replaces), and ``rg -l`` as the I/O floor.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field

from benchmarks import corpus

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work")
BIN = os.path.dirname(sys.executable)
REAL_PACKAGE = "boto==2.49.0"
REAL_RULES = """\
version: 1
moves:
  - old: mock
    new: unittest.mock
    kind: module
    reason: "mock is part of the standard library since Python 3.3"
  - old: collections.Mapping
    new: collections.abc.Mapping
    kind: symbol
    reason: "removed from collections in Python 3.10"
"""


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    code: int = 0
    stdout: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def rss(self) -> float:
        return max(self.rss_mb) if self.rss_mb else float("nan")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users have bytecode caches; so do we here
    return env


def measure(
    argv: list[str] | str,
    cwd: str,
    runs: int = 1,
    prepare=None,  # type: ignore[no-untyped-def]
    shell: bool = False,
) -> Timing:
    timing = Timing()
    for _ in range(runs):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
            shell=shell,
        )
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        timing.wall.append(time.perf_counter() - start)
        timing.cpu.append(usage.ru_utime + usage.ru_stime)
        timing.rss_mb.append(usage.ru_maxrss / 1024)
        timing.code = proc.returncode
        timing.stdout = out.decode("utf-8", "replace")
    return timing


def per_move(cwd: str, commands: list[list[str]]) -> Timing:
    """Run one command per move, one after the other, as a single timing (sums, peak)."""
    runs = [measure(argv, cwd, 1) for argv in commands]
    return Timing(
        [sum(t.median for t in runs)], [sum(t.cpu_median for t in runs)], [max(t.rss for t in runs)]
    )


def migrate(*args: str) -> list[str]:
    return [os.path.join(BIN, "migrate"), *args]


def copy_tree(src: str, dst: str) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)


def python_files(root: str) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".migrate", "__pycache__")]
        out.extend(os.path.join(folder, f) for f in files if f.endswith(".py"))
    return sorted(out)


def broken_files(before: str, after: str) -> int:
    """Files that parsed before a tool ran and do not parse after it."""
    count = 0
    for path in python_files(after):
        rel = os.path.relpath(path, after)
        try:
            with open(os.path.join(before, rel), "rb") as fh:
                ast.parse(fh.read())
        except (OSError, SyntaxError, ValueError):
            continue
        try:
            with open(path, "rb") as fh:
                ast.parse(fh.read())
        except (SyntaxError, ValueError):
            count += 1
    return count


def remaining_sites(tree: str, rules: str) -> int:
    """Old-path sites still in a tree after a tool ran (what ``migrate check`` reports)."""
    proc = subprocess.run(
        migrate("--rules", rules, "--root", tree, "check", "--format", "json"),
        capture_output=True,
        text=True,
        env=_env(),
    )
    import json

    try:
        doc = json.loads(proc.stdout or "[]")
    except ValueError:
        return -1
    found = doc["findings"] if isinstance(doc, dict) else doc  # the envelope, or the old list
    # sites in files that do not parse (MIG003, matched textually) were never rewritable
    return sum(1 for f in found if f.get("code") not in ("MIG003", "MIG004"))


def ruff_config(path: str, moves: list[tuple[str, str, str]]) -> str:
    lines = ["[lint]", 'select = ["TID251"]', "[lint.flake8-tidy-imports.banned-api]"]
    lines += [f'"{old}".msg = "moved to {new}"' for old, new, _ in moves]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


REGEX_SCRIPT = r"""
import os, re, sys
root, moves = sys.argv[1], [m.split("=") for m in sys.argv[2:]]
subs = []
for old, new in moves:
    om, _, on = old.rpartition(".")
    nm, _, nn = new.rpartition(".")
    pattern = r"from %s import %s\b" % (re.escape(om), on)
    subs.append((re.compile(pattern), "from %s import %s" % (nm, nn)))
    subs.append((re.compile(r"\b%s\b" % re.escape(old)), new))
for folder, dirs, files in os.walk(root):
    for name in files:
        if name.endswith(".py"):
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                text = fh.read()
            new_text = text
            for rx, repl in subs:
                new_text = rx.sub(repl, new_text)
            if new_text != text:
                with open(path, "w", encoding="utf-8", errors="surrogateescape") as fh:
                    fh.write(new_text)
"""


@dataclass
class Row:
    what: str
    tool: str
    timing: Timing
    note: str = ""
    base: str = ""  # the row this one is compared with


class Bench:
    def __init__(self, runs: int, jobs: int, smoke: bool) -> None:
        self.runs = runs
        self.jobs = jobs
        self.smoke = smoke
        self.rows: list[Row] = []
        self.correct: list[tuple[str, str, str, str, str]] = []
        self.commands: list[str] = []

    def add(self, what: str, tool: str, timing: Timing, note: str = "", base: str = "") -> None:
        self.rows.append(Row(what, tool, timing, note, base))
        print(
            f"  {what:<38} {tool:<34} {timing.median:8.3f}s  cpu {timing.cpu_median:7.2f}s"
            f"  rss {timing.rss:6.0f} MB {note}",
            flush=True,
        )

    def verdict(
        self, label: str, tool: str, src: str, scratch: str, rules: str, timing: Timing
    ) -> None:
        """A correctness row: sites left and files broken in the tree the tool produced."""
        self.correct.append(
            (
                label,
                tool,
                str(remaining_sites(scratch, rules)),
                str(broken_files(src, scratch)),
                f"{timing.median:.1f}s",
            )
        )

    def cmd(self, text: str) -> None:
        if text not in self.commands:
            self.commands.append(text)

    # -- the generated corpus -------------------------------------------------------------

    def generated(self, n: int, peers: bool = True, extras: bool = True) -> None:
        src = os.path.join(WORK, f"corpus-{n}")
        if not os.path.exists(os.path.join(src, "rules.yaml")):
            print(f"generating {n} files in {src}", flush=True)
            corpus.generate(src, n)
        rules = os.path.join(src, "rules.yaml")
        scratch = os.path.join(WORK, f"scratch-{n}")
        moves = corpus.MOVES
        label = f"{n:,} generated files"
        print(f"== {label}", flush=True)
        runs = self.runs
        old_paths = "|".join(m[0].replace(".", r"\.") for m in moves)
        if shutil.which("rg"):
            self.add(
                f"find old paths ({label})",
                "rg -l (I/O floor)",
                measure(["rg", "-l", "-t", "py", "-e", old_paths, "."], src, runs),
            )
            self.cmd(f"rg -l -t py -e '{old_paths}' .")
        ruff = shutil.which("ruff") or os.path.join(BIN, "ruff")
        if os.path.exists(ruff):
            cfg = ruff_config(os.path.join(WORK, "ruff-tid251.toml"), moves)
            self.add(
                f"detect ({label})",
                "ruff check --select TID251",
                measure(
                    [ruff, "check", "--no-cache", "--config", cfg, "-q", "--exit-zero", "."],
                    src,
                    runs,
                ),
            )
            self.cmd(f"ruff check --no-cache --config {cfg} -q --exit-zero .")
        jobs = ["-j", str(self.jobs)]
        self.add(
            f"detect ({label})",
            "migrate plan",
            measure(migrate("-q", *jobs, "plan"), src, runs),
            base="ruff check --select TID251",
        )
        self.cmd(f"migrate -q -j {self.jobs} plan")
        self.add(
            f"exact diff ({label})",
            "migrate plan --diff",
            measure(migrate("-q", *jobs, "plan", "--diff"), src, 1),
        )
        self.cmd(f"migrate -q -j {self.jobs} plan --diff")
        for tool in ("shims", "shims --discovered", "discover", "doctor"):
            subprocess.run(migrate("-q", *jobs, *tool.split()), cwd=src, capture_output=True)
            self.add(  # after one unmeasured run: the index cache is warm, as on a 2nd run
                f"{tool} ({label})",
                f"migrate {tool}",
                measure(migrate("-q", *jobs, *tool.split()), src, runs),
                base="migrate plan",
            )
            self.cmd(f"migrate -q -j {self.jobs} {tool}")
        self.doctor_first_runs(label, src, scratch)
        apply_t = measure(
            migrate("-q", *jobs, "apply", "--verify", "none"),
            scratch,
            1,
            prepare=lambda: copy_tree(src, scratch),
        )
        self.cmd(f"migrate -q -j {self.jobs} apply --verify none")
        self.verdict(label, "migrate apply", src, scratch, rules, apply_t)
        self.add(f"rewrite ({label})", "migrate apply --verify none", apply_t)
        again = measure(migrate("-q", *jobs, "apply", "--verify", "none"), scratch, 1)
        self.add(f"second apply, no-op ({label})", "migrate apply --verify none", again)
        verified = measure(
            migrate("-q", *jobs, "apply", "--batch", "50"),
            scratch,
            1,
            prepare=lambda: copy_tree(src, scratch),
        )
        self.add(f"rewrite + verify ({label})", "migrate apply --batch 50", verified)
        self.cmd(f"migrate -q -j {self.jobs} apply --batch 50")
        regex = measure(
            [sys.executable, "-c", REGEX_SCRIPT, ".", *[f"{o}={n}" for o, n, _ in moves]],
            scratch,
            1,
            prepare=lambda: copy_tree(src, scratch),
        )
        self.verdict(label, "regex script", src, scratch, rules, regex)
        self.add(f"rewrite ({label})", "naive regex script", regex)
        if peers and not self.smoke:
            self.libcst(label, src, scratch, rules, moves, with_bowler=True)
        if not extras:
            return
        self.check_commit(label, src, moves)
        if not self.smoke:
            self.verify_overhead(label, src)
            self.static_check(label, src)

    def doctor_first_runs(self, label: str, src: str, scratch: str) -> None:
        """doctor with no index cache: on a tree whose tests have run (Python's bytecode
        caches present, from ``compileall``), and on a bare checkout."""
        jobs = ["-j", str(self.jobs)]
        copy_tree(src, scratch)
        subprocess.run(
            [os.path.join(BIN, "python"), "-m", "compileall", "-q", "-j", str(self.jobs), "."],
            cwd=scratch,
            capture_output=True,
        )
        for what, tree in (
            ("doctor, first run: no index cache, bytecode caches present", scratch),
            ("doctor, first run: no index cache, no bytecode caches", src),
        ):
            cache = os.path.join(tree, ".migrate", "facts.v4")
            self.add(
                f"{what} ({label})",
                "migrate doctor",
                measure(
                    migrate("-q", *jobs, "doctor"),
                    tree,
                    self.runs,
                    prepare=lambda c=cache: os.path.exists(c) and os.remove(c),
                ),
                base="migrate plan",
            )
        floor = (
            "import os, sys\n"
            "from multiprocessing import Pool\n"
            "def one(p):\n"
            "    try:\n"
            "        compile(open(p, 'rb').read(), p, 'exec', dont_inherit=True)\n"
            "    except (SyntaxError, ValueError):\n"
            "        return 1\n"
            "    return 0\n"
            "if __name__ == '__main__':\n"
            "    ps = [os.path.join(d, f) for d, _, fs in os.walk('.') for f in fs"
            " if f.endswith('.py')]\n"
            "    with Pool(int(sys.argv[1])) as pool:\n"
            "        print(sum(pool.map(one, ps, chunksize=256)))\n"
        )
        self.add(
            f"doctor, first run: no index cache, no bytecode caches ({label})",
            "compile every file, nothing else (floor)",
            measure([os.path.join(BIN, "python"), "-c", floor, str(self.jobs)], src, self.runs),
            base="migrate plan",
        )
        self.cmd(f"python -m compileall -q -j {self.jobs} .  # the first of the two trees")
        self.cmd(f"rm -f .migrate/facts.v4; migrate -q -j {self.jobs} doctor")

    def libcst(
        self,
        label: str,
        src: str,
        scratch: str,
        rules: str,
        moves: list[tuple[str, str, str]],
        with_bowler: bool = False,
    ) -> None:
        copy_tree(src, scratch)
        total = per_move(
            scratch,
            [
                [
                    sys.executable,
                    "-m",
                    "libcst.tool",
                    "codemod",
                    f"-j{self.jobs}",  # "-j N" with a space is taken for the command
                    "--no-format",
                    "rename.RenameCommand",
                    "--old_name",
                    old,
                    "--new_name",
                    new,
                    ".",
                ]
                for old, new, _ in moves
            ],
        )
        self.cmd(
            f"{sys.executable} -m libcst.tool codemod -j{self.jobs} --no-format "
            "rename.RenameCommand --old_name OLD --new_name NEW .  # once per move"
        )
        self.verdict(label, "LibCST RenameCommand", src, scratch, rules, total)
        self.add(
            f"rewrite ({label})",
            "LibCST RenameCommand (all moves)",
            total,
            note=f"{len(moves)} runs",
        )
        self.rows[-1].base = "migrate apply --verify none"
        if not with_bowler:
            return
        try:
            import bowler  # noqa: F401
        except ImportError:
            return
        copy_tree(src, scratch)
        script = (
            "import sys\nfrom bowler import Query\nold, new, kind = sys.argv[1:4]\n"
            "q = Query('.')\n"
            "q = q.select_module(old) if kind == 'module' else q.select_var(old)\n"
            "q.rename(new).execute(write=True, interactive=False, silent=True)\n"
        )
        total = per_move(
            scratch, [[sys.executable, "-c", script, old, new, kind] for old, new, kind in moves]
        )
        self.verdict(label, "Bowler", src, scratch, rules, total)
        self.add(f"rewrite ({label})", "Bowler (all moves)", total, note=f"{len(moves)} runs")
        self.rows[-1].base = "migrate apply --verify none"

    def check_commit(self, label: str, src: str, moves: list[tuple[str, str, str]]) -> None:
        files = [os.path.relpath(p, src) for p in python_files(src)]
        clean, dirty = [], []
        for rel in files:
            with open(os.path.join(src, rel), "rb") as fh:
                data = fh.read()
            (
                dirty if any(m[0].rpartition(".")[2].encode() in data for m in moves) else clean
            ).append(rel)
        commit = clean[100:120]
        mixed = clean[200:217] + dirty[:3]
        runs = max(5, self.runs * 5)
        subprocess.run(migrate("check", *commit), cwd=src, capture_output=True, env=_env())
        base = measure([sys.executable, "-c", "pass"], src, runs)
        self.add("20-file commit", "python -c pass (floor)", base)
        self.add(
            "20-file commit, no candidate",
            "migrate check",
            measure(migrate("check", *commit), src, runs),
            base="python -c pass (floor)",
        )
        self.add(
            "20-file commit, 3 candidates",
            "migrate check",
            measure(migrate("check", *mixed), src, runs),
            base="python -c pass (floor)",
        )
        self.cmd("migrate check FILE... (20 files)")
        ruff = shutil.which("ruff") or os.path.join(BIN, "ruff")
        if os.path.exists(ruff):
            cfg = os.path.join(WORK, "ruff-tid251.toml")
            self.add(
                "20-file commit, no candidate",
                "ruff check --select TID251",
                measure(
                    [ruff, "check", "--no-cache", "--config", cfg, "-q", "--exit-zero", *commit],
                    src,
                    runs,
                ),
                base="python -c pass (floor)",
            )

    def verify_overhead(self, label: str, src: str) -> None:
        """One 50-module batch: our verifier against a plain loop of imports, same -j."""
        code = (
            "import os, sys, time\n"
            "from concurrent.futures import ThreadPoolExecutor\n"
            "import subprocess\n"
            "sys.path.insert(0, os.environ['SRC'])\n"
            "from importshift.codebase.files import source_file\n"
            "from importshift.core.options import VerifyOptions\n"
            "from importshift.adapters.verify import SubprocessVerifier\n"
            "root = os.environ['CORPUS']\n"
            "files = []\n"
            "for folder, _, names in sorted(os.walk(os.path.join(root, 'corp', 'app3'))):\n"
            "    files += [os.path.relpath(os.path.join(folder, n), root) for n in sorted(names)"
            " if n.endswith('.py') and n != '__init__.py']\n"
            "files = [source_file(f, ['.']) for f in files[:50]]\n"
            "jobs = int(os.environ['JOBS'])\n"
            "v = SubprocessVerifier(root, ['.'], VerifyOptions(), jobs)\n"
            "targets = v.targets(files)\n"
            "def plain(t):\n"
            "    return subprocess.run([sys.executable, '-c', 'import ' + t.name], cwd=root,"
            " env=dict(os.environ, PYTHONPATH=root), capture_output=True).returncode\n"
            "best_plain = best_ours = 1e9\n"
            "for _ in range(3):\n"
            "    s = time.perf_counter()\n"
            "    with ThreadPoolExecutor(jobs) as pool:\n"
            "        codes = list(pool.map(plain, sorted(targets)))\n"
            "    best_plain = min(best_plain, time.perf_counter() - s)\n"
            "    s = time.perf_counter()\n"
            "    results = v.run(targets)\n"
            "    best_ours = min(best_ours, time.perf_counter() - s)\n"
            "assert all(c == 0 for c in codes) and all(r.ok for r in results.values())\n"
            "print(best_plain, best_ours)\n"
        )
        env = _env()
        env.update(SRC=os.path.join(os.path.dirname(HERE), "src"), CORPUS=src, JOBS=str(self.jobs))
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            print(proc.stderr[-2000:])
            return
        plain, ours = (float(x) for x in proc.stdout.split())
        self.add(
            "verify a 50-module batch",
            "plain loop of `python -c 'import m'`",
            Timing([plain], [float("nan")], [float("nan")]),
        )
        self.add(
            "verify a 50-module batch",
            "migrate's verifier",
            Timing([ours], [float("nan")], [float("nan")]),
            base="plain loop of `python -c 'import m'`",
        )

    def static_check(self, label: str, src: str) -> None:
        """The static check of every import apply writes, against plan on the same tree."""
        from benchmarks.static_check import measure as measure_static

        plan_s, static_s, changed, probes, bad = measure_static(src)
        self.add(
            f"static check of written imports ({label})",
            "migrate plan (same run)",
            Timing([plan_s], [float("nan")], [float("nan")]),
        )
        self.add(
            f"static check of written imports ({label})",
            f"migrate's static check ({changed} changed files, {probes} probe(s), {bad} refused)",
            Timing([static_s], [float("nan")], [float("nan")]),
            base="migrate plan (same run)",
        )

    # -- a real package from PyPI ---------------------------------------------------------

    def real(self) -> None:
        folder = os.path.join(WORK, "real")
        name = REAL_PACKAGE.replace("==", "-")
        src = os.path.join(folder, name)
        if not os.path.isdir(src):
            os.makedirs(folder, exist_ok=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    REAL_PACKAGE,
                    "-d",
                    folder,
                ],
                check=True,
            )
            archive = next(f for f in os.listdir(folder) if f.endswith(".tar.gz"))
            with tarfile.open(os.path.join(folder, archive)) as tar:
                tar.extractall(folder, filter="data")
        with open(os.path.join(src, "rules.yaml"), "w") as fh:
            fh.write(REAL_RULES)
        rules = os.path.join(src, "rules.yaml")
        label = f"{REAL_PACKAGE} ({len(python_files(src))} files)"
        print(f"== {label}", flush=True)
        scratch = os.path.join(WORK, "real-scratch")
        jobs = ["-j", str(self.jobs)]
        self.add(
            f"detect ({label})",
            "migrate plan",
            measure(migrate("-q", *jobs, "plan"), src, self.runs),
        )
        before_sites = remaining_sites(src, rules)
        t = measure(
            migrate("-q", *jobs, "apply", "--batch", "50"),
            scratch,
            1,
            prepare=lambda: copy_tree(src, scratch),
        )
        self.add(f"rewrite + verify ({label})", "migrate apply --batch 50", t)
        self.correct.append(
            (
                label,
                "migrate apply --batch 50",
                f"{remaining_sites(scratch, rules)} of {before_sites}",
                str(broken_files(src, scratch)),
                f"{t.median:.1f}s",
            )
        )
        t = measure(
            migrate("-q", *jobs, "apply", "--verify", "none"),
            scratch,
            1,
            prepare=lambda: copy_tree(src, scratch),
        )
        self.add(f"rewrite ({label})", "migrate apply --verify none", t)
        moves = [
            ("mock", "unittest.mock", "module"),
            ("collections.Mapping", "collections.abc.Mapping", "symbol"),
        ]
        self.libcst(label, src, scratch, rules, moves, with_bowler=True)
        for row in self.correct[-2:]:
            if "of" not in row[2]:
                self.correct[self.correct.index(row)] = (
                    row[0],
                    row[1],
                    f"{row[2]} of {before_sites}",
                    row[3],
                    row[4],
                )


def _generated(n: int) -> str:
    return f"{n:,} generated files"


def _row(rows: list[Row], what: str, tool: str) -> Row | None:
    return next((r for r in rows if r.what == what and r.tool == tool), None)


def growth_lines(rows: list[Row], small: int, large: int) -> list[str]:
    """How each command's time and memory grow from the main corpus to the --scale one."""
    tail = f" ({_generated(small)})"
    pairs = []
    for r in rows:
        if r.what.endswith(tail) and r.tool.startswith("migrate"):
            what = r.what[: -len(tail)]
            big = _row(rows, f"{what} ({_generated(large)})", r.tool)
            if big is not None:
                pairs.append((what, r, big))
    if not pairs:
        return []
    lines = [
        "",
        f"## Growth from {small:,} to {large:,} files",
        "",
        f"Linear growth would be {large / small:g}x; files/s at {large:,} files.",
        "",
        f"| what | tool | {small:,} files (s) | {large:,} files (s) | growth | files/s "
        "| peak RSS (MB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for what, a, b in pairs:
        lines.append(
            f"| {what} | {a.tool} | {a.timing.median:.2f} | {b.timing.median:.2f} "
            f"| {b.timing.median / a.timing.median:.1f}x | {large / b.timing.median:,.0f} "
            f"| {a.timing.rss:.0f} -> {b.timing.rss:.0f} |"
        )
    return lines


def target_lines(rows: list[Row], args: argparse.Namespace) -> list[str]:
    """The issue's targets, each read off the rows of this run: met or missed."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    def ratio(slow: Row | None, fast: Row | None) -> float | None:
        return slow.timing.median / fast.timing.median if slow and fast else None

    lines = ["", "## Against the targets", "", "Computed from the rows above, in this run.", ""]
    prefix = f"detect ({REAL_PACKAGE}"
    real = next((r.what[len("detect (") : -1] for r in rows if r.what.startswith(prefix)), None)
    for label in (_generated(args.peer_files), real):
        peer = _row(rows, f"rewrite ({label})", "LibCST RenameCommand (all moves)")
        slower = ratio(peer, _row(rows, f"detect ({label})", "migrate plan"))
        if label and slower is not None:
            lines.append(
                f"- `plan` vs LibCST RenameCommand, same moves, {label}: LibCST takes "
                f"{slower:,.0f}x as long (target >= 20x: {verdict(slower >= 20)})."
            )
    for n in (args.files, args.scale):
        what = f"detect ({_generated(n)})"
        vs_ruff = ratio(
            _row(rows, what, "migrate plan"), _row(rows, what, "ruff check --select TID251")
        )
        if n and vs_ruff is not None:
            lines.append(
                f"- `plan` vs `ruff check --select TID251`, {_generated(n)}: {vs_ruff:.2f}x "
                f"(target <= 2x: {verdict(vs_ruff <= 2)})."
            )
    floor = _row(rows, "20-file commit", "python -c pass (floor)")
    check = _row(rows, "20-file commit, no candidate", "migrate check")
    to_floor = ratio(check, floor)
    if check and to_floor is not None:
        ruff_to_floor = ratio(_row(rows, check.what, "ruff check --select TID251"), floor)
        beside = f"; ruff {ruff_to_floor:.2f}x" if ruff_to_floor is not None else ""
        lines.append(
            f"- `check` on a 20-file commit without candidates: {check.timing.median * 1000:.0f}"
            f" ms, {to_floor:.2f}x a bare `python -c pass` (target <= 2x: "
            f"{verdict(to_floor <= 2)}){beside}."
        )
    plain = _row(rows, "verify a 50-module batch", "plain loop of `python -c 'import m'`")
    ours = _row(rows, "verify a 50-module batch", "migrate's verifier")
    overhead = ratio(ours, plain)
    if ours and plain and overhead is not None:
        lines.append(
            f"- Verifying a 50-module batch: {ours.timing.median:.2f} s against "
            f"{plain.timing.median:.2f} s for a plain loop of imports, {overhead:.2f}x "
            f"(target <= 1.1x: {verdict(overhead <= 1.1)})."
        )
    static = next((r for r in rows if r.tool.startswith("migrate's static check")), None)
    static_plan = _row(rows, static.what, "migrate plan (same run)") if static else None
    static_ratio = ratio(static, static_plan)
    if static and static_plan and static_ratio is not None:
        lines.append(
            f"- Static check of every written import: {static.timing.median * 1000:.0f} ms "
            f"against {static_plan.timing.median:.2f} s for plan, {100 * static_ratio:.1f}% "
            f"(target < 10%: {verdict(static_ratio < 0.10)})."
        )
    main = _generated(args.files)
    plan_row = _row(rows, f"detect ({main})", "migrate plan")
    for what, tool in (
        ("shims --discovered", "migrate shims --discovered"),
        ("discover", "migrate discover"),
        ("doctor", "migrate doctor"),
        ("doctor, first run: no index cache, bytecode caches present", "migrate doctor"),
        ("doctor, first run: no index cache, no bytecode caches", "migrate doctor"),
    ):
        found = ratio(_row(rows, f"{what} ({main})", tool), plan_row)
        floor = ratio(
            _row(rows, f"{what} ({main})", "compile every file, nothing else (floor)"), plan_row
        )
        if found is not None:
            lines.append(
                f"- `{tool}` ({what}), {main}: {found:.2f}x `migrate plan` "
                f"(target <= 2x: {verdict(found <= 2)})"
                + (
                    f"; Python's compiler alone, on every file, takes {floor:.2f}x."
                    if floor is not None
                    else "."
                )
            )
    sizes = sorted(n for n in {args.peer_files, args.files, args.scale} if n)
    for tool in ("migrate plan", "migrate apply --verify none"):
        kind = "detect" if tool == "migrate plan" else "rewrite"
        found = [(n, _row(rows, f"{kind} ({_generated(n)})", tool)) for n in sizes]
        rss = [(n, r.timing.rss) for n, r in found if r is not None]
        if len(rss) > 1:
            # flat = no file's text or tree is kept: growth well under the 5 KB of an average
            # source file (a list of paths and outcomes costs well under 1 KB a file)
            per_file = (rss[-1][1] - rss[0][1]) * 1024 / (rss[-1][0] - rss[0][0])
            shown = ", ".join(f"{m:.0f} MB at {n:,}" for n, m in rss)
            lines.append(
                f"- Peak memory of `{tool}`: {shown} files, {per_file:.2f} KB more per file "
                f"(target flat in N, read as < 1 KB per file: {verdict(per_file < 1)})."
            )
    return lines if len(lines) > 5 else []


def write_results(bench: Bench, path: str, args: argparse.Namespace) -> None:
    import importlib.metadata as md

    def version(pkg: str) -> str:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return "not installed"

    ruff = shutil.which("ruff") or os.path.join(BIN, "ruff")
    ruff_v = (
        subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.strip()
        if os.path.exists(ruff)
        else "not installed"
    )
    rg_v = (
        subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        if shutil.which("rg")
        else "not installed"
    )
    launcher = os.path.join(BIN, "migrate")
    with open(launcher) as fh:
        slow = "import re" in fh.read()
    launcher_note = "imports `re`: about 10 ms more per `check`" if slow else "no `re` import"
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks {' '.join(sys.argv[1:])}`".rstrip() + " on "
        f"{time.strftime('%Y-%m-%d')}. Medians of {args.runs} run(s) unless a row says "
        "otherwise; wall time, CPU time of the process and its children, peak RSS of the "
        "main process. Ratios compare rows measured in the same run.",
        "",
        "## Machine and versions",
        "",
        f"- {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- importshift {version('importshift')}, libcst {version('libcst')}, "
        f"bowler {version('bowler')}, {ruff_v}, {rg_v}, pip {version('pip')} (its `migrate` "
        f"launcher: {launcher_note})",
        f"- `-j {bench.jobs}` for every tool that takes it; bytecode caches on "
        "(PYTHONDONTWRITEBYTECODE unset), as on a developer machine",
        "",
        "## Timings",
        "",
        "| what | tool | wall (s) | CPU (s) | peak RSS (MB) | ratio |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    by_key = {(r.what, r.tool): r for r in bench.rows}
    for r in bench.rows:
        ratio = ""
        base = by_key.get((r.what, r.base))
        if base is None and r.base:
            base = next(
                (
                    x
                    for x in bench.rows
                    if x.tool == r.base and x.what.split(" (")[-1] == r.what.split(" (")[-1]
                ),
                None,
            )
        if base is not None and base.timing.median > 0:
            ratio = f"{r.timing.median / base.timing.median:.2f}x {r.base}"
        cpu = "" if r.timing.cpu_median != r.timing.cpu_median else f"{r.timing.cpu_median:.2f}"
        rss = "" if r.timing.rss != r.timing.rss else f"{r.timing.rss:.0f}"
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.what} | {r.tool}{note} | {r.timing.median:.3f} | {cpu} | {rss} | {ratio} |"
        )
    lines += [
        "",
        "## Correctness",
        "",
        "Sites left = occurrences of old paths that `migrate check` still finds in the tree the "
        "tool produced; broken = files that parsed before and do not parse after.",
        "",
        "| corpus | tool | sites left | files broken | wall |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {c} | {t} | {s} | {b} | {w} |" for c, t, s, b, w in bench.correct]
    lines += growth_lines(bench.rows, args.files, args.scale)
    lines += target_lines(bench.rows, args)
    lines += ["", "## Commands", "", "```sh", *bench.commands, "```", ""]
    if args.notes and os.path.exists(args.notes):
        with open(args.notes) as fh:
            lines += ["", fh.read().rstrip(), ""]
    with open(path, "w") as fh:
        fh.write("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=0, help="a second, larger corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--peer-files",
        type=int,
        default=1_000,
        help="corpus size for the slow rewriting peers (LibCST, Bowler)",
    )
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-real", action="store_true", help="skip the PyPI package")
    parser.add_argument("--smoke", action="store_true", help="tiny and quick")
    parser.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument(
        "--notes",
        default=os.path.join(HERE, "NOTES.md"),
        help="text appended to the results (profiles, history)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.files, args.runs, args.no_real, args.scale = 300, 1, True, 0
    os.makedirs(WORK, exist_ok=True)
    bench = Bench(args.runs, args.jobs, args.smoke)
    # The rewriting peers need minutes per move on 10,000 files (LibCST's RenameCommand
    # computes full-repo metadata; Bowler parses every file with lib2to3): they are compared
    # side by side on a 1,000-file corpus, and on the real package.
    bench.generated(args.files, peers=args.files <= args.peer_files)
    if not args.smoke and args.files > args.peer_files:
        bench.generated(args.peer_files, extras=False)
    if args.scale:
        bench.generated(args.scale, peers=False, extras=False)
    if not args.no_real:
        bench.real()
    write_results(bench, args.out, args)
    print(f"wrote {args.out}")
    return 0
