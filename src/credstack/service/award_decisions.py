"""Revoking, suspending and reinstating an award and deciding on a flagged one, as use cases
an admin of the issuer runs.

`service.lifecycle` holds the rules (what a revocation or a suspension flags, what a
reinstatement clears, what keeping a flag records);
these wrap them with who may and one transaction, so the CLI's `--by` and an API caller are
refused alike and the history names whoever acted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from credstack.service import lifecycle
from credstack.service.actor import Actor, authorise
from credstack.service.lookup import find_award
from credstack.service.runtime import Runtime
from credstack.store.models import AwardRow

__all__ = [
    "Decided",
    "Reinstated",
    "Revoked",
    "Suspended",
    "decide_flagged",
    "reinstate",
    "revoke",
    "suspend",
]


@dataclass(frozen=True)
class Revoked:
    public_id: str
    flagged: tuple[str, ...]
    """Awards that counted the revoked one, now waiting for the issuer's decision."""


@dataclass(frozen=True)
class Suspended:
    public_id: str
    flagged: tuple[str, ...]
    """Awards that counted the suspended one, now waiting for the issuer's decision."""


@dataclass(frozen=True)
class Reinstated:
    public_id: str
    cleared: tuple[str, ...]
    """Awards the suspension alone had flagged, no longer flagged: their support is whole."""


@dataclass(frozen=True)
class Decided:
    public_id: str
    decision: str
    status: str
    """The award's status after the decision (active when kept, revoked when not)."""
    flagged: tuple[str, ...]


Change = Callable[..., list[AwardRow]]
"""A `lifecycle` status change: (uow, award, reason=, by_user_id=) -> the awards it touched."""


def _change(
    runtime: Runtime, actor: Actor, public_id: str, change: Change, *, what: str, reason: str
) -> tuple[str, tuple[str, ...]]:
    """Run an admin's status change in one transaction: the award's public id and those of
    the awards it flagged or cleared."""
    with runtime.uow() as uow:
        award = find_award(uow, public_id)
        _learner, issuer = uow.awards.parties(award)
        authorise(actor, issuer.key, "admin", what=what)
        touched = change(uow, award, reason=reason, by_user_id=actor.user_id)
        uow.commit()
        return award.public_id, tuple(a.public_id for a in touched)


def revoke(runtime: Runtime, actor: Actor, public_id: str, *, reason: str) -> Revoked:
    """Revoke an award; awards built on it are flagged for the issuer's decision."""
    return Revoked(
        *_change(
            runtime, actor, public_id, lifecycle.revoke_award, what="revoke awards", reason=reason
        )
    )


def suspend(runtime: Runtime, actor: Actor, public_id: str, *, reason: str) -> Suspended:
    """Suspend an active award until it is reinstated; awards built on it are flagged."""
    return Suspended(
        *_change(
            runtime, actor, public_id, lifecycle.suspend_award, what="suspend awards", reason=reason
        )
    )


def reinstate(runtime: Runtime, actor: Actor, public_id: str, *, reason: str) -> Reinstated:
    """Lift a suspended award's suspension; flags it alone raised are cleared."""
    return Reinstated(
        *_change(
            runtime,
            actor,
            public_id,
            lifecycle.reinstate_award,
            what="reinstate awards",
            reason=reason,
        )
    )


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
