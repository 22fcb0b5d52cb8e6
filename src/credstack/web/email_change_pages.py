"""Confirming a new e-mail address (``service.email_change``): the link mailed to the new
address. Opening it (GET) shows a button and changes nothing, since mail scanners fetch links;
pressing it (POST, with the CSRF token) makes the new address the learner's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from credstack.errors import CredstackError
from credstack.http.deps import RuntimeDep
from credstack.service.email_change import confirm_email_change, inspect_email_change
from credstack.web.auth import require_csrf
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_MAX_TOKEN = 100
_TITLE = "Confirm your new e-mail address"


def _problem(request: Request, exc: CredstackError) -> HTMLResponse:
    status = exc.http_status if exc.http_status in (400, 403, 404, 409, 410, 422) else 400
    context = {"title": "This address was not changed", "message": exc.message}
    return render(request, "email_change_problem.html", context, status_code=status)


@router.get("/email-change/{token}", response_class=HTMLResponse)
def open_change(request: Request, runtime: RuntimeDep, token: str) -> HTMLResponse:
    """Only shows the button: a GET (a mail scanner's, too) changes nothing."""
    try:
        view = inspect_email_change(runtime, token[: _MAX_TOKEN + 1])
    except CredstackError as exc:
        return _problem(request, exc)
    context = {"title": _TITLE, "token": token, "address": view.new_address}
    return render(request, "email_change.html", context)


@router.post("/email-change/{token}", response_class=HTMLResponse)
def use_change(
    request: Request,
    runtime: RuntimeDep,
    token: str,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> HTMLResponse:
    require_csrf(request, csrf)
    try:
        done = confirm_email_change(runtime, token[: _MAX_TOKEN + 1])
    except CredstackError as exc:
        return _problem(request, exc)
    context = {"title": "Your e-mail address is changed", "address": done.new_address}
    return render(request, "email_change_done.html", context)
