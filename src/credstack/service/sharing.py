"""Share links of the first kind, and how a verifier follows any share link to its credential.

Links are now records (``service.share_links``). Before, a link was a token that named the
award and was authenticated with a key derived from the master key, so it could not be guessed
or altered and needed no table; such links keep working until their own expiry. A revoked or
expired credential shows as such through any link: a link only leads to the credential and
its live verification.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from credstack.service import clock
from credstack.store.models import (
    AwardRow,
    IssuerRow,
    ShareLinkAwardRow,
    ShareLinkRow,
)
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork

__all__ = ["MAX_SHARE_DAYS", "ShareLinks", "share_url"]

_CONTEXT = b"credstack share links v1"
_MAC_BYTES = 16
_EPOCH = date(1970, 1, 1)
MAX_SHARE_DAYS = 3650
"""Ten years: longer than an employer's look at a credential could need; a link meant to last
for ever is made without an expiry."""


def share_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/share/{token}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ShareLinks:
    """Makes and reads share tokens with a key that never leaves the server."""

    def __init__(self, master: MasterKey) -> None:
        self._key = hmac.new(master.key, _CONTEXT, hashlib.sha256).digest()

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]

    def token(self, award: AwardRow, *, expires_on: date | None = None) -> str:
        """A link of the first kind (only tests make them now: links are records)."""
        days = (expires_on - _EPOCH).days if expires_on is not None else 0
        body = uuid.UUID(award.public_id).bytes + days.to_bytes(4, "big")
        return f"{_b64(body)}.{_b64(self._mac(body))}"

    def award_for(
        self, uow: UnitOfWork, token: str, *, today: date | None = None
    ) -> AwardRow | None:
        """The award a genuine, unexpired token names; None for anything else. A link that is a
        record counts when it is live and shows exactly one credential (a bundle is not one
        credential to verify)."""
        head, sep, mac = token.partition(".")
        if not sep:
            return _recorded_link_award(uow, token, today)
        try:
            body, tag = _unb64(head), _unb64(mac)
        except (binascii.Error, ValueError):
            return None
        if len(body) != 20 or not hmac.compare_digest(tag, self._mac(body)):
            return None
        days = int.from_bytes(body[16:], "big")
        award = uow.awards.by_public_id(str(uuid.UUID(bytes=body[:16])))
        if award is None:
            return None
        if days and (today or clock.today(_issuer(uow, award))) > _EPOCH + timedelta(days=days):
            return None
        return award


def _issuer(uow: UnitOfWork, award: AwardRow) -> IssuerRow:
    """The award's issuer, whose calendar a link's expiry day is counted in."""
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    assert issuer is not None  # a foreign key guards this
    return issuer


def _recorded_link_award(uow: UnitOfWork, token: str, today: date | None) -> AwardRow | None:
    link = uow.session.scalars(
        select(ShareLinkRow).where(ShareLinkRow.token == token[:64])
    ).one_or_none()
    if link is None or link.revoked_at is not None:
        return None
    award_ids = list(
        uow.session.scalars(
            select(ShareLinkAwardRow.award_id).where(ShareLinkAwardRow.share_link_id == link.id)
        )
    )
    if len(award_ids) != 1:
        return None
    award = uow.session.get(AwardRow, award_ids[0])
    if award is None:
        return None
    day = today or clock.today(_issuer(uow, award))
    if link.expires_on is not None and day > link.expires_on:
        return None
    return award
