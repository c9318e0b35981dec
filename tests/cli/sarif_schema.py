"""Validate a document against the vendored SARIF 2.1.0 JSON schema (draft-04).

``jsonschema`` does it when installed; otherwise a small validator of the keywords that
schema uses (type, enum, required, properties, additionalProperties, items, minItems,
uniqueItems, minimum, maximum, pattern, anyOf, oneOf, $ref), so the test never skips.
``format`` is not checked by either (jsonschema checks it only when asked).
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

SCHEMA = json.loads((pathlib.Path(__file__).with_name("sarif-schema-2.1.0.json")).read_text())

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def validate(document: object) -> None:
    try:
        import jsonschema
    except ImportError:
        problems = list(_errors(document, SCHEMA, "$"))
        assert not problems, "\n".join(problems[:20])
        return
    jsonschema.Draft4Validator(SCHEMA).validate(document)


def _is(value: object, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name]) and not (name != "boolean" and isinstance(value, bool))


def _errors(value: object, schema: dict[str, Any], where: str):  # type: ignore[no-untyped-def]
    if "$ref" in schema:
        name = schema["$ref"].rpartition("/")[2]
        yield from _errors(value, SCHEMA["definitions"][name], where)
        return
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            yield f"{where}: {value!r} is not of type {kinds}"
            return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where}: {value!r} is not one of {schema['enum']}"
    if "anyOf" in schema and all(any(_errors(value, s, where)) for s in schema["anyOf"]):
        yield f"{where}: matches none of anyOf"
    if "oneOf" in schema and sum(not any(_errors(value, s, where)) for s in schema["oneOf"]) != 1:
        yield f"{where}: does not match exactly one of oneOf"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                yield f"{where}: missing required {key!r}"
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                yield from _errors(item, props[key], f"{where}.{key}")
            elif extra is False:
                yield f"{where}: unexpected property {key!r}"
            elif isinstance(extra, dict):
                yield from _errors(item, extra, f"{where}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield f"{where}: fewer than {schema['minItems']} items"
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(
            value
        ):
            yield f"{where}: items are not unique"
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(value):
                yield from _errors(item, schema["items"], f"{where}[{i}]")
    if _is(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:  # type: ignore[operator]
            yield f"{where}: {value} < {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:  # type: ignore[operator]
            yield f"{where}: {value} > {schema['maximum']}"
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        yield f"{where}: {value!r} does not match {schema['pattern']!r}"
