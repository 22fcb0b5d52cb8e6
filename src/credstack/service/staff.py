"""Staff users, their roles at issuers and their API tokens, as use cases.

Users and tokens belong to the installation rather than to one issuer, so only the operator
(whoever runs `credstack` beside the master key) manages them; a role at an issuer may also
be granted or taken away by that issuer's admin. Each function owns its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from credstack.errors import Forbidden, NotFound
from credstack.service.actor import Actor, authorise
from credstack.service.people import (
    add_user,
    grant_role,
    issue_token,
    remove_role,
    require_issuer,
    revoke_token,
)
from credstack.service.runtime import Runtime
from credstack.store.models import UserRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "RoleChange",
    "TokenListed",
    "TokenRevoked",
    "add_staff_user",
    "create_token",
    "grant",
    "list_tokens",
    "revoke",
    "take_role",
]


@dataclass(frozen=True)
class RoleChange:
    email: str
    issuer: str
    role: str
    scope: str


@dataclass(frozen=True)
class TokenListed:
    prefix: str
    """The token's first 8 characters: enough to name it, useless to sign in with."""
    name: str
    created_at: datetime
    last_used_at: datetime | None
    """To the hour (see `people.TOKEN_USE_GRANULARITY`)."""
    revoked_at: datetime | None


@dataclass(frozen=True)
class TokenRevoked:
    email: str
    prefix: str
    name: str


def _operator_only(actor: Actor, what: str) -> None:
    if not actor.is_operator:
        raise Forbidden(f"{actor.label} may not {what}: only the operator may")


def _user(uow: UnitOfWork, email: str) -> UserRow:
    user = uow.users.by_email(email)
    if user is None:
        raise NotFound(f"unknown user {email}")
    return user


def add_staff_user(runtime: Runtime, actor: Actor, *, email: str, name: str) -> str:
    """Create a user (with no role yet); returns the address it is known by."""
    _operator_only(actor, "add users")
    with runtime.uow() as uow:
        user = add_user(uow, email=email, name=name)
        added = user.email
        uow.commit()
    return added


def grant(
    runtime: Runtime, actor: Actor, *, email: str, issuer: str, role: str, scope: str = ""
) -> RoleChange:
    """Give a user a role at an issuer (optionally limited to one program)."""
    authorise(actor, issuer, "admin", what="grant roles")
    return _change_role(runtime, grant_role, RoleChange(email, issuer, role, scope))


def take_role(
    runtime: Runtime, actor: Actor, *, email: str, issuer: str, role: str, scope: str = ""
) -> RoleChange:
    """Take a role away; it stops working on the user's next request (roles are not cached)."""
    authorise(actor, issuer, "admin", what="remove roles")
    return _change_role(runtime, remove_role, RoleChange(email, issuer, role, scope))


def _change_role(runtime: Runtime, change: Callable[..., object], wanted: RoleChange) -> RoleChange:
    with runtime.uow() as uow:
        user = _user(uow, wanted.email)
        issuer = require_issuer(uow, wanted.issuer)
        change(uow, user=user, issuer=issuer, role=wanted.role, scope=wanted.scope)
        uow.commit()
    return wanted


def create_token(runtime: Runtime, actor: Actor, *, email: str, name: str) -> str:
    """A new API token for the user, returned this once (only its hash is stored)."""
    _operator_only(actor, "create API tokens")
    with runtime.uow() as uow:
        token = issue_token(uow, user=_user(uow, email), name=name)
        uow.commit()
    return token


def list_tokens(runtime: Runtime, actor: Actor, email: str) -> list[TokenListed]:
    _operator_only(actor, "list API tokens")
    with runtime.uow(write=False) as uow:
        return [
            TokenListed(row.prefix, row.name, row.created_at, row.last_used_at, row.revoked_at)
            for row in uow.users.tokens(_user(uow, email).id)
        ]


def revoke(runtime: Runtime, actor: Actor, *, email: str, token: str) -> TokenRevoked:
    """Revoke a token (its first 8 characters or whole); the page sessions it opened end too."""
    _operator_only(actor, "revoke API tokens")
    with runtime.uow() as uow:
        row = revoke_token(uow, user=_user(uow, email), token=token)
        revoked = TokenRevoked(email, row.prefix, row.name)
        uow.commit()
    return revoked
