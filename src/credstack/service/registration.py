"""Registering, listing and erasing learners, as use cases for the API and the command line.

Who may: registering needs the admin or registrar role at some issuer (a learner is not one
issuer's: they may hold credentials from many). Erasure is the person's right, not one
issuer's: an admin at any issuer that holds a record of the learner may carry it out, and the
audit trail names who did and why. The operator acts on behalf of an issuer it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack.errors import Forbidden, InvalidInput
from credstack.limits import PAGE_ITEMS
from credstack.service import lookup
from credstack.service.actor import Actor, ActorKind, authorise
from credstack.service.learners import erase_learner, profile
from credstack.service.paging import Pager, window
from credstack.service.people import add_learner, require_issuer
from credstack.service.runtime import Runtime
from credstack.service.visibility import learner_issuer_ids, visible_learner

__all__ = [
    "LearnerErased",
    "LearnerListed",
    "LearnerPage",
    "LearnerRegistered",
    "erase",
    "list_learners",
    "register_learner",
]

_REGISTRARS = ("admin", "registrar")


@dataclass(frozen=True)
class LearnerRegistered:
    key: str
    public_id: str
    name: str


@dataclass(frozen=True)
class LearnerListed:
    key: str
    name: str


@dataclass(frozen=True)
class LearnerErased:
    public_id: str


def register_learner(
    runtime: Runtime, actor: Actor, *, key: str, name: str, email: str | None = None
) -> LearnerRegistered:
    """A new learner; name and address are stored sealed (see `service.learners`)."""
    if not actor.is_operator and not any(g.role in _REGISTRARS for g in actor.roles):
        raise Forbidden("registering learners needs the admin or registrar role at an issuer")
    with runtime.uow() as uow:
        learner = add_learner(uow, key=key, name=name, email=email)
        registered = LearnerRegistered(learner.key, learner.public_id, name.strip())
        uow.commit()
    return registered


@dataclass(frozen=True)
class LearnerPage:
    learners: tuple[LearnerListed, ...]
    pager: Pager


def list_learners(runtime: Runtime, actor: Actor, *, page: int = 1) -> LearnerPage:
    """One page of the installation's learners with their names (the operator's view), read
    in SQL: a name is decrypted per learner shown, so the whole list never is at once."""
    if not actor.is_operator:
        raise Forbidden(f"{actor.label} may not list every learner: only the operator may")
    if page < 1:
        raise InvalidInput(f"pages count from 1, not {page}")
    with runtime.uow(write=False) as uow:
        start, pager = window(uow.learners.count(), page)
        rows = uow.learners.page(start, PAGE_ITEMS)
        return LearnerPage(
            tuple(LearnerListed(lr.key, profile(uow, lr).name) for lr in rows), pager
        )


def erase(
    runtime: Runtime,
    actor: Actor,
    learner: str,
    *,
    reason: str,
    on_behalf_of: str | None = None,
) -> LearnerErased:
    """Remove the learner's name, address and key; their issued credentials still verify.

    `on_behalf_of` names the issuer (holding a record) the eraser acts for; without it, the
    actor must be admin at some issuer that holds one.
    """
    if actor.kind is ActorKind.ANONYMOUS:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    with runtime.uow() as uow:
        if on_behalf_of is not None:
            authorise(actor, on_behalf_of, "admin", what="erase learners")
            who = lookup.find_learner(uow, learner)
            where = require_issuer(uow, on_behalf_of)
            if where.id not in learner_issuer_ids(uow, who):
                raise Forbidden(f"issuer {on_behalf_of} holds no record of learner {learner!r}")
        else:
            who = visible_learner(uow, actor, learner)
            admin_at = {i.id for i in uow.issuers.all() if actor.may(i.key, "admin")}
            if not admin_at & learner_issuer_ids(uow, who):
                raise Forbidden(
                    "erasing a learner needs the admin role at an issuer that holds a record"
                )
        label = f"operator:{on_behalf_of}" if actor.is_operator else f"user:{actor.label}"
        public_id = who.public_id
        erase_learner(uow, who, reason=reason, actor=label, keys=runtime.keys(uow))
        uow.commit()
    return LearnerErased(public_id)
