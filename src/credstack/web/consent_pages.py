"""The OAuth 2.0 consent page: a signed-in learner approves or denies a client's request.

A learner who is not signed in is sent to `/signin` (sign-in by e-mail link) and comes back
here. The form carries the authorization request's parameters and a CSRF token; authlib checks
the request again when the learner decides, so an edited form gains nothing.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from credstack.errors import Unauthenticated
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.headers import CONSENT_PATH, consent_csp
from credstack.http.oauth import FormPairs, call_of, sent
from credstack.service.oauth.flows import ConsentRequest, consent_decision, consent_request
from credstack.web.auth import require_csrf
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _to_sign_in(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(here, safe='')}", status_code=303)


@router.get(CONSENT_PATH, response_model=None)
def consent_page(request: Request, runtime: RuntimeDep, actor: ActorDep) -> Response:
    try:
        asked = consent_request(runtime, actor, call_of(request, runtime))
    except Unauthenticated:
        return _to_sign_in(request)
    if not isinstance(asked, ConsentRequest):
        return sent(asked)
    context = {"title": f"Allow {asked.client_name}?", "consent": asked}
    response = render(request, "consent.html", context)
    response.headers["Content-Security-Policy"] = consent_csp(asked.redirect_origin)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(CONSENT_PATH, response_model=None)
def decide(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    fields: FormPairs,
    decision: Annotated[str, Form(max_length=10)] = "deny",
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    require_csrf(request, csrf)
    call = call_of(request, runtime)
    params = tuple((k, v) for k, v in fields if k not in ("csrf", "decision"))
    call = type(call)(call.method, call.url, call.headers, call.params + params)
    try:
        answer = consent_decision(runtime, actor, call, approve=decision == "approve")
    except Unauthenticated:
        return _to_sign_in(request)
    return sent(answer)
