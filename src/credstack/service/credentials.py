"""Issued credentials as use cases: read one in any form a holder passes on, share it, sign
the awards recorded without one, and serve an issuer's status lists.

The HTTP routes and `credstack credential ...` both call these, so a credential reads the same
wherever it is fetched. Reads open a read-only unit of work (fetching a credential never
writes); sharing and signing own their transaction and commit it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from credstack.errors import NotFound
from credstack.service.actor import Actor, ActorKind, authorise
from credstack.service.badges import baked_png, baked_svg, certificate
from credstack.service.issuance import award_context, credential_jwt, issue
from credstack.service.runtime import Runtime
from credstack.service.share_links import create_share_link
from credstack.service.status import signed_status_list
from credstack.store.models import AwardRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "CredentialFile",
    "CredentialForm",
    "SharedLink",
    "credential_file",
    "exported_credential",
    "holder_credential_file",
    "issued_credential",
    "issued_here",
    "share_credential",
    "sign_unsigned",
    "status_list_document",
]


class CredentialForm(StrEnum):
    """The forms a holder passes a credential on in."""

    JSON = "json"
    JWT = "jwt"
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"


_MEDIA_TYPES = {
    CredentialForm.JSON: "application/ld+json",
    CredentialForm.JWT: "application/vc+jwt",
    CredentialForm.PNG: "image/png",
    CredentialForm.SVG: "image/svg+xml",
    CredentialForm.PDF: "application/pdf",
}


@dataclass(frozen=True)
class CredentialFile:
    data: bytes
    media_type: str


@dataclass(frozen=True)
class SharedLink:
    url: str
    expires_on: date | None


def _issued(uow: UnitOfWork, public_id: str) -> AwardRow:
    """The award at a credential's stable URL: there only once it is signed."""
    award = uow.awards.by_public_id(public_id)
    if award is None or award.credential is None:
        raise NotFound(f"no issued credential {public_id!r}")
    return award


def _recorded(uow: UnitOfWork, public_id: str) -> AwardRow:
    """The award a local command names, signed or not (the command says which it needs)."""
    award = uow.awards.by_public_id(public_id)
    if award is None:
        raise NotFound(f"no credential {public_id!r}")
    return award


def _render(runtime: Runtime, uow: UnitOfWork, award: AwardRow, form: CredentialForm) -> bytes:
    if form is CredentialForm.JSON:
        return json.dumps(award.credential, indent=2).encode("utf-8")
    if form is CredentialForm.JWT:
        return credential_jwt(uow, runtime.keys(uow), award).encode("ascii")
    if form is CredentialForm.PNG:
        return baked_png(uow, award)
    if form is CredentialForm.SVG:
        return baked_svg(uow, award).encode("utf-8")
    settings = runtime.settings
    return certificate(uow, settings.base_url, award, cjk_font=settings.cjk_font)


def issued_credential(runtime: Runtime, public_id: str) -> bytes:
    """The signed OB 3.0 credential served at its stable URL: the JSON text the database keeps,
    as UTF-8, sent without decoding and encoding it again (the proof covers the document's
    canonical form, not its whitespace). Its status is not in it but in the status list, so a
    revocation shows at once whatever a client kept of this document."""
    with runtime.uow(write=False) as uow:
        text = uow.awards.signed_text(public_id)
    if text is None:
        raise NotFound(f"no issued credential {public_id!r}")
    return text.encode("utf-8")


def issued_here(runtime: Runtime, public_id: str) -> bool:
    """Whether this server issued (signed) the credential with this id."""
    with runtime.uow(write=False) as uow:
        award = uow.awards.by_public_id(public_id)
        return award is not None and award.credential is not None


def credential_file(runtime: Runtime, public_id: str, form: CredentialForm) -> CredentialFile:
    """The issued credential in one of its forms, as served at its stable URLs."""
    with runtime.uow(write=False) as uow:
        data = _render(runtime, uow, _issued(uow, public_id), form)
    return CredentialFile(data, _MEDIA_TYPES[form])


def holder_credential_file(
    runtime: Runtime, actor: Actor, public_id: str, form: CredentialForm
) -> CredentialFile:
    """The credential as its holder downloads it from their wallet: a signed-in learner gets
    their own credentials only, and another's is reported like one that does not exist."""
    with runtime.uow(write=False) as uow:
        award = uow.awards.by_public_id(public_id)
        mine = (
            actor.kind is ActorKind.LEARNER
            and award is not None
            and award.learner_id == actor.learner_id
        )
        if award is None or award.credential is None or not mine:
            raise NotFound(f"no issued credential {public_id!r} of yours")
        data = _render(runtime, uow, award, form)
    return CredentialFile(data, _MEDIA_TYPES[form])


def exported_credential(runtime: Runtime, public_id: str, form: CredentialForm) -> CredentialFile:
    """The credential as a file the operator writes out; an unsigned award says how to sign it
    when shown as JSON (`credential show`), and that it is unsigned in any other form."""
    with runtime.uow(write=False) as uow:
        award = _recorded(uow, public_id)
        if award.credential is None:
            hint = ": run `credstack credential issue`" if form is CredentialForm.JSON else ""
            raise NotFound(f"credential {public_id} has not been issued{hint}")
        data = _render(runtime, uow, award, form)
    return CredentialFile(data, _MEDIA_TYPES[form])


def share_credential(
    runtime: Runtime, actor: Actor, public_id: str, *, valid_days: int | None = None
) -> SharedLink:
    """A share link for one issued credential; an admin of its issuer makes it for the learner
    (a record like the learner's own links: listed in their wallet, revocable there)."""
    link = create_share_link(runtime, actor, [public_id], valid_days=valid_days)
    return SharedLink(link.url, link.expires_on)


def sign_unsigned(runtime: Runtime, actor: Actor, public_id: str | None = None) -> list[str]:
    """Sign awards recorded without a credential (e.g. before keys were passed): the one named,
    or every unsigned one. Only the operator signs in bulk across issuers."""
    with runtime.uow() as uow:
        if public_id is not None:
            awards = [_recorded(uow, public_id)]
        else:
            awards = [
                a
                for learner in uow.learners.all()
                for a in uow.awards.for_learner(learner.id)
                if a.credential is None
            ]
        keys = runtime.keys(uow)
        for award in awards:
            authorise(actor, award_context(uow, award).issuer.key, "admin", what="sign awards")
            issue(uow, keys, runtime.settings.base_url, award)
        uow.commit()
        return [a.public_id for a in awards]


def status_list_document(runtime: Runtime, issuer: str, list_key: str) -> dict[str, Any]:
    """The issuer's signed BitstringStatusListCredential (revocation or suspension)."""
    with runtime.uow(write=False) as uow:
        signed, _row = signed_status_list(
            uow,
            runtime.keys(uow),
            runtime.caches.status_lists,
            runtime.settings.base_url,
            issuer,
            list_key,
        )
        return signed
