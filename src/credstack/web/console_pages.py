"""The staff console: a signed-in member of staff's issuers, an issuer's learners, and the
forms that act for a learner.

Each GET reads one read model of ``service.console``; each form POSTs, with its CSRF token, to
the same use case the API and the CLI call, which checks the role again (a refusal is a 403
page, and nothing is written). A POST that worked answers 303 to the page showing the result,
with a one-time confirmation (``web.flash``); one the use case refuses as invalid shows the
form again with the message and what was typed. Signed out, the console sends people to
``/signin`` and back; a signed-in learner has no console and is sent to their wallet.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.errors import InvalidInput
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.paging import PageNumber
from credstack.service import clock
from credstack.service.actor import Actor, ActorKind
from credstack.service.award_decisions import (
    Reinstated,
    Revoked,
    Suspended,
    reinstate,
    revoke,
    suspend,
)
from credstack.service.console import (
    ConsoleLearner,
    console_home,
    console_learner,
    issuer_dashboard,
    issuer_learners,
)
from credstack.service.earning import AttemptConditions, Recorded, TotalScore, recording
from credstack.service.learner_awards import AwardRequest, record_award
from credstack.service.learner_awards import Recorded as AwardRecorded
from credstack.service.registration import register_learner
from credstack.web.flash import flash
from credstack.web.forms import answer_form
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# Only a bound against absurd posts: each use case checks its own, with its own message.
_FIELD = 10_000
_CSRF = 200
Field = Annotated[str, Form(max_length=_FIELD)]
Csrf = Annotated[str | None, Form(max_length=_CSRF)]


def _away(request: Request, actor: Actor) -> RedirectResponse | None:
    """Signed out: to sign-in and back here. A learner: to their own wallet."""
    if actor.kind is ActorKind.ANONYMOUS:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(here, safe='')}", status_code=303)
    if actor.kind is ActorKind.LEARNER:
        return RedirectResponse("/wallet", status_code=303)
    return None


def _issuer_path(issuer: str) -> str:
    return f"/console/issuers/{quote(issuer)}"


def _learner_path(issuer: str, learner: str) -> str:
    return f"{_issuer_path(issuer)}/learners/{quote(learner)}"


def _done(request: Request, target: str, message: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    flash(request, response, message)
    return response


@router.get("/console", response_class=HTMLResponse, response_model=None)
def console(
    request: Request, runtime: RuntimeDep, actor: ActorDep, page: int = PageNumber
) -> Response:
    away = _away(request, actor)
    if away is not None:
        return away
    home = console_home(runtime, actor, page=page)
    return render(request, "console.html", {"title": "Console", "home": home})


@router.get("/console/issuers/{issuer}", response_class=HTMLResponse, response_model=None)
def dashboard(request: Request, issuer: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    away = _away(request, actor)
    if away is not None:
        return away
    found = issuer_dashboard(runtime, actor, issuer=issuer)
    context = {"title": f"Console: {found.issuer.name}", "d": found}
    return render(request, "console_issuer.html", context)


def _learners_page(
    request: Request,
    runtime: RuntimeDep,
    actor: Actor,
    issuer: str,
    *,
    q: str = "",
    page: int = 1,
    problem: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = issuer_learners(runtime, actor, issuer=issuer, query=q, page=page)
    context: dict[str, Any] = {
        "title": f"Learners of {found.issuer.name}",
        "wide": True,
        "found": found,
        "pager": found.pager,
        "pager_label": "Pages of learners",
        "pager_query": f"q={quote(found.query, safe='')}&" if found.query else "",
        "problem": problem,
        "typed": typed or {},
    }
    return render(request, "console_learners.html", context, status_code=status_code)


@router.get("/console/issuers/{issuer}/learners", response_class=HTMLResponse, response_model=None)
def learners(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    q: str = "",
    page: int = PageNumber,
) -> Response:
    away = _away(request, actor)
    if away is not None:
        return away
    return _learners_page(request, runtime, actor, issuer, q=q, page=page)


@router.post("/console/issuers/{issuer}/learners", response_model=None)
def add_learner(
    request: Request,
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Csrf = None,
    key: Field = "",
    name: Field = "",
    email: Field = "",
) -> Response:
    typed = {"key": key, "name": name, "email": email}
    return answer_form(
        request,
        csrf,
        lambda: register_learner(runtime, actor, key=key.strip(), name=name, email=email or None),
        then=lambda added: _done(
            request,
            _learner_path(issuer, added.public_id),
            f"Added {added.name} (learner id {added.key}).",
        ),
        again=lambda problem: _learners_page(
            request, runtime, actor, issuer, problem=problem, typed=typed, status_code=422
        ),
    )


def _learner_page(
    request: Request,
    runtime: RuntimeDep,
    actor: Actor,
    issuer: str,
    learner: str,
    *,
    form: str | None = None,
    problem: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = console_learner(runtime, actor, issuer=issuer, learner=learner)
    return _show_learner(
        request, found, form=form, problem=problem, typed=typed, status_code=status_code
    )


def _learner_form_again(
    request: Request,
    runtime: RuntimeDep,
    actor: Actor,
    issuer: str,
    learner: str,
    form: str,
    **typed: str,
) -> Callable[[str], Response]:
    """The learner's page with `form` open again, showing the problem and what was typed."""

    def again(problem: str) -> Response:
        return _learner_page(
            request,
            runtime,
            actor,
            issuer,
            learner,
            form=form,
            problem=problem,
            typed=typed,
            status_code=422,
        )

    return again


def _show_learner(
    request: Request,
    found: ConsoleLearner,
    *,
    form: str | None = None,
    problem: str | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    who = found.name or f"Learner {found.key}"
    context: dict[str, Any] = {
        "title": f"{who} at {found.issuer.name}",
        "wide": True,
        "l": found,
        "form": form,
        "problem": problem,
        "typed": typed or {},
    }
    return render(request, "console_learner.html", context, status_code=status_code)


@router.get(
    "/console/issuers/{issuer}/learners/{learner}",
    response_class=HTMLResponse,
    response_model=None,
)
def learner_page(
    request: Request,
    issuer: str,
    learner: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    q: str = "",
) -> Response:
    """`q` narrows the achievements the award and attestation forms offer (a GET, so the
    search works without JavaScript)."""
    away = _away(request, actor)
    if away is not None:
        return away
    found = console_learner(runtime, actor, issuer=issuer, learner=learner, find=q[:1000])
    if found.public_id != learner:  # a registrar's key: to the opaque address, out of history
        return RedirectResponse(_learner_path(issuer, found.public_id), status_code=303)
    return _show_learner(request, found)


def _score(text: str) -> float:
    try:
        value = float(text.strip()) if len(text) <= 30 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidInput(f"the score {text[:30]!r} is not a number")
    return value


def _day(text: str, what: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise InvalidInput(f"{what} {text[:30]!r} is not a date (YYYY-MM-DD)") from None


def _awarded(count: int) -> str:
    if not count:
        return ""
    return f" {count} new award{'s' if count > 1 else ''}: see Credentials below."


@router.post("/console/issuers/{issuer}/learners/{learner}/results", response_model=None)
def post_result(
    request: Request,
    issuer: str,
    learner: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Csrf = None,
    assessment: Field = "",
    score: Field = "",
) -> Response:
    return answer_form(
        request,
        csrf,
        lambda: recording.record_result(
            runtime,
            actor,
            issuer=issuer,
            learner=learner,
            assessment=assessment,
            result=TotalScore(_score(score)),
            conditions=AttemptConditions(sat_at=clock.now()),
        ),
        then=lambda recorded: _done(
            request, _learner_path(issuer, learner), _result_words(recorded)
        ),
        again=_learner_form_again(
            request, runtime, actor, issuer, learner, "result", assessment=assessment, score=score
        ),
    )


def _result_words(recorded: Recorded) -> str:
    """ "Result recorded: passed with 85%. 1 new award: see Credentials below." """
    outcome = {True: ": passed", False: ": not passed", None: ""}[recorded.passed]
    percent = f" with {recorded.percent:g}%" if outcome and recorded.percent is not None else ""
    return f"Result recorded{outcome}{percent}.{_awarded(len(recorded.awarded))}"


@router.post("/console/issuers/{issuer}/learners/{learner}/attestations", response_model=None)
def post_attestation(
    request: Request,
    issuer: str,
    learner: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Csrf = None,
    program: Field = "",
    achievement: Field = "",
    statement: Field = "",
) -> Response:
    return answer_form(
        request,
        csrf,
        lambda: recording.attest(
            runtime,
            actor,
            issuer=issuer,
            learner=learner,
            program=program.strip(),
            achievement=achievement,
            statement=statement,
        ),
        then=lambda recorded: _done(
            request,
            _learner_path(issuer, learner),
            f"Attestation recorded.{_awarded(len(recorded.awarded))}",
        ),
        again=_learner_form_again(
            request,
            runtime,
            actor,
            issuer,
            learner,
            "attestation",
            program=program,
            achievement=achievement,
            statement=statement,
        ),
    )


@router.post("/console/issuers/{issuer}/learners/{learner}/courses", response_model=None)
def post_course(
    request: Request,
    issuer: str,
    learner: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Csrf = None,
    provider: Field = "",
    course: Field = "",
    hours: Field = "",
    completed_on: Field = "",
) -> Response:
    return answer_form(
        request,
        csrf,
        lambda: recording.record_course_completion(
            runtime,
            actor,
            issuer=issuer,
            learner=learner,
            provider=provider.strip(),
            course=course.strip(),
            hours=hours.strip(),
            completed_on=_day(completed_on, "the completion date"),
        ),
        then=lambda recorded: _done(
            request,
            _learner_path(issuer, learner),
            f"Course completion recorded.{_awarded(len(recorded.awarded))}",
        ),
        again=_learner_form_again(
            request,
            runtime,
            actor,
            issuer,
            learner,
            "course",
            provider=provider,
            course=course,
            hours=hours,
            completed_on=completed_on,
        ),
    )


@router.post("/console/issuers/{issuer}/learners/{learner}/awards", response_model=None)
def post_award(
    request: Request,
    issuer: str,
    learner: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Csrf = None,
    achievement: Field = "",
) -> Response:
    def awarded(done: AwardRecorded) -> Response:
        name = done.award.name if done.award is not None else "the achievement"
        more = f" It completed {len(done.cascade)} more." if done.cascade else ""
        return _done(request, _learner_path(issuer, learner), f"Awarded {name}.{more}")

    return answer_form(
        request,
        csrf,
        lambda: record_award(
            runtime, actor, AwardRequest(issuer=issuer, learner=learner, achievement=achievement)
        ),
        then=awarded,
        again=_learner_form_again(
            request, runtime, actor, issuer, learner, "award", achievement=achievement
        ),
    )


def _others(count: int, what: str) -> str:
    plural = "s" if count > 1 else ""
    return f" {count} award{plural} built on it {what}." if count else ""


def _revoked(done: Revoked) -> str:
    return f"Award revoked.{_others(len(done.flagged), 'now await a decision')}"


def _suspended(done: Suspended) -> str:
    flagged = _others(len(done.flagged), "now await a decision")
    return f"Award suspended until it is reinstated.{flagged}"


def _reinstated(done: Reinstated) -> str:
    return f"Award reinstated.{_others(len(done.cleared), 'no longer flagged')}"


_CHANGES: dict[str, tuple[Callable[..., Any], Callable[[Any], str]]] = {
    "revoke": (revoke, _revoked),
    "suspend": (suspend, _suspended),
    "reinstate": (reinstate, _reinstated),
}
"""An admin's changes of an award's status from the learner's page, each with its reason:
the use case, and the confirmation made of its result."""


@router.post(
    "/console/issuers/{issuer}/learners/{learner}/awards/{award}/{change}", response_model=None
)
def post_award_change(
    request: Request,
    issuer: str,
    learner: str,
    award: str,
    change: Literal["revoke", "suspend", "reinstate"],
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Csrf = None,
    reason: Field = "",
) -> Response:
    act, said = _CHANGES[change]
    return answer_form(
        request,
        csrf,
        lambda: act(runtime, actor, award, reason=reason),
        then=lambda done: _done(request, _learner_path(issuer, learner), said(done)),
        again=_learner_form_again(
            request, runtime, actor, issuer, learner, f"{change}-{award}", reason=reason
        ),
    )
