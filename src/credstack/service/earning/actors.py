"""The old role check on a `UserRow`, kept only for the award commands until they take an Actor.

The earning services now take an `Actor` and ask `service.actor.authorise`; `None` standing for
the operator here is exactly what that replaces, so nothing new should call these.
"""

from __future__ import annotations

from credstack.errors import Forbidden, NotFound
from credstack.store.models import IssuerRow, UserRow
from credstack.store.uow import UnitOfWork

__all__ = ["has_role", "require_user_role", "user_by_email"]


def has_role(
    uow: UnitOfWork, user: UserRow, issuer: IssuerRow, *roles: str, scope: str | None = None
) -> bool:
    """A role at the issuer; a role without a program scope covers every program."""
    return any(
        role in roles and (scope is None or held_scope in ("", scope))
        for role, held_scope in uow.users.roles(user.id, issuer.id)
    )


def require_user_role(
    uow: UnitOfWork,
    user: UserRow | None,
    issuer: IssuerRow,
    *roles: str,
    what: str,
    scope: str | None = None,
) -> None:
    """Refuse `what` unless the user (or the operator, `None`) may do it."""
    if user is None:
        return
    if not has_role(uow, user, issuer, *roles, scope=scope):
        where = f" for program {scope}" if scope else ""
        raise Forbidden(
            f"{user.email} may not {what}: it needs the {' or '.join(roles)} role at "
            f"issuer {issuer.key}{where}"
        )


def user_by_email(uow: UnitOfWork, email: str) -> UserRow:
    user = uow.users.by_email(email)
    if user is None:
        raise NotFound(f"unknown user {email}")
    return user
