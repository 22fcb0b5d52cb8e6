"""Validation against the official Open Badges 3.0 JSON Schema (bundled, never fetched).

The AchievementCredential schema also defines ``EndorsementCredential`` in its ``$defs``,
so one bundled file checks both kinds of document we emit.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError, best_match

from credstack.vc.checks import Check

__all__ = ["profile_errors", "schema_check", "schema_errors"]

_SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
_MAX_REPORTED = 3
_MAX_MESSAGE = 160


@cache
def _schema() -> dict[str, Any]:
    text = files("credstack.vc").joinpath("schemas", _SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(definition: str | None) -> Draft201909Validator:
    schema = _schema()
    if definition is not None:
        # Validate against one $defs entry while keeping the root for its "#/$defs/..." refs.
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
        for key in ("properties", "required", "type"):
            schema.pop(key, None)
    return Draft201909Validator(schema)


def _definition_for(document: Mapping[str, Any]) -> str | None:
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    if "EndorsementCredential" in names:
        return "EndorsementCredential"
    return None


def schema_errors(document: Mapping[str, Any], *, strict: bool = False) -> list[str]:
    """Every schema violation as ``<path>: <reason>``; empty when the document conforms.

    This copy of the schema is the JSON-LD flavour, which wants arrays wherever JSON-LD
    allows a set; in JSON-LD a single value and a one-element set mean the same, so unless
    ``strict`` is set a lone value is read as a one-element array, as the 1EdTech validator
    does. Documents credstack emits are checked with ``strict=True``.
    """
    validator = _validator(_definition_for(document))
    instance: Any = copy.deepcopy(dict(document))
    errors = list(validator.iter_errors(instance))
    while not strict and _wrap_lone_values(instance, errors):
        errors = list(validator.iter_errors(instance))
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [_describe(e) for e in errors]


def profile_errors(document: Mapping[str, Any]) -> list[str]:
    """Violations of the schema's `Profile` (the OB 3.0 / CLR 2.0 putProfile body), read as
    `schema_errors` reads a credential: a lone value counts as a one-element set."""
    validator = _validator("Profile")
    instance: Any = copy.deepcopy(dict(document))
    errors = list(validator.iter_errors(instance))
    while _wrap_lone_values(instance, errors):
        errors = list(validator.iter_errors(instance))
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [_describe(e) for e in errors]


def _wrap_lone_values(instance: Any, errors: list[ValidationError]) -> bool:
    wrapped = False
    for error in errors:
        path = list(error.absolute_path)
        wants_array = error.validator == "type" and error.validator_value == "array"
        if not wants_array or not path or isinstance(error.instance, list):
            continue
        parent = instance
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = [parent[path[-1]]]
        wrapped = True
    return wrapped


def _describe(error: ValidationError) -> str:
    """Report the innermost reason, not "not valid under any of the given schemas"."""
    chosen = error
    while chosen.context:
        depth = max(len(e.absolute_path) for e in chosen.context)
        chosen = best_match(e for e in chosen.context if len(e.absolute_path) == depth)
    message = chosen.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return f"{_path(list(chosen.absolute_path))}: {message}"


def schema_check(document: Mapping[str, Any]) -> Check:
    errors = schema_errors(document)
    if not errors:
        return Check("schema", True, "The credential matches the Open Badges 3.0 JSON Schema.")
    shown = "; ".join(errors[:_MAX_REPORTED])
    more = f" (and {len(errors) - _MAX_REPORTED} more)" if len(errors) > _MAX_REPORTED else ""
    return Check(
        "schema",
        False,
        f"The credential does not match the Open Badges 3.0 JSON Schema: {shown}{more}.",
    )


def _path(parts: list[str | int]) -> str:
    if not parts:
        return "the document"
    return "/".join(str(p) for p in parts)
