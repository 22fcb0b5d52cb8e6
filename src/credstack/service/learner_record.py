"""A learner record as one signed CLR 2.0 credential (``GET /learners/{learner}/clr``).

Which key signs it: credstack has no platform-wide key, only issuers' keys, and a CLR's proof
only says who assembled the record (each wrapped credential keeps its own issuer's proof).
So the record is assembled and signed by the issuer that issued most of the wrapped
credentials (ties go to the issuer key that sorts first), and it wraps only credentials of
issuers where the requesting staff member holds a role: a staff member can never make one
issuer vouch for another's awards they could not see.

Only active, unexpired awards are wrapped: a learner record says what the learner holds now.
Where one wrapped credential counted toward another (a microcredential in its certification's
stack), the record says so with an ``isPartOf`` association.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from credstack.errors import NotFound
from credstack.service.issuance import credential_url, mark_identity_type, subject_identity
from credstack.service.keys import KeyStore
from credstack.store.models import AwardRow, IssuerRow, LearnerRow
from credstack.vc import dataintegrity
from credstack.vc.clr import AssociationInfo, clr_credential
from credstack.vc.model import IssuerProfile

__all__ = ["learner_clr", "record_signer"]


def record_signer(awards: Sequence[AwardRow], issuers: dict[int, IssuerRow]) -> IssuerRow:
    counts = Counter(a.issuer_id for a in awards)
    best = max(counts.values())
    return min((issuers[i] for i, n in counts.items() if n == best), key=lambda i: i.key)


def learner_clr(
    keys: KeyStore,
    base_url: str,
    *,
    learner: LearnerRow,
    awards: Sequence[AwardRow],
    issuers: dict[int, IssuerRow],
    name: str,
    now: datetime,
) -> dict[str, object]:
    """``awards`` are the ones to wrap (already filtered); ``issuers`` maps their issuer ids."""
    wrapped = [a for a in awards if a.credential is not None]
    if not wrapped:
        raise NotFound(f"learner {learner.key} holds no issued credential you can export")
    signer = record_signer(wrapped, issuers)
    ids = {f"award:{a.public_id}": credential_url(base_url, a.public_id) for a in wrapped}
    associations = [
        AssociationInfo(ids[part], credential_url(base_url, a.public_id), "isPartOf")
        for a in wrapped
        for part in a.counted
        if part in ids
    ]
    subject = subject_identity(learner, name if learner.erased_at is None else None)
    key = keys.signing_key(signer)
    # The key's controller is the signer's DID, did:web or did:key.
    profile = IssuerProfile(id=key.controller, name=signer.name, url=signer.url, email=signer.email)
    document = clr_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=profile,
        name=f"Learner record of {name}",
        subject=subject,
        credentials=[a.credential for a in wrapped if a.credential is not None],
        valid_from=now,
        associations=associations,
        description=f"Assembled by {signer.name} from credentials issued on this server.",
        partial=True,
    )
    mark_identity_type(document, learner)
    signed: dict[str, object] = dataintegrity.sign(document, key, created=now)
    return signed
