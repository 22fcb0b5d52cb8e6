"""Issuers and their signing keys, as use cases for the command line (and any later edge).

Each function opens and commits its own unit of work and returns plain values: the edge never
holds an `IssuerRow` or decides when the transaction ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack.service.actor import Actor, authorise
from credstack.service.identity import issuer_identity
from credstack.service.people import add_issuer, require_issuer
from credstack.service.runtime import Runtime

__all__ = ["IssuerListed", "KeyRotated", "create_issuer", "list_issuers", "rotate_issuer_key"]


@dataclass(frozen=True)
class IssuerListed:
    key: str
    kind: str
    name: str
    did: str
    """The DID its credentials name as their issuer."""


@dataclass(frozen=True)
class KeyRotated:
    issuer: str
    key_id: str


def create_issuer(
    runtime: Runtime,
    actor: Actor,
    *,
    key: str,
    name: str,
    kind: str = "other",
    url: str | None = None,
    did_method: str = "web",
) -> IssuerListed:
    """A new issuer with its first signing key; only the operator may create one (nobody
    holds a role at an issuer that does not exist yet)."""
    authorise(actor, key, "admin", what="add issuers")
    with runtime.uow() as uow:
        issuer = add_issuer(
            uow, runtime.keys(uow), key=key, name=name, kind=kind, url=url, did_method=did_method
        )
        did = issuer_identity(uow, runtime.settings.base_url, issuer)
        created = IssuerListed(issuer.key, issuer.kind, issuer.name, did)
        uow.commit()
    return created


def list_issuers(runtime: Runtime) -> list[IssuerListed]:
    """Every issuer with its DID: public facts (its DID document is served to anyone)."""
    with runtime.uow(write=False) as uow:
        return [
            IssuerListed(
                issuer.key,
                issuer.kind,
                issuer.name,
                issuer_identity(uow, runtime.settings.base_url, issuer),
            )
            for issuer in uow.issuers.all()
        ]


def rotate_issuer_key(runtime: Runtime, actor: Actor, issuer_key: str) -> KeyRotated:
    """A new signing key (did:web issuers); the old one stays in the DID document, retired."""
    authorise(actor, issuer_key, "admin", what="rotate signing keys")
    with runtime.uow() as uow:
        row = runtime.keys(uow).create(require_issuer(uow, issuer_key))
        rotated = KeyRotated(issuer_key, row.key_id)
        uow.commit()
    return rotated
