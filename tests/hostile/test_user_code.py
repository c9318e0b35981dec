"""Code run by verification cannot hurt the tool: it is seen, reported, and contained."""

from __future__ import annotations

import pathlib

from click.testing import CliRunner
from helpers import make_tree

from importshift.cli import group

BASE: dict[str, str | bytes] = {
    "rules.yaml": "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n",
    "pkg/__init__.py": "",
    "pkg/monitor.py": "class Monitor:\n    pass\n",
    "pkg/events.py": "from pkg.monitor import Monitor as Manager\n",
}


def test_import_that_writes_files_is_reported(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **BASE,
            "pkg/vandal.py": (
                "import os\nfrom pkg.events import Manager\n\n"
                "os.remove(os.path.join(os.path.dirname(__file__), 'victim.txt'))\n"
            ),
            "pkg/victim.txt": "precious\n",
        },
    )
    result = CliRunner().invoke(
        group, ["--rules", str(tmp_path / "rules.yaml"), "apply"], catch_exceptions=False
    )
    assert "warning: pkg/victim.txt was changed by code run during verification" in result.stdout


def test_verification_never_runs_in_the_tool_process(tmp_path: pathlib.Path) -> None:
    make_tree(
        tmp_path,
        {
            **BASE,
            "pkg/exits.py": (
                "import os, sys\nfrom pkg.events import Manager\n\nos.chdir('/')\nsys.exit(3)\n"
            ),
        },
    )
    result = CliRunner().invoke(
        group, ["--rules", str(tmp_path / "rules.yaml"), "apply"], catch_exceptions=False
    )
    # the import fails before and after the rewrite: not blamed, the rewrite lands
    assert (
        "pre-existing failure, not blamed: import pkg.exits: failed: SystemExit: 3" in result.stdout
    )
    assert "from pkg.monitor import Monitor" in (tmp_path / "pkg/exits.py").read_text()
    assert result.exit_code == 0
