"""Share links: an unguessable URL a learner hands to an employer for one credential.

A link is a token that names the award and is authenticated with a key derived from the
master key, so it cannot be guessed or altered and needs no table: the server recognises its
own links. It may carry an expiry date; a revoked or expired credential shows as such through
any link, because the link only leads to the credential and its live verification. Creating a
link is recorded as an award event, so the issuer can see that a credential was shared.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from datetime import date, timedelta

from credstack.errors import InvalidInput
from credstack.service import clock
from credstack.store.models import AwardEventRow, AwardRow, IssuerRow
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
        days = (expires_on - _EPOCH).days if expires_on is not None else 0
        body = uuid.UUID(award.public_id).bytes + days.to_bytes(4, "big")
        return f"{_b64(body)}.{_b64(self._mac(body))}"

    def create(
        self,
        uow: UnitOfWork,
        award: AwardRow,
        *,
        by_user_id: int | None = None,
        valid_days: int | None = None,
        today: date | None = None,
    ) -> tuple[str, date | None]:
        """A new link token (and its expiry); only issued credentials can be shared."""
        if award.credential is None:
            raise InvalidInput(f"credential {award.public_id} has not been issued yet")
        if valid_days is not None and not 1 <= valid_days <= MAX_SHARE_DAYS:
            raise InvalidInput(
                f"a share link is valid for 1 to {MAX_SHARE_DAYS} days (ten years), "
                f"not {valid_days}; leave the days out for a link that does not expire"
            )
        start = today or clock.today(_issuer(uow, award))
        expires_on = start + timedelta(days=valid_days) if valid_days is not None else None
        uow.awards.add(
            AwardEventRow(
                award_id=award.id,
                kind="shared",
                reason=f"share link until {expires_on}" if expires_on else "share link",
                by_user_id=by_user_id,
            )
        )
        return self.token(award, expires_on=expires_on), expires_on

    def award_for(
        self, uow: UnitOfWork, token: str, *, today: date | None = None
    ) -> AwardRow | None:
        """The award a genuine, unexpired token names; None for anything else."""
        head, sep, mac = token.partition(".")
        if not sep:
            return None
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
