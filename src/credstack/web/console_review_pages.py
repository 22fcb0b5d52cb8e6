"""The console's review queue and flagged awards: pages for an issuer's signed-in staff.

Each page reads one use case (`service.review_queue`, `service.flagged_awards`) and each form
posts to one (`earning.reviewing.take_review_step`, `award_decisions.decide_flagged`), so the
roles, the wording of a refusal and what is recorded are the CLI's and the API's. A visitor
who is not signed in is sent to sign in and back; a role that may not is shown a 403 page by
`PageRoute`. A form that worked redirects back to its page (a reload does not post it again).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.paging import MAX_PAGE, PageNumber
from credstack.limits import MAX_DECISION_REASON_CHARS, MAX_REVIEW_COMMENT_CHARS
from credstack.service.actor import Actor, ActorKind
from credstack.service.award_decisions import decide_flagged
from credstack.service.earning.reviewing import take_review_step
from credstack.service.flagged_awards import flagged_awards
from credstack.service.review_queue import review_queue
from credstack.web.forms import answer_form
from credstack.web.page import PageRoute, render

__all__ = ["console_path", "router", "signed_out"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_DONE = {
    "submit": "submitted for review",
    "approve": "approved",
    "send-back": "sent back to its author",
    "publish": "published",
    "retire": "retired",
    "comment": "commented on",
    "keep": "kept",
    "revoke": "revoked",
}
"""What a form did, in words, keyed by what `?done=` may say (anything else says nothing)."""
_STATUS_WORDS = {
    "in-review": "Waiting for review",
    "approved": "Approved, waiting to be published",
    "draft": "Drafts",
    "published": "Published",
    "retired": "Retired",
}


def console_path(issuer: str, page: str) -> str:
    return f"/console/issuers/{quote(issuer, safe='')}/{page}"


def signed_out(actor: Actor, path: str) -> RedirectResponse | None:
    """A visitor not signed in goes to the sign-in page, and comes back here after."""
    if actor.kind is not ActorKind.ANONYMOUS:
        return None
    return RedirectResponse(f"/signin?next={quote(path)}", status_code=303)


def _back(path: str, done: str, what: str, page: int = 1) -> RedirectResponse:
    """Back to the page the step was taken on, saying what was done."""
    query = {"done": done, "what": what} | ({"page": str(page)} if page > 1 else {})
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


def _notice(done: str | None, what: str | None) -> str | None:
    words = _DONE.get(done or "")
    return f"{what} {words}." if words and what else None


Done = Annotated[str | None, Query(max_length=20)]
What = Annotated[str | None, Query(max_length=400)]


@router.get("/console/issuers/{issuer}/review", response_class=HTMLResponse, response_model=None)
def review_page(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    done: Done = None,
    what: What = None,
    page: int = PageNumber,
) -> Response:
    path = console_path(issuer, "review")
    away = signed_out(actor, path)
    if away is not None:
        return away
    queue = review_queue(runtime, actor, issuer=issuer, page=page)
    context = {
        "title": f"{queue.issuer_name}: review queue",
        "queue": queue,
        "status_words": _STATUS_WORDS,
        "notice": _notice(done, what),
        "path": path,
        "wide": True,
    }
    return render(request, "console_review.html", context)


@router.post("/console/issuers/{issuer}/review", response_model=None)
def review_step(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    achievement: Annotated[str, Form(max_length=120)],
    version: Annotated[int, Form(ge=1, le=1_000_000)],
    action: Annotated[str, Form(max_length=20)],
    comment: Annotated[str, Form(max_length=MAX_REVIEW_COMMENT_CHARS)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    page: Annotated[int, Form(ge=1, le=MAX_PAGE)] = 1,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    path = console_path(issuer, "review")
    away = signed_out(actor, path)
    if away is not None:
        return away
    return answer_form(
        request,
        csrf,
        lambda: take_review_step(
            runtime,
            actor,
            issuer=issuer,
            achievement=achievement,
            action=action,
            comment=comment,
            version=version,
        ),
        then=lambda step: _back(
            path, step.action, f"{name or achievement} version {step.version}", page
        ),
    )


@router.get("/console/issuers/{issuer}/flagged", response_class=HTMLResponse, response_model=None)
def flagged_page(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    done: Done = None,
    what: What = None,
) -> Response:
    path = console_path(issuer, "flagged")
    away = signed_out(actor, path)
    if away is not None:
        return away
    flagged = flagged_awards(runtime, actor, issuer=issuer)
    context = {
        "title": f"{flagged.issuer_name}: flagged awards",
        "flagged": flagged,
        "notice": _notice(done, what),
        "path": path,
        "reason_max": MAX_DECISION_REASON_CHARS,
        "wide": True,
    }
    return render(request, "console_flagged.html", context)


@router.post("/console/issuers/{issuer}/flagged", response_model=None)
def flagged_decision(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    award: Annotated[str, Form(max_length=64)],
    decision: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=MAX_DECISION_REASON_CHARS)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    path = console_path(issuer, "flagged")
    away = signed_out(actor, path)
    if away is not None:
        return away
    return answer_form(
        request,
        csrf,
        lambda: decide_flagged(runtime, actor, award, decision=decision, reason=reason),
        then=lambda decided: _back(path, decided.decision, name or "The award"),
    )
