"""SARIF 2.1.0 for GitHub code scanning (``migrate check --format sarif``).

One run, one rule per finding code; locations are relative to the repository top-level
(``%SRCROOT%``), as code scanning expects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from importshift import __version__
from importshift.report.findings import CODES, Finding, file_of

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def document(found: Sequence[Finding], path_prefix: str) -> dict[str, object]:
    codes = sorted(CODES)
    rules = [
        {
            "id": code,
            "name": CODES[code][0],
            "shortDescription": {"text": CODES[code][1]},
            "defaultConfiguration": {"level": "error"},
        }
        for code in codes
    ]
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": codes.index(f.code),
            "level": "error",
            "message": {"text": f.message()},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": _uri(path_prefix + file_of(f.path)),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    }
                }
            ],
        }
        for f in found
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "importshift",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def _uri(path: str) -> str:
    """A relative URI reference: the path with reserved characters percent-encoded."""
    from urllib.parse import quote

    return quote(path, safe="/")


def render(found: Sequence[Finding], path_prefix: str) -> str:
    return json.dumps(document(found, path_prefix), indent=2)
