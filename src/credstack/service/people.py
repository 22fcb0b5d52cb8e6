"""Issuers, users with roles, learners and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from credstack.errors import Conflict, Forbidden, InvalidInput, NotFound
from credstack.service import clock
from credstack.service.identity import check_did_method
from credstack.service.keys import KeyStore
from credstack.store.models import ApiTokenRow, IssuerRow, LearnerRow, MembershipRow, UserRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "ISSUER_KINDS",
    "ROLES",
    "Principal",
    "add_issuer",
    "add_learner",
    "add_user",
    "authenticate",
    "grant_role",
    "issue_token",
    "require_issuer",
    "require_role",
]

ROLES = ("admin", "reviewer", "assessor", "mentor", "registrar")
ISSUER_KINDS = (
    "certification-body",
    "university",
    "employer",
    "training-provider",
    "association",
    "specialty-board",
    "other",
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
TOKEN_PREFIX = "cst_"  # noqa: S105 -- a public prefix that marks tokens, not a secret


def _check_key(key: str, what: str) -> None:
    if not _KEY.match(key):
        raise InvalidInput(f"{what} id {key!r}: use lower-case letters, digits, '.', '_' and '-'")


def require_issuer(uow: UnitOfWork, key: str) -> IssuerRow:
    issuer = uow.issuers.by_key(key)
    if issuer is None:
        raise NotFound(f"unknown issuer {key!r}")
    return issuer


def add_issuer(
    uow: UnitOfWork,
    keys: KeyStore,
    *,
    key: str,
    name: str,
    kind: str = "other",
    url: str | None = None,
    email: str | None = None,
    did_method: str = "web",
) -> IssuerRow:
    _check_key(key, "issuer")
    check_did_method(did_method)
    if kind not in ISSUER_KINDS:
        raise InvalidInput(f"issuer kind {kind!r}: use one of {', '.join(ISSUER_KINDS)}")
    if uow.issuers.by_key(key) is not None:
        raise Conflict(f"issuer {key!r} already exists")
    issuer = IssuerRow(key=key, name=name, kind=kind, url=url, email=email, did_method=did_method)
    uow.issuers.add(issuer)
    keys.create(issuer)
    return issuer


def add_user(uow: UnitOfWork, *, email: str, name: str) -> UserRow:
    if "@" not in email:
        raise InvalidInput(f"{email!r} is not an email address")
    if uow.users.by_email(email) is not None:
        raise Conflict(f"user {email} already exists")
    user = UserRow(email=email, name=name)
    uow.users.add(user)
    return user


def grant_role(
    uow: UnitOfWork, *, user: UserRow, issuer: IssuerRow, role: str, scope: str = ""
) -> MembershipRow:
    if role not in ROLES:
        raise InvalidInput(f"role {role!r}: use one of {', '.join(ROLES)}")
    if (role, scope) in uow.users.roles(user.id, issuer.id):
        raise Conflict(f"{user.email} is already {role} at {issuer.key}")
    membership = MembershipRow(user_id=user.id, issuer_id=issuer.id, role=role, scope=scope)
    uow.users.add(membership)
    return membership


def add_learner(uow: UnitOfWork, *, key: str, name: str, email: str | None = None) -> LearnerRow:
    _check_key(key, "learner")
    if uow.learners.by_key(key) is not None:
        raise Conflict(f"learner {key!r} already exists")
    learner = LearnerRow(key=key, name=name, email=email, identity_salt=secrets.token_hex(16))
    uow.learners.add(learner)
    return learner


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(uow: UnitOfWork, *, user: UserRow, name: str) -> str:
    """Return the token once; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    uow.users.add(
        ApiTokenRow(user_id=user.id, name=name, token_hash=_hash(token), prefix=token[:8])
    )
    return token


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    roles: frozenset[tuple[str, str, str]]
    """(issuer key, role, scope) triples."""

    def has_role(self, issuer_key: str, *roles: str, scope: str | None = None) -> bool:
        return any(
            i == issuer_key and r in roles and (scope is None or s in ("", scope))
            for i, r, s in self.roles
        )


def authenticate(uow: UnitOfWork, token: str) -> Principal | None:
    row = uow.users.token_by_hash(_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    user = uow.users.get(row.user_id)
    if user is None:
        return None
    row.last_used_at = clock.now()
    issuers = {i.id: i.key for i in uow.issuers.all()}
    roles = frozenset(
        (issuers[m.issuer_id], m.role, m.scope) for m in uow.users.memberships(user.id)
    )
    return Principal(user_id=user.id, email=user.email, roles=roles)


def require_role(principal: Principal | None, issuer_key: str, *roles: str) -> Principal:
    if principal is None:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    if not principal.has_role(issuer_key, *roles):
        raise Forbidden(f"this needs the {' or '.join(roles)} role at issuer {issuer_key}")
    return principal
