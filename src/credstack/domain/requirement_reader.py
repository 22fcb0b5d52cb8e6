"""Typed, problem-collecting access to one mapping of a requirement tree (see ``parsing``).

Each accessor records a ``Problem`` at the offending key instead of raising, so one pass over a
catalog reports every mistake; amounts are read exactly (``quantities``) within their bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from credstack.domain.durations import Duration
from credstack.domain.grades import grade_rank, parse_window
from credstack.domain.problems import Path as ProblemPath
from credstack.domain.problems import Problem
from credstack.domain.quantities import AmountError, parse_amount, show

__all__ = ["MAX_AMOUNT", "Reader", "describe"]

#: The largest amount any requirement may state (hours, credits, scores): a bound from meaning
#: that keeps every amount within what the store and JSON carry exactly.
MAX_AMOUNT = 100_000


class Reader:
    """Typed accessors over one mapping that record problems instead of raising."""

    def __init__(self, data: Mapping[str, Any], path: ProblemPath, problems: list[Problem]):
        self.data = data
        self.path = path
        self.problems = problems

    def at(self, key: str) -> ProblemPath:
        return (*self.path, key)

    def fail(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.path if key is None else self.at(key), message))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, f"'{key}' is required here.")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
            self.fail(key, f"'{key}' must be a non-empty text, not {describe(value)}.")
            return None
        return str(value)

    def number(
        self, key: str, *, required: bool = False, maximum: int = MAX_AMOUNT
    ) -> Decimal | None:
        """An exact amount: hours, credits and scores are whole or in hundredths, and no
        programme asks for more than ``maximum`` of anything."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, f"'{key}' is required here.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.fail(key, f"'{key}' must be a number, not {describe(value)}.")
            return None
        try:
            return parse_amount(value, places=2, maximum=maximum, what=f"'{key}'")
        except AmountError as exc:
            self.fail(key, f"{exc}.")
            return None

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, not {describe(value)}.")
            return default
        return value

    def grade(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and grade_rank(value) is None:
            self.fail(key, f"'{value}' is not a letter grade (A+ to F, or P).")
            return None
        return value.strip().upper() if value is not None else None

    def window(self, key: str) -> Duration | None:
        value = self.text(key)
        if value is None:
            return None
        window = parse_window(value)
        if window is None:
            self.fail(key, f"'{value}' is not a duration; write it like P6Y, P18M or P90D.")
        return window

    def ids(self, key: str) -> frozenset[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return frozenset([value])
        if not isinstance(value, list) or not value:
            self.fail(key, f"'{key}' must be a list of ids, not {describe(value)}.")
            return None
        good: set[str] = set()
        for i, item in enumerate(value):
            if isinstance(item, str) and item:
                good.add(item)
            else:
                self.problems.append(
                    Problem((*self.at(key), i), f"Each id must be text, not {describe(item)}.")
                )
        return frozenset(good)


def describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, Decimal):
        return f"the number {show(value)}"
    if isinstance(value, int | float):
        return f"the number {value:g}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
