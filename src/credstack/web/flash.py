"""A one-time confirmation after a form's redirect ("Result recorded: passed"), in a cookie.

A POST that worked answers 303 to the page showing its result (so a reload does not post
again); the sentence to show travels in a short-lived cookie signed with a key derived from
the master key, so no other site and no link can put words on our pages. The next page
rendered shows it once and clears it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request, Response

from credstack.http.runtime import runtime_of

__all__ = ["FLASH_COOKIE", "flash", "forget_flash", "read_flash"]

FLASH_COOKIE = "credstack_flash"
_CONTEXT = b"credstack page flash v1"
_MAX_CHARS = 1000


def _mac(request: Request, text: bytes) -> str:
    key = hmac.new(runtime_of(request).master.key, _CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def flash(request: Request, response: Response, message: str) -> None:
    """Show `message` on the next page this browser renders."""
    text = message[:_MAX_CHARS].encode()
    value = base64.urlsafe_b64encode(text).decode() + "." + _mac(request, text)
    secure = runtime_of(request).settings.secure_cookies
    response.set_cookie(
        FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", secure=secure, path="/"
    )


def read_flash(request: Request) -> str | None:
    """The message waiting for this page, if its signature holds."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value or len(value) > 4 * _MAX_CHARS or "." not in value:
        return None
    encoded, mac = value.rsplit(".", 1)
    try:
        text = base64.urlsafe_b64decode(encoded.encode())
    except ValueError:
        return None
    if not hmac.compare_digest(_mac(request, text), mac):
        return None
    return text.decode(errors="replace")


def forget_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        secure = runtime_of(request).settings.secure_cookies
        response.delete_cookie(FLASH_COOKIE, httponly=True, samesite="lax", secure=secure, path="/")
