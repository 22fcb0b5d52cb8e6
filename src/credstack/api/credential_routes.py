"""Issued credentials at their stable URLs, in every form a holder passes on, and status lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse, Response

from credstack.api.verify_schemas import ShareLinkOut
from credstack.errors import NotFound
from credstack.http.deps import CallerDep, RuntimeDep, UowDep
from credstack.service.badges import baked_png, baked_svg, certificate
from credstack.service.issuance import award_context, credential_jwt
from credstack.service.people import require_role
from credstack.service.sharing import ShareLinks, share_url
from credstack.service.status import signed_status_list
from credstack.store.models import AwardRow
from credstack.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(tags=["credentials"])
_LD_JSON = "application/ld+json"


def _award(uow: UnitOfWork, public_id: str) -> AwardRow:
    award = uow.awards.by_public_id(public_id)
    if award is None or award.credential is None:
        raise NotFound(f"no issued credential {public_id!r}")
    return award


@router.get("/credentials/{public_id}", response_class=JSONResponse)
def credential(public_id: str, uow: UowDep) -> Response:
    """The signed OB 3.0 credential (JSON-LD, eddsa-rdfc-2022 proof)."""
    return JSONResponse(_award(uow, public_id).credential, media_type=_LD_JSON)


@router.get("/credentials/{public_id}/credential.jwt")
def credential_as_jwt(public_id: str, uow: UowDep, runtime: RuntimeDep) -> Response:
    token = credential_jwt(uow, runtime.keys(uow), _award(uow, public_id))
    return Response(token, media_type="application/vc+jwt")


@router.get("/credentials/{public_id}/badge.png")
def badge_png(public_id: str, uow: UowDep) -> Response:
    return Response(baked_png(uow, _award(uow, public_id)), media_type="image/png")


@router.get("/credentials/{public_id}/badge.svg")
def badge_svg(public_id: str, uow: UowDep) -> Response:
    return Response(baked_svg(uow, _award(uow, public_id)), media_type="image/svg+xml")


@router.get("/credentials/{public_id}/certificate.pdf")
def certificate_pdf(public_id: str, uow: UowDep, runtime: RuntimeDep) -> Response:
    pdf = certificate(
        uow,
        runtime.settings.base_url,
        _award(uow, public_id),
        cjk_font=runtime.settings.cjk_font,
    )
    return Response(pdf, media_type="application/pdf")


@router.post("/api/v1/credentials/{public_id}/share-links", status_code=201)
def create_share_link(
    public_id: str,
    uow: UowDep,
    runtime: RuntimeDep,
    caller: CallerDep,
    valid_days: Annotated[int | None, Body(embed=True)] = None,
) -> ShareLinkOut:
    """A share link for one credential; an admin of the issuer makes it for the learner."""
    award = _award(uow, public_id)
    issuer = award_context(uow, award).issuer
    principal = require_role(caller, issuer.key, "admin")
    token, expires = ShareLinks(runtime.master).create(
        uow, award, by_user_id=principal.user_id, valid_days=valid_days
    )
    uow.commit()
    return ShareLinkOut(
        url=share_url(runtime.settings.base_url, token),
        expires_on=expires.isoformat() if expires else None,
    )


@router.get("/status/{issuer}/{list_key}", tags=["status"])
def status_list(issuer: str, list_key: str, uow: UowDep, runtime: RuntimeDep) -> Response:
    """The issuer's signed BitstringStatusListCredential (revocation or suspension)."""
    signed, _row = signed_status_list(
        uow, runtime.keys(uow), runtime.settings.base_url, issuer, list_key
    )
    body: dict[str, Any] = signed
    return JSONResponse(body, media_type="application/vc+ld+json")
