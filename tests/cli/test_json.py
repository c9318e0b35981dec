"""Every command's ``--format json`` is one document in the envelope that docs/json.md
documents, and matches that command's schema there; plan counts sites the same everywhere."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import make_tree

from importshift.cli import group

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "json.md"


def _schemas() -> dict[str, dict[str, Any]]:
    """``## command`` heading -> the first ```json block under it."""
    out = {}
    for section in re.split(r"^## ", DOCS.read_text(encoding="utf-8"), flags=re.M)[1:]:
        name = section.split("\n", 1)[0].strip()
        block = re.search(r"```json\n(.*?)```", section, re.S)
        assert block, f"docs/json.md: no schema under '## {name}'"
        out[name] = json.loads(block.group(1))
    return out


SCHEMAS = _schemas()
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> None:
    """The subset of JSON Schema docs/json.md uses; raises AssertionError naming the place."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return validate(value, root["definitions"][name], root, at)
    if "const" in schema:
        assert value == schema["const"], f"{at}: {value!r} != {schema['const']!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            (isinstance(value, int) and not isinstance(value, bool))
            if k == "integer"
            else isinstance(value, _TYPES[k])
            for k in kinds
        )
        assert ok, f"{at}: {value!r} is not {schema['type']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{at}: missing {key!r}"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(props)
            assert not extra, f"{at}: undocumented keys {sorted(extra)}"
        for key, sub in props.items():
            if key in value:
                validate(value[key], sub, root, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], root, f"{at}[{i}]")


def test_the_validator_rejects_what_the_docs_do_not_allow() -> None:
    schema = SCHEMAS["undo"]
    good = {
        "version": 1,
        "command": "undo",
        "batches": [],
        "summary": {"reverted": 0, "left_alone": 0},
    }
    validate(good, schema, schema)
    for bad in (
        {**good, "extra": 1},
        {**good, "command": "apply"},
        {**good, "summary": {"reverted": "0", "left_alone": 0}},
        {k: v for k, v in good.items() if k != "batches"},
    ):
        with pytest.raises(AssertionError):
            validate(bad, schema, schema)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(group, ["demo", str(root / "d")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    root = root / "d"
    make_tree(root, {"examples/demo/shop/broken.py": "from shop.nowhere import Thing\n"})
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "demo"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True
        )
    return root


def _json(root: pathlib.Path, *args: str, code: int | None = 0) -> dict[str, Any]:
    result = CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), *args, "--format", "json"]
    )
    if code is not None:
        assert result.exit_code == code, result.output
    doc = json.loads(result.stdout)  # stdout holds exactly one document
    assert isinstance(doc, dict), doc
    assert doc["command"] == args[0]
    schema = SCHEMAS[args[0]]
    validate(doc, schema, schema)
    return doc


def test_every_command_in_order(demo: pathlib.Path) -> None:
    """One workflow on the demo: each command's document matches its schema."""
    plan = _json(demo, "plan")
    assert plan["summary"]["changed"] == 6 and plan["summary"]["sites"] == 19
    diff = _json(demo, "plan", "--diff")
    assert diff["summary"] == plan["summary"]
    assert _json(demo, "shims")["shims"]
    assert _json(demo, "discover")["version"] == 1
    doctor = _json(demo, "doctor", code=1)
    assert "examples/demo/shop/broken.py" in {f["path"] for f in doctor["findings"]}
    # the demo has a Python 2 script naming the shim: retire cannot prove it unused (exit 1)
    assert _json(demo, "retire", "--dry-run", code=1)["batch"] is None
    applied = _json(demo, "apply", "--verify", "none")
    assert applied["summary"]["applied"] == 6
    assert [b["id"] for b in applied["batches"]] == ["1"]
    retired = _json(demo, "retire", "--verify", "none", code=1)
    assert retired["summary"]["landed"] == len([c for c in retired["changes"] if c["landed"]])
    undone = _json(demo, "undo", "--all")
    assert undone["summary"]["reverted"] >= 6


def test_check(demo: pathlib.Path) -> None:
    doc = _json(demo, "check", code=1)
    assert doc["findings"]


@pytest.mark.parametrize("command", [["init"], ["demo", "somewhere"]], ids=["init", "demo"])
def test_format_json_is_refused_where_it_is_not_honoured(
    command: list[str], tmp_path: pathlib.Path
) -> None:
    result = CliRunner().invoke(group, ["--root", str(tmp_path), *command, "--format", "json"])
    assert result.exit_code == 2
    assert "--format json is not available here (choose from text)" in result.stderr
    assert os.listdir(tmp_path) == []


def test_plan_diff_and_json_count_the_same_sites(tmp_path: pathlib.Path) -> None:
    # two moved names in one import become one changed line; a module attribute is a site
    make_tree(
        tmp_path,
        {
            "rules.yaml": (
                "version: 1\nmoves:\n  - old: pkg.events.Manager\n    new: pkg.monitor.Monitor\n"
                "  - old: pkg.events.Filter\n    new: pkg.monitor.Filter\n"
            ),
            "pkg/__init__.py": "",
            "pkg/monitor.py": "class Monitor:\n    pass\n\n\nclass Filter:\n    pass\n",
            "pkg/events.py": "from pkg.monitor import Monitor as Manager, Filter\n",
            "pkg/use.py": (
                "from pkg.events import Manager, Filter\n\n\ndef f():\n"
                "    return Manager(), Filter\n\n\nimport pkg.events\ny = pkg.events.Manager\n"
            ),
        },
    )
    rules = str(tmp_path / "rules.yaml")

    def text(*args: str) -> list[str]:
        out = CliRunner().invoke(group, ["--rules", rules, "plan", *args]).stdout
        return [line for line in out.splitlines() if "site(s)" in line]

    counted = ["  1 file(s), 2 site(s)", "    pkg/use.py:1: 2 site(s)"]
    counted += ["  1 file(s), 1 site(s)", "    pkg/use.py:1: 1 site(s)"]
    assert text() == counted
    assert text("--diff") == counted
    for args in ((), ("--diff",)):
        doc = _json(tmp_path, "plan", *args)
        assert doc["summary"]["sites"] == 3
        assert [f["sites"] for f in doc["files"]] == [3]


def test_a_refusal_writes_no_document(tmp_path: pathlib.Path) -> None:
    assert CliRunner().invoke(group, ["demo", str(tmp_path / "d")]).exit_code == 0
    root = tmp_path / "d"  # migrate demo made it a git repository with one commit
    assert (root / ".git").is_dir()
    stats = root / "examples/demo/shop/stats.py"
    stats.write_text(stats.read_text() + "# mine, not committed\n")
    result = CliRunner().invoke(
        group, ["--rules", str(root / "rules.yaml"), "apply", "--format", "json"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "uncommitted changes in 1 file(s)" in result.stderr
