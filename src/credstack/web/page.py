"""What every page shares: rendering with the signed-in user, and errors as pages.

The application turns ``CredstackError`` into JSON for the API; a person following a link
should instead see a page that says what went wrong, so page routers use ``PageRoute``. The
errors raised before a route runs (an unknown URL, a wrong method, a bad query parameter, a
rate limit, a server fault) reach the application's handlers, which ask `is_page` whether the
URL is a page's and answer with `status_page` when it is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from credstack.errors import CredstackError
from credstack.http.headers import CONSENT_PATH
from credstack.http.runtime import runtime_of
from credstack.http.session import session_actor_of
from credstack.service.actor import Actor, ActorKind
from credstack.service.console import ConsoleIssuer, console_home
from credstack.web.auth import csrf_token, remember_csrf_cookie
from credstack.web.flash import forget_flash, read_flash
from credstack.web.verify_pages import templates

__all__ = ["MACHINE_PREFIXES", "PageRoute", "error_page", "is_page", "render", "status_page"]


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    actor = session_actor_of(request)
    full = {
        "actor": actor,
        "csrf": csrf_token(request),
        "nav_issuers": _nav_issuers(request, actor),
        "flash": read_flash(request),
        **context,
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    remember_csrf_cookie(request, response)
    forget_flash(request, response)
    return response


_TITLES = {
    400: "Not understood",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Not done this way",
    408: "Timed out",
    409: "Conflict",
    410: "No longer here",
    413: "Too large",
    422: "Not accepted",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Busy",
}
_SENTENCES = {
    400: "The request could not be understood.",
    401: "This page needs you to sign in.",
    403: "You are not allowed to do this.",
    404: "There is no page at this address; it may have moved, or the link may be mistyped.",
    405: "This page cannot be used that way; follow a link or a form instead.",
    408: "What was sent stopped arriving before it was complete; send it again.",
    410: "What this address showed is no longer here.",
    413: "What was sent is larger than this page accepts.",
    422: "Something in the address or the form was not accepted; check it and try again.",
    429: "Too many requests came from you in a short time; wait a minute and try again.",
    500: "The server failed to answer; the failure was logged. Try again later.",
    503: "The server is busy; try again in a moment.",
}
MACHINE_PREFIXES = (
    "/api/",
    "/ims/",
    "/oauth/",
    "/.well-known/",
    "/credentials/",
    "/status/",
    "/static/",
    "/healthz",
    "/openapi.json",
    "/docs",
    "/redoc",
)
"""Paths programs call: their errors keep their JSON shapes, whatever the method or status."""


def _nav_issuers(request: Request, actor: Actor | None) -> tuple[ConsoleIssuer, ...]:
    """Signed-in staff's issuers, for the navigation every page carries."""
    if actor is None or actor.kind is not ActorKind.STAFF:
        return ()
    return console_home(runtime_of(request), actor).issuers


def is_page(request: Request) -> bool:
    """Whether an error at this URL is shown to a person (HTML) or to a program (JSON).

    A page route says so itself; a route answering HTML (the public pages) too; under the
    machine prefixes, or on a route answering JSON, a program is calling. An address that
    matches nothing is a page unless it is under a machine prefix: people mistype links.
    """
    route = request.scope.get("route")
    if isinstance(route, PageRoute) or request.url.path == CONSENT_PATH:
        return True
    if request.url.path.startswith(MACHINE_PREFIXES):
        return False
    if isinstance(route, APIRoute):
        return route.response_class is HTMLResponse
    return True


def status_page(
    request: Request,
    status: int,
    message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The styled error page: a title, a sentence in words, a link home (never a traceback)."""
    context = {
        "title": _TITLES.get(status, "Something went wrong"),
        "message": message or _SENTENCES.get(status, _SENTENCES[500]),
        "status": status,
        "actor": None,
        "csrf": "",
    }
    response = templates.TemplateResponse(request, "error.html", context, status_code=status)
    response.headers.update(headers or {})
    return response


def error_page(request: Request, exc: CredstackError) -> HTMLResponse:
    return status_page(request, exc.http_status, exc.message.split("\n")[0])


class PageRoute(APIRoute):
    """A route whose domain errors are shown as an HTML page with the right status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except CredstackError as exc:
                return error_page(request, exc)

        return handle
