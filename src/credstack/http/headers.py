"""Security headers on every response: pages, API answers, errors and static files.

Pages use no inline script or style (a test checks the templates), so the policy can forbid
both. The OpenAPI explorer at /docs and /redoc is FastAPI's: it loads its script from a CDN
and starts it inline, so only those two pages get a policy that allows exactly that.

The OAuth consent page is the one page whose form ends at another site: approving redirects
to the client's registered redirect URI, which browsers check against `form-action`. That
page sets `consent_csp(origin)` itself, naming that one origin, and it is kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

__all__ = ["CONSENT_PATH", "CSP", "DOCS_CSP", "consent_csp", "security_headers"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_DOCS = ("/docs", "/redoc", "/docs/oauth2-redirect")
"""FastAPI's pages, each started by an inline script; the last is where Swagger UI's OAuth 2.0
"Authorize" comes back with the code (`api.docs`)."""
CONSENT_PATH = "/oauth/authorize"


def consent_csp(origin: str) -> str:
    """The page policy, with the client's redirect origin allowed as a form's destination."""
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    headers = response.headers
    own = request.url.path == CONSENT_PATH and "Content-Security-Policy" in headers
    if not own:
        headers["Content-Security-Policy"] = DOCS_CSP if request.url.path in _DOCS else CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    return response
