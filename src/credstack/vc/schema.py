"""Validation against the official Open Badges 3.0 JSON Schema (bundled, never fetched).

The AchievementCredential schema also defines ``EndorsementCredential`` in its ``$defs``,
so one bundled file checks both kinds of document we emit.

Two validators of the same schema: ``jsonschema_rs`` (compiled, about 25x cheaper) decides
whether a document conforms, which is the answer for nearly every document verified, and
``jsonschema`` words the errors of one that does not, as it always has. A document that
``jsonschema_rs`` cannot take (a number past 64 bits, NaN) goes to ``jsonschema`` whole.
``tests/unit/vc/test_schema_validators.py`` keeps ``jsonschema`` as the oracle.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema_rs
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


@cache
def _compiled(definition: str | None) -> jsonschema_rs.Draft201909Validator:
    """`_validator`'s schema, compiled; formats are annotations only, as `jsonschema` treats
    them without a format checker."""
    return jsonschema_rs.Draft201909Validator(_validator(definition).schema, validate_formats=False)


def _conforms(definition: str | None, document: Mapping[str, Any], strict: bool) -> bool:
    """True when the document conforms, read as `schema_errors` reads it (a lone value
    counts as a one-element set unless ``strict``); False when it does not, or when
    `jsonschema_rs` cannot say, which sends it to `jsonschema`.

    The lone values are wrapped in copies of the containers on their path, never in the
    caller's document, so no copy of the whole document is made.
    """
    instance: Any = document
    try:
        validator = _compiled(definition)
        while True:
            errors = list(validator.iter_errors(instance))
            if not errors:
                return True
            if strict:
                return False
            wrapped = False
            for error in errors:
                path = list(error.instance_path)
                kind = error.kind
                wants_array = isinstance(kind, jsonschema_rs.ValidationErrorKind.Type) and list(
                    kind.types
                ) == ["array"]
                if not wants_array or not path or isinstance(error.instance, list):
                    continue
                instance = _wrapped(instance, path)
                wrapped = True
            if not wrapped:
                return False
    except Exception:  # whatever the fast path cannot take, jsonschema reads
        return False


def _wrapped(container: Any, path: list[str | int]) -> Any:
    """A copy of ``container`` with the value at ``path`` made a one-element list; only the
    containers on the path are copied."""
    head, rest = path[0], path[1:]
    copied: Any = list(container) if isinstance(container, list) else dict(container)
    copied[head] = _wrapped(container[head], rest) if rest else [container[head]]
    return copied


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
    definition = _definition_for(document)
    if _conforms(definition, document, strict):
        return []
    validator = _validator(definition)
    instance: Any = copy.deepcopy(dict(document))
    errors = list(validator.iter_errors(instance))
    while not strict and _wrap_lone_values(instance, errors):
        errors = list(validator.iter_errors(instance))
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [_describe(e) for e in errors]


def profile_errors(document: Mapping[str, Any]) -> list[str]:
    """Violations of the schema's `Profile` (the OB 3.0 / CLR 2.0 putProfile body), read as
    `schema_errors` reads a credential: a lone value counts as a one-element set."""
    if _conforms("Profile", document, strict=False):
        return []
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
