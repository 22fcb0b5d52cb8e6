"""What every page shares: rendering with the signed-in user, and errors as pages.

The application turns ``CredstackError`` into JSON for the API; a person following a link
should instead see a page that says what went wrong, so page routers use ``PageRoute``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from credstack.errors import CredstackError
from credstack.http.runtime import runtime_of
from credstack.http.session import session_actor_of
from credstack.service.actor import Actor, ActorKind
from credstack.service.console import ConsoleIssuer, console_home
from credstack.web.auth import csrf_token, remember_csrf_cookie
from credstack.web.flash import forget_flash, read_flash
from credstack.web.verify_pages import templates

__all__ = ["PageRoute", "error_page", "render"]


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


def _nav_issuers(request: Request, actor: Actor | None) -> tuple[ConsoleIssuer, ...]:
    """Signed-in staff's issuers, for the navigation every page carries."""
    if actor is None or actor.kind is not ActorKind.STAFF:
        return ()
    return console_home(runtime_of(request), actor).issuers


_TITLES = {403: "Not allowed", 404: "Not found", 409: "Conflict", 422: "Not accepted"}


def error_page(request: Request, exc: CredstackError) -> HTMLResponse:
    status = exc.http_status
    context = {
        "title": _TITLES.get(status, "Something went wrong"),
        "message": exc.message.split("\n")[0],
        "status": status,
        "actor": None,
        "csrf": "",
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


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
