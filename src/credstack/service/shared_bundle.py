"""The credentials behind a share link, as the documents an employer checks together.

A learner's bundle link is the natural thing to hand an employer; the employer's view
(``group_view``) wants the credentials themselves. Reading them here, by the link's token,
spares the employer downloading and re-uploading each file, and gives exactly what the
link shows: the signed documents as issued, in the learner's order, only while the link is
live. The check itself (each credential verified, then the stacks under the same-holder
rule) runs in the verification workers like any presented credential.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from credstack.service.runtime import Runtime
from credstack.service.share_links import LinkState, is_link_token, link_awards, link_state
from credstack.service.sharing import ShareLinks
from credstack.store.models import ShareLinkRow

__all__ = ["SharedBundle", "shared_bundle"]


@dataclass(frozen=True)
class SharedBundle:
    state: LinkState
    """The link's: "live", "expired" or "revoked"; a link that is not live shows nothing."""
    share_url: str
    documents: tuple[bytes, ...]
    """Each credential as issued (JSON-LD), in the link's order; empty unless live."""


def shared_bundle(runtime: Runtime, token: str) -> SharedBundle | None:
    """The signed credentials a share link shows; None for a token that is no link of ours.

    Anyone holding the link may see what it shows, so there is no actor to check: the token
    is the permission, and it ends when the learner revokes it or it expires.
    """
    share_url = f"{runtime.settings.base_url}/share/{token}"
    with runtime.uow(write=False) as uow:
        if is_link_token(token):
            link = uow.session.scalars(
                select(ShareLinkRow).where(ShareLinkRow.token == token)
            ).one_or_none()
            if link is None:
                return None
            awards = [a for a in link_awards(uow, link) if a.credential is not None]
            state = link_state(uow, link, awards)
        else:
            award = ShareLinks(runtime.master).award_for(uow, token)
            if award is None or award.credential is None:
                return None
            awards, state = [award], "live"
        if state != "live":
            return SharedBundle(state, share_url, ())
        documents = tuple(json.dumps(a.credential).encode("utf-8") for a in awards)
        return SharedBundle(state, share_url, documents)
