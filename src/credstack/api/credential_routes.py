"""Issued credentials at their stable URLs, in every form a holder passes on, and status lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse, Response

from credstack.api.verify_schemas import ShareLinkOut
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service.credentials import (
    CredentialForm,
    credential_file,
    issued_credential,
    share_credential,
    status_list_document,
)

__all__ = ["router"]

router = APIRouter(tags=["credentials"])


def _file(runtime: RuntimeDep, public_id: str, form: CredentialForm) -> Response:
    found = credential_file(runtime, public_id, form)
    return Response(found.data, media_type=found.media_type)


@router.get("/credentials/{public_id}", response_class=JSONResponse)
def credential(public_id: str, runtime: RuntimeDep) -> Response:
    """The signed OB 3.0 credential (JSON-LD, eddsa-rdfc-2022 proof)."""
    return Response(issued_credential(runtime, public_id), media_type="application/ld+json")


@router.get("/credentials/{public_id}/credential.jwt")
def credential_as_jwt(public_id: str, runtime: RuntimeDep) -> Response:
    return _file(runtime, public_id, CredentialForm.JWT)


@router.get("/credentials/{public_id}/badge.png")
def badge_png(public_id: str, runtime: RuntimeDep) -> Response:
    return _file(runtime, public_id, CredentialForm.PNG)


@router.get("/credentials/{public_id}/badge.svg")
def badge_svg(public_id: str, runtime: RuntimeDep) -> Response:
    return _file(runtime, public_id, CredentialForm.SVG)


@router.get("/credentials/{public_id}/certificate.pdf")
def certificate_pdf(public_id: str, runtime: RuntimeDep) -> Response:
    return _file(runtime, public_id, CredentialForm.PDF)


@router.post("/api/v1/credentials/{public_id}/share-links", status_code=201)
def create_share_link(
    public_id: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    valid_days: Annotated[int | None, Body(embed=True)] = None,
) -> ShareLinkOut:
    """A share link for one credential; an admin of the issuer makes it for the learner."""
    link = share_credential(runtime, actor, public_id, valid_days=valid_days)
    return ShareLinkOut(
        url=link.url, expires_on=link.expires_on.isoformat() if link.expires_on else None
    )


@router.get("/status/{issuer}/{list_key}", tags=["status"])
def status_list(issuer: str, list_key: str, runtime: RuntimeDep) -> Response:
    """The issuer's signed BitstringStatusListCredential (revocation or suspension)."""
    document = status_list_document(runtime, issuer, list_key)
    return JSONResponse(document, media_type="application/vc+ld+json")
