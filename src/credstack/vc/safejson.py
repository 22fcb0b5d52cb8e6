"""JSON from strangers: size, nesting depth and number length checked before anything else.

``json.loads`` alone lets a 1,000-deep array reach our recursive walkers (RecursionError)
and a 4,301-digit number raise a bare ValueError; both surfaced as 500s. Here depth is
measured by one linear scan that stops at the first bracket past the bound, and numbers are
checked by length before Python converts them, so refusal is cheap and always explained.
"""

from __future__ import annotations

import json
import re
from typing import Any

from credstack.limits import MAX_CREDENTIAL_BYTES, MAX_JSON_DEPTH, MAX_NUMBER_DIGITS

__all__ = ["InputRefused", "loads"]

# A string (escapes included) or a bracket; strings are skipped whole by the regex engine.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class InputRefused(ValueError):
    """Input past one of the bounds in ``credstack.limits``; ``too_large`` means size."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a verification worker process and re-raised in the server's.
        return (_refused, (self.message, self.too_large))


def _refused(message: str, too_large: bool) -> InputRefused:
    return InputRefused(message, too_large=too_large)


def loads(text: str, *, max_bytes: int = MAX_CREDENTIAL_BYTES) -> Any:
    """Parse JSON within the bounds; raise InputRefused past them, JSONDecodeError if malformed."""
    if len(text) > max_bytes:
        raise InputRefused(
            f"The JSON is {len(text)} characters long; at most {max_bytes} are accepted.",
            too_large=True,
        )
    _check_depth(text)
    try:
        return json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float)
    except RecursionError as exc:  # pragma: no cover - _check_depth stops this first
        raise InputRefused("The JSON is nested too deeply.") from exc


def _check_depth(text: str) -> None:
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputRefused(
                    f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep; "
                    "a credential needs about ten."
                )
        elif token in ("]", "}"):
            depth -= 1


def _too_long(digits: str) -> InputRefused:
    return InputRefused(
        f"The JSON has a number of {len(digits)} characters; at most {MAX_NUMBER_DIGITS} "
        "are accepted."
    )


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_DIGITS:
        raise _too_long(digits)
    return int(digits)


def _bounded_float(digits: str) -> float:
    if len(digits) > MAX_NUMBER_DIGITS:
        raise _too_long(digits)
    return float(digits)
