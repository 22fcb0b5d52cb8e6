"""Revoking an award and deciding on a flagged one, as use cases an admin of the issuer runs.

`service.lifecycle` holds the rules (what a revocation flags, what keeping a flag records);
these wrap them with who may and one transaction, so the CLI's `--by` and an API caller are
refused alike and the history names whoever acted.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack.service import lifecycle
from credstack.service.actor import Actor, authorise
from credstack.service.lookup import find_award
from credstack.service.runtime import Runtime

__all__ = ["Decided", "Revoked", "decide_flagged", "revoke"]


@dataclass(frozen=True)
class Revoked:
    public_id: str
    flagged: tuple[str, ...]
    """Awards that counted the revoked one, now waiting for the issuer's decision."""


@dataclass(frozen=True)
class Decided:
    public_id: str
    decision: str
    status: str
    """The award's status after the decision (active when kept, revoked when not)."""
    flagged: tuple[str, ...]


def revoke(runtime: Runtime, actor: Actor, public_id: str, *, reason: str) -> Revoked:
    """Revoke an award; awards built on it are flagged for the issuer's decision."""
    with runtime.uow() as uow:
        award = find_award(uow, public_id)
        _learner, issuer = uow.awards.parties(award)
        authorise(actor, issuer.key, "admin", what="revoke awards")
        flagged = lifecycle.revoke_award(uow, award, reason=reason, by_user_id=actor.user_id)
        uow.commit()
        return Revoked(award.public_id, tuple(f.public_id for f in flagged))


def decide_flagged(
    runtime: Runtime, actor: Actor, public_id: str, *, decision: str, reason: str
) -> Decided:
    """Keep or revoke an award flagged because something it counted was revoked or lapsed."""
    with runtime.uow() as uow:
        award = find_award(uow, public_id)
        _learner, issuer = uow.awards.parties(award)
        authorise(actor, issuer.key, "admin", what="decide on flagged awards")
        flagged = lifecycle.decide_flag(
            uow, award, decision=decision, reason=reason, by_user_id=actor.user_id
        )
        uow.commit()
        return Decided(award.public_id, decision, award.status, tuple(f.public_id for f in flagged))
