"""What a share link shows: each credential's facts, the absolute URLs a link preview and
LinkedIn need, and whether the link itself is still live.

The page verifies every credential itself (in the verification workers); this read model
says which credentials and how to present them. A view is counted after the read, as
skippable bookkeeping, so showing the page never waits on the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select

from credstack.service import clock
from credstack.service.achievements import achievement_of
from credstack.service.award_records import valid_until
from credstack.service.learner_record import award_state
from credstack.service.runtime import Runtime
from credstack.service.share_links import is_link_token, link_awards, link_state, record_view
from credstack.service.sharing import ShareLinks
from credstack.store.models import AwardRow, IssuerRow, ShareLinkRow
from credstack.store.uow import UnitOfWork

__all__ = ["LINKEDIN_ADD_URL", "SharedCredential", "SharedPage", "linkedin_add_url", "shared_page"]

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"
"""LinkedIn's documented "Add to Profile" link for certifications."""


@dataclass(frozen=True)
class SharedCredential:
    id: str
    name: str
    description: str
    issuer: str
    awarded_on: date
    valid_until: date | None
    state: str
    credential_url: str
    image_url: str
    """The baked badge, absolute: what a link preview shows."""
    linkedin_url: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SharedPage:
    state: str
    """"live", "expired" or "revoked" (the link's, not a credential's)."""
    url: str
    credentials: tuple[SharedCredential, ...]


def linkedin_add_url(
    *,
    name: str,
    organization: str,
    issued: date,
    expires: date | None,
    cert_url: str,
    cert_id: str,
) -> str:
    """LinkedIn's add-to-profile URL for a certification, every field URL-encoded."""
    fields = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", name),
        ("organizationName", organization),
        ("issueYear", str(issued.year)),
        ("issueMonth", str(issued.month)),
    ]
    if expires is not None:
        fields += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    fields += [("certUrl", cert_url), ("certId", cert_id)]
    return f"{LINKEDIN_ADD_URL}?{urlencode(fields)}"


def _shown(uow: UnitOfWork, base_url: str, award: AwardRow, share: str) -> SharedCredential:
    issuer = uow.session.get(IssuerRow, award.issuer_id)
    version = uow.achievements.version_by_id(award.achievement_version_id)
    assert issuer is not None  # a foreign key guards this
    assert version is not None  # and this
    base = f"{base_url}/credentials/{award.public_id}"
    until = valid_until(award, issuer)
    return SharedCredential(
        id=award.public_id,
        name=version.name,
        description=achievement_of(uow, version).description,
        issuer=issuer.name,
        awarded_on=award.awarded_on,
        valid_until=until,
        state=award_state(award, clock.today(issuer)),
        credential_url=base,
        image_url=f"{base}/badge.png",
        linkedin_url=linkedin_add_url(
            name=version.name,
            organization=issuer.name,
            issued=award.awarded_on,
            expires=until,
            cert_url=share,
            cert_id=award.public_id,
        ),
        links=(
            ("Credential (JSON-LD)", base),
            ("Credential (JWT)", f"{base}/credential.jwt"),
            ("Badge image (PNG)", f"{base}/badge.png"),
            ("Certificate (PDF)", f"{base}/certificate.pdf"),
        ),
    )


def shared_page(runtime: Runtime, token: str) -> SharedPage | None:
    """The credentials a share link shows; None for a token that is no link of ours."""
    base_url = runtime.settings.base_url
    share = f"{base_url}/share/{token}"
    counted: int | None = None
    with runtime.uow(write=False) as uow:
        if is_link_token(token):
            link = uow.session.scalars(
                select(ShareLinkRow).where(ShareLinkRow.token == token)
            ).one_or_none()
            if link is None:
                return None
            awards = [a for a in link_awards(uow, link) if a.credential is not None]
            state = link_state(uow, link, awards)
            live = state == "live"
            shown = tuple(_shown(uow, base_url, a, share) for a in awards) if live else ()
            counted = link.id if live else None
            page = SharedPage(state, share, shown)
        else:
            award = ShareLinks(runtime.master).award_for(uow, token)
            if award is None or award.credential is None:
                return None
            page = SharedPage("live", share, (_shown(uow, base_url, award, share),))
    if counted is not None:
        link_id = counted
        runtime.note(lambda uow: record_view(uow, link_id))
    return page
