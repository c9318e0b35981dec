"""The sdist and the wheel are what a release needs: metadata, license, the demo, no tests."""

from __future__ import annotations

import email.parser
import os
import pathlib
import subprocess
import sys
import tarfile
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dist")
    # the wheel is built from the sdist, so a file the sdist lacks is missing from both
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def _one(folder: pathlib.Path, pattern: str) -> pathlib.Path:
    (found,) = folder.glob(pattern)
    return found


@pytest.mark.packaging
def test_twine_check_passes(dist: pathlib.Path) -> None:
    files = [str(p) for p in sorted(dist.iterdir())]
    assert len(files) == 2, files
    proc = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.packaging
def test_wheel_metadata_license_and_bundled_demo(dist: pathlib.Path) -> None:
    with zipfile.ZipFile(_one(dist, "*.whl")) as whl:
        names = set(whl.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(whl.read(meta_name).decode())
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File", [])
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    classifiers = meta.get_all("Classifier", [])
    assert "Operating System :: Microsoft :: Windows" in classifiers
    assert "Programming Language :: Python :: 3.13" in classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639: the expression
    assert meta.get_all("Project-URL")
    for shipped in (
        "importshift/examples/rules.yaml",
        "importshift/examples/demo/shop/websocket_core/events.py",
        "importshift/examples/demo/scripts/py2_report.py",
        "importshift/codemods/rename_kwarg.py",
        "importshift/py.typed",
    ):
        assert shipped in names, shipped
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


@pytest.mark.packaging
def test_sdist_carries_no_tests_and_everything_the_wheel_needs(dist: pathlib.Path) -> None:
    with tarfile.open(_one(dist, "*.tar.gz")) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "pyproject.toml", "src/importshift/cli.py"} <= names
    assert "src/importshift/examples/rules.yaml" in names
    assert "docs/json.md" in names
    assert not [n for n in names if n.startswith(("tests", "benchmarks", ".github", ".ci"))]


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_venv_runs_the_demo(
    dist: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """From the installed release alone: demo, plan --diff, apply (verified)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(_one(dist, "*.whl"))],
        check=True,
        capture_output=True,
        timeout=600,
    )
    migrate = str(scripts / ("migrate.exe" if os.name == "nt" else "migrate"))
    demo = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [migrate, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
        )

    assert run("demo", str(demo)).returncode == 0
    rules = str(demo / "rules.yaml")
    plan = run("--rules", rules, "plan", "--diff")
    assert plan.returncode == 0, plan.stderr
    assert "+from shop.websocket_core.event_monitor import" in plan.stdout
    applied = run("--rules", rules, "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (
        "applied 6 file(s) in 1 batch(es); 0 rolled back; 0 skipped; 0 pre-existing failure(s)"
        in applied.stderr
    )  # every touched module was really imported, before and after
