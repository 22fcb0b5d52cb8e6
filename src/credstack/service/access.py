"""What an `Actor` may reach, in the words users already know from the API.

`require_role_of` is `authorise`'s rule (`Actor.may`) refused with the messages the API and
its clients have always seen; `visible_to` adapts `service.visibility` (which still takes a
`Principal`) to an `Actor`, and lets the operator see every learner.
"""

from __future__ import annotations

from credstack.errors import Forbidden
from credstack.service.actor import Actor, ActorKind
from credstack.service.lookup import find_learner
from credstack.service.people import Principal
from credstack.service.visibility import visible_learner
from credstack.store.models import LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["require_role_of", "visible_to"]


def require_role_of(actor: Actor, issuer: str, *roles: str) -> None:
    """Refuse unless `actor` holds one of `roles` at `issuer` (the operator holds them all)."""
    if actor.may(issuer, *roles):
        return
    if actor.kind is ActorKind.ANONYMOUS:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    raise Forbidden(f"this needs the {' or '.join(roles)} role at issuer {issuer}")


def visible_to(uow: UnitOfWork, actor: Actor, ref: str) -> LearnerRow:
    """The learner `ref` names, if `actor` may see them; else 404, as if they did not exist."""
    if actor.is_operator:
        return find_learner(uow, ref)
    roles = frozenset((g.issuer, g.role, g.scope) for g in actor.roles)
    principal = None if actor.user_id is None else Principal(actor.user_id, actor.label, roles)
    return visible_learner(uow, principal, ref)
