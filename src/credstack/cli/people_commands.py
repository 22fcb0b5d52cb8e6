"""Issuers and their keys, users with roles and tokens, learners."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from credstack.cli.app import app, fail, installation, say
from credstack.service.identity import issuer_identity
from credstack.service.learners import erase_learner, profile
from credstack.service.lookup import find_learner
from credstack.service.people import (
    ISSUER_KINDS,
    add_issuer,
    add_learner,
    add_user,
    grant_role,
    issue_token,
    remove_role,
    require_issuer,
    revoke_token,
)
from credstack.service.visibility import learner_issuer_ids
from credstack.store.models import UserRow
from credstack.store.uow import UnitOfWork

__all__ = ["issuer_app", "learner_app", "user_app"]


class DidMethod(StrEnum):
    web = "web"
    key = "key"


issuer_app = typer.Typer(no_args_is_help=True, help="Issuers (organisations) and their keys.")
user_app = typer.Typer(no_args_is_help=True, help="Users, roles and API tokens.")
learner_app = typer.Typer(no_args_is_help=True, help="Learners.")
app.add_typer(issuer_app, name="issuer")
app.add_typer(user_app, name="user")
app.add_typer(learner_app, name="learner")


@issuer_app.command("add")
def issuer_add(
    key: Annotated[str, typer.Argument(help="Issuer id, e.g. northwind.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(ISSUER_KINDS)}.")] = "other",
    url: Annotated[str | None, typer.Option(help="Home page.")] = None,
    did_method: Annotated[
        DidMethod,
        typer.Option(
            help="web: did:web served here, keys can rotate; key: did:key, one key for good."
        ),
    ] = DidMethod.web,
) -> None:
    """Create an issuer and its first signing key."""
    with installation() as runtime, runtime.uow() as uow:
        issuer = add_issuer(
            uow, runtime.keys(uow), key=key, name=name, kind=kind, url=url, did_method=did_method
        )
        did = issuer_identity(uow, runtime.settings.base_url, issuer)
        uow.commit()
    say(f"issuer {key} created: {did}")


@issuer_app.command("list")
def issuer_list() -> None:
    """List issuers."""
    with installation() as runtime, runtime.uow() as uow:
        for issuer in uow.issuers.all():
            did = issuer_identity(uow, runtime.settings.base_url, issuer)
            say(f"{issuer.key}\t{issuer.kind}\t{issuer.name}\t{did}")


@issuer_app.command("rotate-key")
def issuer_rotate_key(key: Annotated[str, typer.Argument(help="Issuer id.")]) -> None:
    """New signing key (did:web issuers); the old one stays in the DID document, dated retired."""
    with installation() as runtime, runtime.uow() as uow:
        row = runtime.keys(uow).create(require_issuer(uow, key))
        uow.commit()
    say(f"issuer {key} now signs with key {row.key_id}")


Email = Annotated[str, typer.Argument(help="Email address.")]
IssuerKey = Annotated[str, typer.Option("--issuer", help="Issuer id.")]
Scope = Annotated[str, typer.Option("--scope", help="Program the role is limited to.")]


def _for(scope: str) -> str:
    return f" for {scope}" if scope else ""


def _user(uow: UnitOfWork, email: str) -> UserRow:
    user = uow.users.by_email(email)
    if user is None:
        fail(f"unknown user {email}")
    return user


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="Email address.")],
    name: Annotated[str, typer.Option(help="Display name.")],
) -> None:
    """Create a user."""
    with installation() as runtime, runtime.uow() as uow:
        add_user(uow, email=email, name=name)
        uow.commit()
    say(f"user {email} created")


@user_app.command("grant")
def user_grant(
    email: Email,
    issuer: IssuerKey,
    role: Annotated[str, typer.Option(help="admin, reviewer, assessor, mentor or registrar.")],
    scope: Scope = "",
) -> None:
    """Give a user a role at an issuer (optionally limited to one program)."""
    with installation() as runtime, runtime.uow() as uow:
        user = _user(uow, email)
        grant_role(uow, user=user, issuer=require_issuer(uow, issuer), role=role, scope=scope)
        uow.commit()
    say(f"{email} is now {role} at {issuer}{_for(scope)}")


@user_app.command("token")
def user_token(
    email: Email,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token; it is shown once and only its hash is stored."""
    with installation() as runtime, runtime.uow() as uow:
        token = issue_token(uow, user=_user(uow, email), name=name)
        uow.commit()
    say(token)


@user_app.command("remove-role")
def user_remove_role(
    email: Email,
    issuer: IssuerKey,
    role: Annotated[str, typer.Option(help="The role to take away.")],
    scope: Scope = "",
) -> None:
    """Take a role away from a user; it stops working on their next request."""
    with installation() as runtime, runtime.uow() as uow:
        user = _user(uow, email)
        remove_role(uow, user=user, issuer=require_issuer(uow, issuer), role=role, scope=scope)
        uow.commit()
    say(f"{email} is no longer {role} at {issuer}{_for(scope)}")


@user_app.command("tokens")
def user_tokens(email: Email) -> None:
    """List a user's API tokens: prefix, name, created, last used (to the hour), revoked."""
    with installation() as runtime, runtime.uow(write=False) as uow:
        rows = uow.users.tokens(_user(uow, email).id)
        for row in rows:
            used = row.last_used_at.strftime("%Y-%m-%d %H:00") if row.last_used_at else "never"
            revoked = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            say(f"{row.prefix}\t{row.name}\t{row.created_at:%Y-%m-%d}\t{used}\t{revoked}")


@user_app.command("revoke-token")
def user_revoke_token(
    email: Email,
    token: Annotated[
        str, typer.Argument(help="The token's first 8 characters (see `user tokens`), or all.")
    ],
) -> None:
    """Revoke an API token at once; the page sessions it opened end with it."""
    with installation() as runtime, runtime.uow() as uow:
        row = revoke_token(uow, user=_user(uow, email), token=token)
        uow.commit()
    say(f"token {row.prefix}… ({row.name}) of {email} revoked")


@learner_app.command("add")
def learner_add(
    key: Annotated[str, typer.Argument(help="Learner id.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
) -> None:
    """Create a learner."""
    with installation() as runtime, runtime.uow() as uow:
        add_learner(uow, key=key, name=name, email=email)
        uow.commit()
    say(f"learner {key} created")


@learner_app.command("list")
def learner_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List learners."""
    with installation() as runtime, runtime.uow() as uow:
        rows = [(lr.key, profile(uow, lr).name) for lr in uow.learners.all()]
    if as_json:
        say(json.dumps([{"id": k, "name": n} for k, n in rows]))
    else:
        for key, name in rows:
            say(f"{key}\t{name}")


@learner_app.command("erase")
def learner_erase(
    learner: Annotated[str, typer.Argument(help="Learner id or public id.")],
    issuer: Annotated[str, typer.Option(help="The issuer on whose behalf (holds a record).")],
    reason: Annotated[str, typer.Option(help="Why, for the audit trail.")],
) -> None:
    """Remove a learner's name, e-mail and id; issued credentials still verify."""
    with installation() as runtime, runtime.uow() as uow:
        who = find_learner(uow, learner)
        where = require_issuer(uow, issuer)
        if where.id not in learner_issuer_ids(uow, who):
            fail(f"issuer {issuer} holds no record of learner {learner!r}")
        public_id = who.public_id
        erase_learner(uow, who, reason=reason, actor=f"operator:{issuer}", keys=runtime.keys(uow))
        uow.commit()
    say(f"learner {public_id} erased; their awards and credentials are kept")
