"""The learner record (wallet) for staff: every award, its files, and progress in the making.

Staff see what the API's ``GET /learners/{learner}/awards`` shows them: awards from the
issuers where they hold a role, and progress on those issuers' achievements. Progress is the
engine's own outcome rendered through ``service.explain.outcome_json``, so the page says what
``credstack progress`` and the progress API say.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from credstack.domain.records import AwardStatus
from credstack.domain.requirements import Holds
from credstack.http.deps import RuntimeDep, UowDep
from credstack.service import clock, engine
from credstack.service.achievements import achievement_of
from credstack.service.award_records import valid_until
from credstack.service.explain import outcome_json
from credstack.service.learner_record import learner_clr
from credstack.service.learners import profile
from credstack.service.visibility import learner_issuer_ids, visible_learner
from credstack.store.models import AwardRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork
from credstack.web.auth import current_principal
from credstack.web.page import PageRoute, render

__all__ = ["award_state", "router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def award_state(award: AwardRow, today: date) -> str:
    """One word for the wallet: revoked wins over expired, expired over flagged."""
    if award.status != AwardStatus.ACTIVE:
        return award.status
    if award.valid_until is not None and award.valid_until < today:
        return AwardStatus.EXPIRED
    if award.review_flag:
        return "flagged"
    return AwardStatus.ACTIVE


def _awards(
    uow: UnitOfWork, learner: LearnerRow, issuers: dict[int, IssuerRow], now: datetime
) -> list[dict[str, Any]]:
    out = []
    for award in uow.awards.for_learner(learner.id):
        issuer = issuers.get(award.issuer_id)
        version = uow.achievements.version_by_id(award.achievement_version_id)
        if issuer is None or version is None:
            continue
        base = f"/credentials/{award.public_id}"
        achievement = achievement_of(version)
        out.append(
            {
                "id": award.public_id,
                "name": version.name,
                "type": version.type,
                "issuer": issuer,
                "achievement": achievement.key,
                "designation": achievement.designation,
                "awarded_on": award.awarded_on,
                "valid_until": valid_until(award, issuer),
                "state": award_state(award, clock.today(issuer, now)),
                "reason": award.status_reason or award.review_flag,
                "origin": award.origin,
                "signed": award.credential is not None,
                "links": {
                    "JSON": base,
                    "Badge PNG": f"{base}/badge.png",
                    "PDF": f"{base}/certificate.pdf",
                    "Verify": f"/verify?credential={award.public_id}",
                },
            }
        )
    out.sort(key=lambda a: (a["awarded_on"], a["name"]), reverse=True)
    return out


def _in_progress(
    uow: UnitOfWork, learner: LearnerRow, issuer: IssuerRow, held: set[str], today: date
) -> list[dict[str, Any]]:
    """Achievements the learner has started on (something counts) but does not yet hold."""
    found = []
    compiled = engine.compile_catalog(uow, issuer)
    for key in sorted(compiled.requirements):
        if key in held:
            continue
        outcome = engine.progress(
            uow, learner=learner, issuer=issuer, achievement_key=key, as_of=today
        )
        steps = outcome.leaf_progress()
        if outcome.met or steps.done == 0:
            continue
        step = outcome.suggested_next()
        next_step = None
        if step is not None:
            wanted = step.requirement
            held_key = wanted.achievement if isinstance(wanted, Holds) else None
            version = compiled.versions.get(held_key) if held_key else None
            next_step = f"earn {version.name}" if version else outcome_json(step)["name"]
        found.append(
            {
                "issuer": issuer,
                "key": key,
                "name": compiled.versions[key].name,
                "outcome": outcome_json(outcome),
                "steps": str(steps),
                "percent": round(100 * steps.done / steps.needed) if steps.needed else 0,
                "next": next_step,
                "why_not": list(dict.fromkeys(outcome.why_not())),
                "shared": [note for node in outcome.walk() for note in node.notes],
            }
        )
    return found


def _open_record(
    request: Request, uow: UnitOfWork, ref: str, suffix: str = ""
) -> tuple[LearnerRow, dict[int, IssuerRow]] | RedirectResponse:
    """The learner and the issuers whose part of the record the staff member may see.

    Signed out: to the login page. A learner they may not see: 404, as for no such learner
    (``service.visibility``). Named by the registrar's key: redirected to the opaque URL,
    so the address bar and the history hold no learner's key.
    """
    principal = current_principal(request, uow)
    if principal is None:
        return RedirectResponse(f"/login?next=/learners/{quote(ref)}{suffix}", status_code=303)
    learner = visible_learner(uow, principal, ref)
    if ref != learner.public_id:
        return RedirectResponse(f"/learners/{learner.public_id}{suffix}", status_code=303)
    staff = {issuer for issuer, _role, _scope in principal.roles}
    shared = learner_issuer_ids(uow, learner)
    issuers = {i.id: i for i in uow.issuers.all() if i.key in staff and i.id in shared}
    return learner, issuers


@router.get("/learners/{learner}/clr", response_model=None)
def learner_clr_export(
    request: Request, learner: str, uow: UowDep, runtime: RuntimeDep
) -> Response:
    """The learner record as a signed CLR 2.0 ``ClrCredential`` (see ``service.learner_record``)."""
    opened = _open_record(request, uow, learner, "/clr")
    if isinstance(opened, Response):
        return opened
    who, issuers = opened
    now = clock.now()
    held = [
        a
        for a in uow.awards.for_learner(who.id)
        if a.issuer_id in issuers
        and award_state(a, clock.today(issuers[a.issuer_id], now)) in ("active", "flagged")
    ]
    document = learner_clr(
        runtime.keys(uow),
        runtime.settings.base_url,
        learner=who,
        awards=held,
        issuers=issuers,
        name=profile(uow, who).name,
        now=now,
    )
    uow.commit()
    return JSONResponse(
        document,
        media_type="application/ld+json",
        headers={"content-disposition": f'attachment; filename="{who.public_id}-clr.json"'},
    )


@router.get("/learners/{learner}", response_class=HTMLResponse, response_model=None)
def learner_page(request: Request, learner: str, uow: UowDep) -> Response:
    opened = _open_record(request, uow, learner)
    if isinstance(opened, Response):
        return opened
    who, issuers = opened
    person = profile(uow, who)
    now = clock.now()
    awards = _awards(uow, who, issuers, now)
    progress: list[dict[str, Any]] = []
    for issuer in sorted(issuers.values(), key=lambda i: i.name):
        held = {a["achievement"] for a in awards if a["issuer"].id == issuer.id}
        progress.extend(_in_progress(uow, who, issuer, held, clock.today(issuer, now)))
    uow.commit()
    context = {
        "title": f"{person.name}: learner record",
        "learner": who,
        "person": person,
        "awards": awards,
        "progress": progress,
        "today": now.date(),
        "wide": True,
        "issuer_names": sorted(i.name for i in issuers.values()),
    }
    return render(request, "learner.html", context)
