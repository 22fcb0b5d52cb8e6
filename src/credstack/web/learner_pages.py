"""The learner record for staff: every award, its files, and progress in the making (a
signed-in learner is sent to their own wallet; the CLR download serves them their own).

Staff see what the API's ``GET /learners/{learner}/awards`` shows them: awards from the
issuers where they hold a role, and progress on those issuers' achievements (the read model
and the rule are ``service.learner_record``'s). Progress is the engine's own outcome rendered
through ``service.explain.outcome_json``, so the page says what ``credstack progress`` and the
progress API say.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service.actor import Actor, ActorKind
from credstack.service.learner_record import (
    RecordMoved,
    learner_record_clr,
    learner_record_page,
)
from credstack.web.page import PageRoute, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _sign_in(actor: Actor, learner: str, suffix: str = "") -> RedirectResponse | None:
    """Signed out: to the sign-in page (a learner may see their own record), back here after."""
    if actor.kind is not ActorKind.ANONYMOUS:
        return None
    return RedirectResponse(f"/signin?next=/learners/{quote(learner)}{suffix}", status_code=303)


def _moved(moved: RecordMoved, suffix: str = "") -> RedirectResponse:
    return RedirectResponse(f"/learners/{moved.public_id}{suffix}", status_code=303)


@router.get("/learners/{learner}/clr", response_model=None)
def learner_clr_export(learner: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """The learner record as a signed CLR 2.0 ``ClrCredential`` (see ``service.learner_record``)."""
    signed_out = _sign_in(actor, learner, "/clr")
    if signed_out is not None:
        return signed_out
    found = learner_record_clr(runtime, actor, learner=learner)
    if isinstance(found, RecordMoved):
        return _moved(found, "/clr")
    return JSONResponse(
        found.document,
        media_type="application/ld+json",
        headers={"content-disposition": f'attachment; filename="{found.public_id}-clr.json"'},
    )


@router.get("/learners/{learner}", response_class=HTMLResponse, response_model=None)
def learner_page(request: Request, learner: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    signed_out = _sign_in(actor, learner)
    if signed_out is not None:
        return signed_out
    if actor.kind is ActorKind.LEARNER:  # a learner's own record is their wallet
        return RedirectResponse("/wallet", status_code=303)
    record = learner_record_page(runtime, actor, learner=learner)
    if isinstance(record, RecordMoved):
        return _moved(record)
    context = {"title": f"{record.name}: learner record", "record": record, "wide": True}
    return render(request, "learner.html", context)
