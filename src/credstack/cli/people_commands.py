"""Issuers and their keys, users with roles and tokens, learners."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from credstack.cli.app import app, fail, installation, say
from credstack.service.identity import issuer_identity
from credstack.service.people import (
    ISSUER_KINDS,
    add_issuer,
    add_learner,
    add_user,
    grant_role,
    issue_token,
    require_issuer,
)

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
    email: Annotated[str, typer.Argument(help="Email address.")],
    issuer: Annotated[str, typer.Option(help="Issuer id.")],
    role: Annotated[str, typer.Option(help="admin, reviewer, assessor, mentor or registrar.")],
    scope: Annotated[str, typer.Option(help="Program the role is limited to.")] = "",
) -> None:
    """Give a user a role at an issuer (optionally limited to one program)."""
    with installation() as runtime, runtime.uow() as uow:
        user = uow.users.by_email(email)
        if user is None:
            fail(f"unknown user {email}")
        grant_role(uow, user=user, issuer=require_issuer(uow, issuer), role=role, scope=scope)
        uow.commit()
    say(f"{email} is now {role} at {issuer}" + (f" for {scope}" if scope else ""))


@user_app.command("token")
def user_token(
    email: Annotated[str, typer.Argument(help="Email address.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token; it is shown once and only its hash is stored."""
    with installation() as runtime, runtime.uow() as uow:
        user = uow.users.by_email(email)
        if user is None:
            fail(f"unknown user {email}")
        token = issue_token(uow, user=user, name=name)
        uow.commit()
    say(token)


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
        rows = [(lr.key, lr.name) for lr in uow.learners.all()]
    if as_json:
        say(json.dumps([{"id": k, "name": n} for k, n in rows]))
    else:
        for key, name in rows:
            say(f"{key}\t{name}")
