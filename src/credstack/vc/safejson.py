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

# A string (escapes included): the brackets inside one do not nest anything.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# What is left between brackets once the strings are gone.
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
# A \uD800-\uDFFF escape: the only way a lone surrogate gets into parsed JSON, since text
# decoded from UTF-8 cannot hold one. Seen rarely, so only then is the parsed value walked.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


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
        value = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float)
    except RecursionError as exc:  # pragma: no cover - _check_depth stops this first
        raise InputRefused("The JSON is nested too deeply.") from exc
    if _SURROGATE_ESCAPE.search(text) and not _is_unicode(value):
        # A lone surrogate cannot be written as UTF-8, so hashing or signing it would crash.
        raise InputRefused(
            "The JSON has a string with a lone surrogate escape (\\uD800-\\uDFFF without its "
            "pair); that is not Unicode text."
        )
    return value


def _is_unicode(value: Any) -> bool:
    """True when every string in the value (keys too) can be written as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_is_unicode(key) and _is_unicode(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_is_unicode(item) for item in value)
    return True


def _check_depth(text: str) -> None:
    """Refuse nesting past MAX_JSON_DEPTH. The strings, then everything but brackets, are
    dropped by the regex engine, so Python looks only at the brackets (a credential has a
    few dozen), not at each string (it has hundreds): about 0.1 ms a credential was the
    token-by-token scan (issue 14), which stays the oracle in test_hostile_bounds."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= MAX_JSON_DEPTH:
        return  # never deeper than its number of opening brackets
    depth = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputRefused(
                    f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep; "
                    "a credential needs about ten."
                )
        else:
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
