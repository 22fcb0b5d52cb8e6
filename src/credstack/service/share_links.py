"""Share links as records: a learner's link to one credential or a bundle, listed with how often
it was opened, and revocable one by one.

A link is a row with a random token (``store.models.sharing``). It shows the credentials
through their live verification, so a revoked or expired credential shows as such; the link
itself ends on its expiry day (counted in the calendar of the first credential's issuer) or
when revoked, and then answers "gone" rather than "unknown". Opening a link counts a view as
skippable bookkeeping (`Runtime.note`): a busy database loses a count, never a page.

Links made before links were records are HMAC tokens (``service.sharing``); they keep working
until their own expiry, are not listed, and cannot be revoked (there is nothing to revoke).
Every link made now, by a learner, an issuer's admin or the operator, is a record.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.limits import MAX_SHARE_CREDENTIALS
from credstack.service import clock
from credstack.service.actor import Actor, ActorKind, authorise
from credstack.service.runtime import Runtime
from credstack.service.sharing import MAX_SHARE_DAYS, share_url
from credstack.store.models import (
    AwardEventRow,
    AwardRow,
    IssuerRow,
    LearnerRow,
    ShareLinkAwardRow,
    ShareLinkRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "LinkState",
    "ShareLinkView",
    "create_share_link",
    "is_link_token",
    "link_awards",
    "link_state",
    "links_of",
    "new_share_link",
    "record_view",
    "revoke_share_link",
]

LinkState = str
""""live", "expired" or "revoked"."""


@dataclass(frozen=True)
class ShareLinkView:
    id: str
    url: str
    credentials: tuple[str, ...]
    """The names of the credentials it shows, in order."""
    created_at: datetime
    expires_on: date | None
    state: LinkState
    views: int
    last_viewed_at: datetime | None


def is_link_token(token: str) -> bool:
    """A record's token (random, URL-safe, no dot) rather than an older HMAC token."""
    return 20 <= len(token) <= 64 and "." not in token


def _issuer(uow: UnitOfWork, award: AwardRow) -> IssuerRow:
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    assert issuer is not None  # a foreign key guards this
    return issuer


def link_awards(uow: UnitOfWork, link: ShareLinkRow) -> list[AwardRow]:
    """The credentials the link shows, in the learner's order."""
    query = (
        select(AwardRow)
        .join(ShareLinkAwardRow, ShareLinkAwardRow.award_id == AwardRow.id)
        .where(ShareLinkAwardRow.share_link_id == link.id)
        .order_by(ShareLinkAwardRow.position)
    )
    return list(uow.session.scalars(query))


def link_state(uow: UnitOfWork, link: ShareLinkRow, awards: Sequence[AwardRow]) -> LinkState:
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_on is not None and awards:
        return "expired" if clock.today(_issuer(uow, awards[0])) > link.expires_on else "live"
    return "live"


def new_share_link(
    uow: UnitOfWork,
    awards: Sequence[AwardRow],
    *,
    valid_days: int | None,
    by_user_id: int | None = None,
) -> ShareLinkRow:
    """A link to `awards` (one learner's, issued, distinct), recorded as an award event on
    each so the issuer sees that the credential was shared."""
    if not awards:
        raise InvalidInput("choose at least one credential to share")
    if len(awards) > MAX_SHARE_CREDENTIALS:
        raise InvalidInput(
            f"a share link shows at most {MAX_SHARE_CREDENTIALS} credentials, not {len(awards)}; "
            "the signed learner record (CLR) carries them all"
        )
    if len({a.id for a in awards}) != len(awards):
        raise InvalidInput("a credential is named twice")
    if len({a.learner_id for a in awards}) != 1:
        raise InvalidInput("a share link shows one learner's credentials")
    for award in awards:
        if award.credential is None:
            raise InvalidInput(f"credential {award.public_id} has not been issued yet")
    if valid_days is not None and not 1 <= valid_days <= MAX_SHARE_DAYS:
        raise InvalidInput(
            f"a share link is valid for 1 to {MAX_SHARE_DAYS} days (ten years), "
            f"not {valid_days}; leave the days out for a link that does not expire"
        )
    start = clock.today(_issuer(uow, awards[0]))
    expires_on = start + timedelta(days=valid_days) if valid_days is not None else None
    link = ShareLinkRow(
        public_id=str(uuid.uuid4()),
        token=secrets.token_urlsafe(24),
        learner_id=awards[0].learner_id,
        created_by_user_id=by_user_id,
        created_at=clock.now(),
        expires_on=expires_on,
        views=0,
    )
    uow.session.add(link)
    uow.session.flush()
    for position, award in enumerate(awards):
        uow.session.add(
            ShareLinkAwardRow(share_link_id=link.id, award_id=award.id, position=position)
        )
        uow.awards.add(
            AwardEventRow(
                award_id=award.id,
                kind="shared",
                reason=f"share link until {expires_on}" if expires_on else "share link",
                by_user_id=by_user_id,
            )
        )
    uow.session.flush()
    return link


def _view(uow: UnitOfWork, base_url: str, link: ShareLinkRow) -> ShareLinkView:
    awards = link_awards(uow, link)
    names = []
    for award in awards:
        version = uow.achievements.version_by_id(award.achievement_version_id)
        names.append(version.name if version is not None else award.public_id)
    return ShareLinkView(
        id=link.public_id,
        url=share_url(base_url, link.token),
        credentials=tuple(names),
        created_at=link.created_at,
        expires_on=link.expires_on,
        state=link_state(uow, link, awards),
        views=link.views,
        last_viewed_at=link.last_viewed_at,
    )


def links_of(uow: UnitOfWork, base_url: str, learner: LearnerRow) -> list[ShareLinkView]:
    """Every link made for the learner, newest first, revoked and expired ones included."""
    query = (
        select(ShareLinkRow)
        .where(ShareLinkRow.learner_id == learner.id)
        .order_by(ShareLinkRow.created_at.desc(), ShareLinkRow.id.desc())
    )
    return [_view(uow, base_url, link) for link in uow.session.scalars(query)]


def _may_share(uow: UnitOfWork, actor: Actor, awards: Sequence[AwardRow], what: str) -> None:
    """A learner their own credentials (others' are reported as unknown); staff as admins of
    every credential's issuer; the operator anything."""
    if actor.kind is ActorKind.LEARNER:
        if any(a.learner_id != actor.learner_id for a in awards):
            raise NotFound("no such credential of yours")
        return
    for award in awards:
        authorise(actor, _issuer(uow, award).key, "admin", what=what)


def create_share_link(
    runtime: Runtime, actor: Actor, credentials: Sequence[str], *, valid_days: int | None
) -> ShareLinkView:
    """A link to one credential or a bundle, for the learner who holds them."""
    if len(credentials) > MAX_SHARE_CREDENTIALS:
        raise InvalidInput(
            f"a share link shows at most {MAX_SHARE_CREDENTIALS} credentials, "
            f"not {len(credentials)}"
        )
    with runtime.uow() as uow:
        awards = []
        for public_id in credentials:
            award = uow.awards.by_public_id(public_id)
            if award is None or (award.credential is None and not actor.is_operator):
                raise NotFound(f"no issued credential {public_id!r}")
            awards.append(award)
        _may_share(uow, actor, awards, "share credentials")
        link = new_share_link(uow, awards, valid_days=valid_days, by_user_id=actor.user_id)
        view = _view(uow, runtime.settings.base_url, link)
        uow.commit()
    return view


def revoke_share_link(runtime: Runtime, actor: Actor, link_id: str) -> ShareLinkView:
    """End a link at once; the credentials stay as they are. Revoking twice is a conflict."""
    with runtime.uow() as uow:
        link = uow.session.scalars(
            select(ShareLinkRow).where(ShareLinkRow.public_id == link_id)
        ).one_or_none()
        if link is None:
            raise NotFound(f"no share link {link_id!r}")
        awards = link_awards(uow, link)
        if actor.kind is ActorKind.LEARNER and link.learner_id != actor.learner_id:
            raise NotFound(f"no share link {link_id!r}")
        _may_share(uow, actor, awards, "revoke share links")
        if link.revoked_at is not None:
            raise Conflict("this share link was already revoked")
        link.revoked_at = clock.now()
        view = _view(uow, runtime.settings.base_url, link)
        uow.commit()
    return view


def record_view(uow: UnitOfWork, link_id: int) -> None:
    """Count one opening: a single UPDATE, so concurrent views never lose each other."""
    uow.session.execute(
        update(ShareLinkRow)
        .where(ShareLinkRow.id == link_id)
        .values(views=ShareLinkRow.views + 1, last_viewed_at=clock.now())
    )
