"""Small readers for plain catalog data that record problems instead of raising.

A catalog author fixing a file wants every mistake at once, each pointing at its key, so the
readers return None on bad input and append a (path, message) pair rather than stopping.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from decimal import Decimal

__all__ = [
    "PathT",
    "Problems",
    "read_bool",
    "read_date_text",
    "read_duration",
    "read_int",
    "read_mapping",
    "read_number",
    "read_text",
    "read_token",
]

PathT = tuple[str | int, ...]
Problems = list[tuple[PathT, str]]

_TOKEN = re.compile(r"^\S+$")
_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$"
)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def read_mapping(
    raw: object,
    path: PathT,
    problems: Problems,
    *,
    required: Collection[str],
    optional: Collection[str],
    what: str,
) -> Mapping[str, object] | None:
    """Check the shape of a mapping; unknown keys are problems because they are usually typos."""
    if not isinstance(raw, Mapping):
        problems.append((path, f"{what} must be a mapping of keys to values, not {_kind(raw)}"))
        return None
    allowed = set(required) | set(optional)
    ok = True
    for key in raw:
        if not isinstance(key, str):
            problems.append((path, f"{what} has a key {key!r} that is not text"))
            ok = False
        elif key not in allowed:
            expected = ", ".join(sorted(allowed))
            problems.append(((*path, key), f"unknown key '{key}' in {what}; expected {expected}"))
            ok = False
    for key in required:
        if key not in raw:
            problems.append((path, f"{what} is missing '{key}'"))
            ok = False
    return raw if ok else None


def read_text(raw: object, path: PathT, problems: Problems, what: str) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        problems.append((path, f"{what} must be non-empty text, not {_kind(raw)}"))
        return None
    return raw.strip()


def read_token(raw: object, path: PathT, problems: Problems, what: str) -> str | None:
    """An identifier: text without spaces, so it can appear in URLs and references."""
    text = read_text(raw, path, problems, what)
    if text is None:
        return None
    if not _TOKEN.match(text):
        problems.append((path, f"{what} must not contain spaces: '{text}'"))
        return None
    return text


def read_number(
    raw: object,
    path: PathT,
    problems: Problems,
    what: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float | None:
    # bool is an int in Python; `weight: yes` in YAML is a mistake, not 1.
    # A YAML catalog gives decimals as Decimal (read from their text); the float of a short
    # decimal gives the same decimal back, which is what cut-score comparisons use.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        problems.append((path, f"{what} must be a number, not {_kind(raw)}"))
        return None
    value = float(raw)
    if not math.isfinite(value):
        problems.append((path, f"{what} must be a number, not {_kind(raw)}"))
        return None
    if minimum is not None:
        too_small = value <= minimum if exclusive_minimum else value < minimum
        if too_small:
            relation = "greater than" if exclusive_minimum else "at least"
            problems.append((path, f"{what} must be {relation} {minimum:g}, not {value:g}"))
            return None
    if maximum is not None and value > maximum:
        problems.append((path, f"{what} must be at most {maximum:g}, not {value:g}"))
        return None
    return value


def read_int(
    raw: object, path: PathT, problems: Problems, what: str, *, minimum: int | None = None
) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int):
        problems.append((path, f"{what} must be a whole number, not {_kind(raw)}"))
        return None
    if minimum is not None and raw < minimum:
        problems.append((path, f"{what} must be at least {minimum}, not {raw}"))
        return None
    return raw


def read_bool(raw: object, path: PathT, problems: Problems, what: str) -> bool | None:
    if not isinstance(raw, bool):
        problems.append((path, f"{what} must be true or false, not {_kind(raw)}"))
        return None
    return raw


def read_date_text(raw: object, path: PathT, problems: Problems, what: str) -> str | None:
    """YAML turns 2026-03-15 into a date but leaves 2026-03 as text; accept both as text."""
    if isinstance(raw, date):
        return raw.isoformat()
    return read_text(raw, path, problems, what)


def read_duration(raw: object, path: PathT, problems: Problems, what: str) -> timedelta | None:
    """An ISO 8601 duration in weeks, days, hours and minutes.

    Years and months are refused: "P1M" after 31 January has no single answer, and a retake
    rule must give every candidate the same wait.
    """
    hint = "an ISO 8601 duration such as P14D (14 days), P2W or PT24H"
    if not isinstance(raw, str):
        problems.append((path, f"{what} must be {hint}, not {_kind(raw)}"))
        return None
    text = raw.strip().upper()
    match = _DURATION.match(text)
    if match is None or text in {"P", "PT"} or text.endswith("T"):
        if re.match(r"^P.*[YM]", text) and "T" not in text.split("M")[0]:
            problems.append(
                (path, f"{what} '{raw}' uses years or months, whose length varies; use {hint}")
            )
        else:
            problems.append((path, f"{what} '{raw}' is not {hint}"))
        return None
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    return timedelta(**parts)
