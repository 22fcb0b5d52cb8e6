"""Issuers and their keys, users with roles and tokens, learners."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from credstack.cli.app import app, installation, say
from credstack.errors import InvalidInput, TooLarge
from credstack.limits import MAX_IMPORT_BYTES
from credstack.service import registration, staff
from credstack.service.actor import Actor
from credstack.service.imports import import_credential
from credstack.service.issuers import create_issuer, list_issuers, rotate_issuer_key
from credstack.service.people import ISSUER_KINDS

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

OPERATOR = Actor.operator()
"""Whoever runs the command holds the master key: every command here acts as the operator."""


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
    with installation() as runtime:
        created = create_issuer(
            runtime, OPERATOR, key=key, name=name, kind=kind, url=url, did_method=did_method
        )
    say(f"issuer {key} created: {created.did}")


@issuer_app.command("list")
def issuer_list() -> None:
    """List issuers."""
    with installation() as runtime:
        issuers = list_issuers(runtime)
    for issuer in issuers:
        say(f"{issuer.key}\t{issuer.kind}\t{issuer.name}\t{issuer.did}")


@issuer_app.command("rotate-key")
def issuer_rotate_key(key: Annotated[str, typer.Argument(help="Issuer id.")]) -> None:
    """New signing key (did:web issuers); the old one stays in the DID document, dated retired."""
    with installation() as runtime:
        rotated = rotate_issuer_key(runtime, OPERATOR, key)
    say(f"issuer {key} now signs with key {rotated.key_id}")


Email = Annotated[str, typer.Argument(help="Email address.")]
IssuerKey = Annotated[str, typer.Option("--issuer", help="Issuer id.")]
Scope = Annotated[str, typer.Option("--scope", help="Program the role is limited to.")]


def _for(scope: str) -> str:
    return f" for {scope}" if scope else ""


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="Email address.")],
    name: Annotated[str, typer.Option(help="Display name.")],
) -> None:
    """Create a user."""
    with installation() as runtime:
        staff.add_staff_user(runtime, OPERATOR, email=email, name=name)
    say(f"user {email} created")


@user_app.command("grant")
def user_grant(
    email: Email,
    issuer: IssuerKey,
    role: Annotated[str, typer.Option(help="admin, reviewer, assessor, mentor or registrar.")],
    scope: Scope = "",
) -> None:
    """Give a user a role at an issuer (optionally limited to one program)."""
    with installation() as runtime:
        staff.grant(runtime, OPERATOR, email=email, issuer=issuer, role=role, scope=scope)
    say(f"{email} is now {role} at {issuer}{_for(scope)}")


@user_app.command("token")
def user_token(
    email: Email,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token; it is shown once and only its hash is stored."""
    with installation() as runtime:
        token = staff.create_token(runtime, OPERATOR, email=email, name=name)
    say(token)


@user_app.command("remove-role")
def user_remove_role(
    email: Email,
    issuer: IssuerKey,
    role: Annotated[str, typer.Option(help="The role to take away.")],
    scope: Scope = "",
) -> None:
    """Take a role away from a user; it stops working on their next request."""
    with installation() as runtime:
        staff.take_role(runtime, OPERATOR, email=email, issuer=issuer, role=role, scope=scope)
    say(f"{email} is no longer {role} at {issuer}{_for(scope)}")


@user_app.command("tokens")
def user_tokens(email: Email) -> None:
    """List a user's API tokens: prefix, name, created, last used (to the hour), revoked."""
    with installation() as runtime:
        tokens = staff.list_tokens(runtime, OPERATOR, email)
    for row in tokens:
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
    with installation() as runtime:
        revoked = staff.revoke(runtime, OPERATOR, email=email, token=token)
    say(f"token {revoked.prefix}… ({revoked.name}) of {email} revoked")


@learner_app.command("add")
def learner_add(
    key: Annotated[str, typer.Argument(help="Learner id.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
) -> None:
    """Create a learner."""
    with installation() as runtime:
        registration.register_learner(runtime, OPERATOR, key=key, name=name, email=email)
    say(f"learner {key} created")


@learner_app.command("list")
def learner_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    page: Annotated[int, typer.Option(min=1, help="Page number, from 1 (50 a page).")] = 1,
) -> None:
    """List learners by id, a page at a time."""
    with installation() as runtime:
        listed = registration.list_learners(runtime, OPERATOR, page=page)
    if as_json:
        say(json.dumps([{"id": lr.key, "name": lr.name} for lr in listed.learners]))
    else:
        for learner in listed.learners:
            say(f"{learner.key}\t{learner.name}")
    pager = listed.pager
    if pager.next is not None:
        typer.echo(
            f"page {pager.page} of {pager.pages} ({pager.total} learners); --page {pager.next}",
            err=True,
        )


@learner_app.command("erase")
def learner_erase(
    learner: Annotated[str, typer.Argument(help="Learner id or public id.")],
    issuer: Annotated[str, typer.Option(help="The issuer on whose behalf (holds a record).")],
    reason: Annotated[str, typer.Option(help="Why, for the audit trail.")],
) -> None:
    """Remove a learner's name, e-mail and id; issued credentials still verify."""
    with installation() as runtime:
        erased = registration.erase(runtime, OPERATOR, learner, reason=reason, on_behalf_of=issuer)
    say(f"learner {erased.public_id} erased; their awards and credentials are kept")


@learner_app.command("import-credential")
def learner_import_credential(
    learner: Annotated[str, typer.Argument(help="Learner id or public id.")],
    file: Annotated[
        Path, typer.Argument(help="The credential: OB 3.0 JSON, a VC-JWT, a baked PNG or SVG.")
    ],
) -> None:
    """Import a credential the learner holds from another issuer into their wallet.

    It is verified first and must be issued to the learner's e-mail address; it then counts
    toward stacks whose catalog lists its issuer as a partner (see docs/wallet.md)."""
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"{file}: {exc.strerror or exc}") from exc
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(f"{file} is larger than {MAX_IMPORT_BYTES} bytes")
    with installation() as runtime:
        kept = import_credential(runtime, OPERATOR, learner=learner, data=data)
    verb = "replaced" if kept.replaced else "imported"
    say(f"{verb} {kept.achievement} from {kept.issuer} ({kept.credential_id})")
    if kept.counts_for:
        say(f"counts toward the catalogs of: {', '.join(kept.counts_for)}")
    else:
        say("no catalog here lists its issuer as a partner, so it counts toward nothing")
    for awarded in kept.awarded:
        say(f"awarded: {awarded}")
