"""Issuers, users with roles, learners and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from credstack.catalog.format import is_web_url
from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.service import audit_trail, clock
from credstack.service.actor import Actor, RoleGrant
from credstack.service.identity import check_did_method
from credstack.service.keys import IssuerKeys
from credstack.service.learners import new_public_id, set_profile
from credstack.service.runtime import Runtime
from credstack.store.models import ApiTokenRow, IssuerRow, LearnerRow, MembershipRow, UserRow
from credstack.store.uow import UnitOfWork

if TYPE_CHECKING:
    from credstack.service.runtime import Runtime

__all__ = [
    "ISSUER_KINDS",
    "ROLES",
    "Principal",
    "actor_of",
    "add_issuer",
    "add_learner",
    "add_user",
    "authenticate",
    "grant_role",
    "issue_token",
    "local_actor",
    "principal_of",
    "record_token_use",
    "remove_role",
    "require_issuer",
    "revoke_token",
    "staff_actor",
]

TOKEN_USE_GRANULARITY = timedelta(hours=1)
"""`last_used_at` is kept to the hour: writing it on every request made reads into writes."""

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
    keys: IssuerKeys,
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
    if url is not None and not is_web_url(url):
        raise InvalidInput(f"issuer URL {url[:80]!r}: use an http(s) URL, e.g. https://…")
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
    audit_trail.record(
        uow,
        action="role.granted",
        subject=f"user:{user.email}",
        details={"issuer": issuer.key, "role": role, "scope": scope},
    )
    return membership


def remove_role(
    uow: UnitOfWork, *, user: UserRow, issuer: IssuerRow, role: str, scope: str = ""
) -> None:
    """Take a role away; it stops working on the caller's next request (roles are not cached)."""
    for membership in uow.users.memberships(user.id):
        if (membership.issuer_id, membership.role, membership.scope) == (issuer.id, role, scope):
            uow.session.delete(membership)
            audit_trail.record(
                uow,
                action="role.removed",
                subject=f"user:{user.email}",
                details={"issuer": issuer.key, "role": role, "scope": scope},
            )
            uow.session.flush()
            return
    where = f" for {scope}" if scope else ""
    raise NotFound(f"{user.email} is not {role} at {issuer.key}{where}")


def add_learner(uow: UnitOfWork, *, key: str, name: str, email: str | None = None) -> LearnerRow:
    """Name and address are stored sealed (see `service.learners`), never in clear."""
    _check_key(key, "learner")
    if uow.learners.by_key(key) is not None:
        raise Conflict(f"learner {key!r} already exists")
    learner = LearnerRow(key=key, public_id=new_public_id(), identity_salt=secrets.token_hex(16))
    set_profile(uow, learner, name=name, email=email)
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
    audit_trail.record(
        uow,
        action="token.created",
        subject=f"user:{user.email}",
        details={"name": name, "prefix": token[:8]},
    )
    return token


def revoke_token(uow: UnitOfWork, *, user: UserRow, token: str) -> ApiTokenRow:
    """Revoke one of the user's tokens, named by its first 8 characters (as `credstack user tokens`
    lists them) or given whole; the page sessions it opened end with it."""
    token = token.strip()
    if len(token) == 8:
        matches = [t for t in uow.users.tokens(user.id) if t.prefix == token]
    else:
        matches = [t for t in uow.users.tokens(user.id) if t.token_hash == _hash(token)]
    if not matches:
        raise NotFound(f"{user.email} has no token {token[:8]!r}… (give its first 8 characters)")
    if len(matches) > 1:
        raise Conflict(f"{len(matches)} tokens of {user.email} start {token!r}; give it whole")
    row = matches[0]
    if row.revoked_at is not None:
        raise Conflict(f"token {row.prefix}… of {user.email} is already revoked")
    row.revoked_at = clock.now()
    audit_trail.record(
        uow,
        action="token.revoked",
        subject=f"user:{user.email}",
        details={"name": row.name, "prefix": row.prefix},
    )
    uow.session.flush()
    return row


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    roles: frozenset[tuple[str, str, str]]
    """(issuer key, role, scope) triples."""
    token_id: int | None = None
    token_use_due: bool = False
    """The token's `last_used_at` is older than the granularity (see `record_token_use`)."""

    def has_role(self, issuer_key: str, *roles: str, scope: str | None = None) -> bool:
        return any(
            i == issuer_key and r in roles and (scope is None or s in ("", scope))
            for i, r, s in self.roles
        )


def authenticate(uow: UnitOfWork, token: str) -> Principal | None:
    """The token's principal, or None; only reads, so a GET stays a read."""
    row = uow.users.token_by_hash(_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    due = row.last_used_at is None or clock.now() - row.last_used_at >= TOKEN_USE_GRANULARITY
    principal = principal_of(uow, row.user_id, token_id=row.id)
    return None if principal is None else _with_use_due(principal, due)


def _with_use_due(principal: Principal, due: bool) -> Principal:
    return Principal(principal.user_id, principal.email, principal.roles, principal.token_id, due)


def principal_of(uow: UnitOfWork, user_id: int, *, token_id: int | None) -> Principal | None:
    """A user's roles as they are now (a removed role is gone on the next request)."""
    user = uow.users.get(user_id)
    if user is None:
        return None
    issuers = {i.id: i.key for i in uow.issuers.all()}
    roles = frozenset(
        (issuers[m.issuer_id], m.role, m.scope) for m in uow.users.memberships(user.id)
    )
    return Principal(user_id=user.id, email=user.email, roles=roles, token_id=token_id)


def record_token_use(uow: UnitOfWork, token_id: int) -> None:
    """Note that a token was used, at most once per `TOKEN_USE_GRANULARITY`."""
    row = uow.session.get(ApiTokenRow, token_id)
    now = clock.now()
    if row is not None and (
        row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_GRANULARITY
    ):
        row.last_used_at = now


def actor_of(principal: Principal) -> Actor:
    """The principal as the `Actor` services take (its roles as grants)."""
    grants = frozenset(RoleGrant(issuer, role, scope) for issuer, role, scope in principal.roles)
    return Actor.staff(principal.user_id, principal.email, grants, token_id=principal.token_id)


def staff_actor(uow: UnitOfWork, email: str) -> Actor:
    """The user with this address as an `Actor`, with the roles they hold now."""
    user = uow.users.by_email(email)
    principal = principal_of(uow, user.id, token_id=None) if user is not None else None
    if principal is None:
        raise NotFound(f"unknown user {email}")
    return actor_of(principal)


def local_actor(runtime: Runtime, email: str | None) -> Actor:
    """Who a local command acts as: the operator, or, given `--by EMAIL`, that user (so the
    command is refused as the API would refuse them, and the history names them)."""
    if email is None:
        return Actor.operator()
    with runtime.uow(write=False) as uow:
        return staff_actor(uow, email)
