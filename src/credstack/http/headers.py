"""Security headers on every response: pages, API answers, errors and static files.

Pages use no inline script or style (a test checks the templates), so the policy can forbid
both. The OpenAPI explorer at /docs and /redoc is FastAPI's: it loads its script from a CDN
and starts it inline, so only those two pages get a policy that allows exactly that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

__all__ = ["CSP", "DOCS_CSP", "security_headers"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_DOCS = ("/docs", "/redoc")


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    headers = response.headers
    headers["Content-Security-Policy"] = DOCS_CSP if request.url.path in _DOCS else CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    return response
