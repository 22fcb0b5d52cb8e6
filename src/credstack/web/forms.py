"""The one shape of a page form's POST: its CSRF token checked, one use case called, then a
redirect to the page showing the result, or the form shown again with why it was refused.

A refusal worth showing beside the form (invalid input, a conflict, something not found) is
shown there with what was typed, so a person can correct it; anything else (a role that may
not, a forged token) is left to `PageRoute`, which answers it with an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response

from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.web.auth import require_csrf

__all__ = ["FIXABLE", "answer_form"]

T = TypeVar("T")

FIXABLE = (InvalidInput, Conflict, NotFound)
"""What a form may fail with and still be shown again, filled in, with the reason."""


def answer_form(
    request: Request,
    csrf: str | None,
    act: Callable[[], T],
    then: Callable[[T], Response],
    again: Callable[[str], Response] | None = None,
) -> Response:
    """`then(act())` once the CSRF token holds; `again(message)` if `act` is refused with a
    `FIXABLE` error and there is a form to show again (without `again`, every refusal is
    `PageRoute`'s)."""
    require_csrf(request, csrf)
    if again is None:
        return then(act())
    try:
        done = act()
    except FIXABLE as exc:
        return again(exc.message)
    return then(done)
