"""Who is acting, and the one rule that says whether they may.

Every use case that changes or reveals something an issuer owns takes an `Actor` and asks
`authorise`. There is no `None` standing for "trusted": a local command acts as the explicit
`Actor.operator()`, a request without credentials as `ANONYMOUS`, and each is refused or
allowed by the same function, so the CLI, the API and the pages cannot drift apart.

A use case asks once. What it gets back, `Authorised`, is what the building blocks it calls
take in place of an `Actor`: a block cannot be reached without the check, so it never repeats
it, and a use case that forgot to ask does not type-check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from credstack.errors import Forbidden, Unauthenticated

__all__ = [
    "ANONYMOUS",
    "Actor",
    "ActorKind",
    "Authorised",
    "RoleGrant",
    "authorise",
    "authorise_scope",
]


class ActorKind(StrEnum):
    OPERATOR = "operator"
    """Whoever runs `credstack` on the installation's machine: holds the master key already."""
    STAFF = "staff"
    """A user with roles per issuer, signed in by an API token or a page session."""
    LEARNER = "learner"
    """A learner, who may see and share only their own record."""
    DELEGATE = "delegate"
    """An OAuth client acting for a learner (the 1EdTech APIs), limited to the scopes the
    learner granted. A kind of its own, so no check written for `LEARNER` or `STAFF` lets it
    through: it may do only what a use case grants a scope for."""
    ANONYMOUS = "anonymous"
    """Nobody signed in: may read what is public and nothing else."""


@dataclass(frozen=True, order=True)
class RoleGrant:
    issuer: str
    """The issuer's key."""
    role: str
    scope: str = ""
    """A program key, or "" for every program of the issuer."""

    def covers(self, issuer: str, roles: tuple[str, ...], scope: str | None) -> bool:
        return (
            self.issuer == issuer
            and self.role in roles
            and (scope is None or self.scope in ("", scope))
        )


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    """How the actor is named in messages and the audit trail (an e-mail, "operator")."""
    user_id: int | None = None
    learner_id: int | None = None
    roles: frozenset[RoleGrant] = field(default_factory=frozenset)
    token_id: int | None = None
    """The API token that authenticated this request, if any (sessions keep theirs too)."""
    scopes: frozenset[str] = field(default_factory=frozenset)
    """A delegate's granted OAuth scopes; empty for every other kind."""

    @classmethod
    def operator(cls, label: str = "operator") -> Actor:
        return cls(ActorKind.OPERATOR, label)

    @classmethod
    def staff(
        cls,
        user_id: int,
        email: str,
        roles: frozenset[RoleGrant],
        *,
        token_id: int | None = None,
    ) -> Actor:
        return cls(ActorKind.STAFF, email, user_id=user_id, roles=roles, token_id=token_id)

    @classmethod
    def learner(cls, learner_id: int, label: str) -> Actor:
        return cls(ActorKind.LEARNER, label, learner_id=learner_id)

    @classmethod
    def delegate(cls, learner_id: int, client_id: str, scopes: frozenset[str]) -> Actor:
        return cls(ActorKind.DELEGATE, f"client {client_id}", learner_id=learner_id, scopes=scopes)

    @property
    def is_operator(self) -> bool:
        return self.kind is ActorKind.OPERATOR

    def may(self, issuer: str, *roles: str, scope: str | None = None) -> bool:
        """Holds one of `roles` at `issuer` (a role without a program covers every program);
        the operator may do anything, a learner or nobody holds no role."""
        if self.kind is ActorKind.OPERATOR:
            return True
        return any(grant.covers(issuer, roles, scope) for grant in self.roles)

    def issuers(self) -> frozenset[str]:
        """The issuers at which this actor holds any role."""
        return frozenset(grant.issuer for grant in self.roles)


ANONYMOUS = Actor(ActorKind.ANONYMOUS, "anonymous")


@dataclass(frozen=True)
class Authorised:
    """An actor whom `authorise` has let act at one issuer: made only by `authorise`."""

    actor: Actor
    issuer: str
    """The issuer's key the check was made at."""

    def at(self, issuer: str) -> Actor:
        """The actor, acting at `issuer`: a check made at another issuer allows nothing here."""
        if issuer != self.issuer:
            raise Forbidden(
                f"{self.actor.label} was authorised at issuer {self.issuer}, not {issuer}"
            )
        return self.actor


def authorise(
    actor: Actor, issuer: str, *roles: str, what: str | None = None, scope: str | None = None
) -> Authorised:
    """Refuse `what` unless `actor` holds one of `roles` at `issuer` (for `scope`'s program).

    Without `what` the refusal says only what is needed ("this needs the admin role at issuer
    X"): the API's reads have always answered so, and their clients match on it."""
    if actor.may(issuer, *roles, scope=scope):
        return Authorised(actor, issuer)
    needs = f"the {' or '.join(roles)} role at issuer {issuer}"
    if scope:
        needs += f" for program {scope}"
    if actor.kind is ActorKind.ANONYMOUS:
        if what is None:
            raise Forbidden("this needs an API token (Authorization: Bearer ...)")
        raise Forbidden(f"to {what} sign in or send an API token (Authorization: Bearer ...)")
    if what is None:
        raise Forbidden(f"this needs {needs}")
    raise Forbidden(f"{actor.label} may not {what}: it needs {needs}")


def authorise_scope(actor: Actor, scope: str) -> int:
    """The learner a `DELEGATE` acts for, if the learner granted it `scope`.

    Only a delegate passes: an API token, a page session or nobody is "not authenticated" for
    the 1EdTech APIs (401), a delegate without the scope is refused (403)."""
    if actor.kind is not ActorKind.DELEGATE or actor.learner_id is None:
        raise Unauthenticated("send an OAuth 2.0 access token (Authorization: Bearer ...)")
    if scope not in actor.scopes:
        raise Forbidden(f"the access token was not granted the scope {scope}")
    return actor.learner_id
