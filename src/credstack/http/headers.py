"""Security headers on every response: pages, API answers, errors and static files.

Pages use no inline script or style (a test checks the templates), so the policy can forbid
both. The OpenAPI explorer at /docs and /redoc is FastAPI's: it loads its script from a CDN
and starts it inline, so only those two pages get a policy that allows exactly that.

The OAuth consent page is the one page whose form ends at another site: approving redirects
to the client's registered redirect URI, which browsers check against `form-action`. That
page sets `consent_csp(origin)` itself, naming that one origin, and it is kept.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONSENT_PATH", "CSP", "DOCS_CSP", "SecurityHeaders", "consent_csp"]

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


_POLICY = CSP.encode("latin-1")
_DOCS_POLICY = DOCS_CSP.encode("latin-1")
_CSP_NAME = b"content-security-policy"
_FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
_SET = frozenset({_CSP_NAME, *(name for name, _ in _FIXED)})


class SecurityHeaders:
    """The headers, added as the response starts.

    Plain ASGI rather than an ``@app.middleware("http")`` function: that form runs every
    request through Starlette's `BaseHTTPMiddleware`, which re-wraps the request and streams
    the response through a task and a memory channel, and on a credential fetch it cost about
    as much CPU as the route itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        policy = _DOCS_POLICY if path in _DOCS else _POLICY
        consent = path == CONSENT_PATH

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent = message.get("headers", [])
                own = consent and any(name.lower() == _CSP_NAME for name, _ in sent)
                kept = [
                    (name, value)
                    for name, value in sent
                    if name.lower() not in _SET or (own and name.lower() == _CSP_NAME)
                ]
                if not own:
                    kept.append((_CSP_NAME, policy))
                kept.extend(_FIXED)
                message["headers"] = kept
            await send(message)

        await self.app(scope, receive, send_with_headers)
