"""The 1EdTech Open Badges 3.0 and CLR 2.0 REST APIs: discovery, getCredentials, getProfile,
putProfile, and the OAuth 2.0 authorization server metadata (RFC 8414) of the server both share
(upsertCredential is `service.imports.upsert_credential`).

A client reaches these only with an OAuth access token (a `DELEGATE` actor), and sees only
its learner's own credentials, as they were issued and signed, and only under a scope the
learner granted. The discovery documents are the specs' Service Description Documents
(OpenAPI 3.0 with the `OAuth2ACG` scheme), built from the settings; the RFC 8414 document is
built from the same paths and scopes, and from the policy `service.oauth.authority` enforces,
so the three cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from credstack.config import Settings
from credstack.errors import InvalidInput, NotFound, TooLarge
from credstack.limits import MAX_PROFILE_BYTES, STANDARDS_API_MAX_LIMIT, STANDARDS_API_MAX_OFFSET
from credstack.service import clock
from credstack.service.actor import Actor, authorise_scope
from credstack.service.email_change import ask_email_change
from credstack.service.learner_record import award_state, learner_clr
from credstack.service.learners import profile, set_profile
from credstack.service.oauth.authority import AUTH_METHODS, CODE_CHALLENGE_METHODS, GRANT_TYPES
from credstack.service.oauth.scopes import (
    ALL_SCOPES,
    OFFERED,
    OFFERED_SCOPES,
    Api,
    Scope,
    described,
    scope_uri,
)
from credstack.service.runtime import Runtime
from credstack.store.models import AwardRow, ImportedCredentialRow, IssuerRow, LearnerRow
from credstack.vc.safejson import InputRefused
from credstack.vc.safejson import loads as bounded_loads
from credstack.vc.schema import profile_errors
from credstack.vc.vocabulary import OB3_CONTEXT

__all__ = [
    "DEFAULT_LIMIT",
    "METADATA_PATH",
    "OAUTH_PATHS",
    "CredentialPage",
    "ProfileUpdate",
    "authorization_server_metadata",
    "clr_credentials",
    "discovery_document",
    "learner_profile",
    "ob_credentials",
    "update_profile",
]

DEFAULT_LIMIT = 20
OAUTH_PATHS = {
    "registration": "/oauth/register",
    "authorization": "/oauth/authorize",
    "token": "/oauth/token",
    "revocation": "/oauth/revoke",
}
"""Where the authorization server answers; one server for both APIs."""
METADATA_PATH = "/.well-known/oauth-authorization-server"
"""RFC 8414 §3: where a client finds the authorization server metadata."""

_TITLES = {Api.OB: "Open Badges API", Api.CLR: "Comprehensive Learner Record API"}
_VERSIONS = {Api.OB: "3.0", Api.CLR: "2.0"}


@dataclass(frozen=True)
class CredentialPage:
    credentials: tuple[dict[str, Any], ...]
    total: int
    limit: int
    offset: int


def _paging(limit: int | None, offset: int | None, since: datetime | None) -> tuple[int, int]:
    chosen = DEFAULT_LIMIT if limit is None else limit
    start = 0 if offset is None else offset
    if not 1 <= chosen <= STANDARDS_API_MAX_LIMIT:
        raise InvalidInput(f"limit: give a number from 1 to {STANDARDS_API_MAX_LIMIT}")
    if not 0 <= start <= STANDARDS_API_MAX_OFFSET:
        raise InvalidInput(f"offset: give a number from 0 to {STANDARDS_API_MAX_OFFSET}")
    if since is not None and since.tzinfo is None:
        raise InvalidInput("since: give a date-time with its offset (e.g. 2026-01-01T00:00:00Z)")
    return chosen, start


def ob_credentials(
    runtime: Runtime,
    actor: Actor,
    *,
    limit: int | None = None,
    offset: int | None = None,
    since: datetime | None = None,
) -> CredentialPage:
    """getCredentials: what the learner's wallet holds: the OB 3.0 credentials issued here
    (oldest first), then those imported from elsewhere (upsertCredential, the wallet, the CLI)
    as they were signed; with `since`, only those issued (or imported) at or after it."""
    learner_id = authorise_scope(actor, scope_uri(Api.OB, Scope.CREDENTIAL_READONLY))
    chosen, start = _paging(limit, offset, since)
    where = [AwardRow.learner_id == learner_id, AwardRow.credential.is_not(None)]
    mine = [ImportedCredentialRow.learner_id == learner_id]
    if since is not None:
        where.append(AwardRow.created_at >= since)
        mine.append(ImportedCredentialRow.updated_at >= since)
    with runtime.uow(write=False) as uow:
        issued = uow.session.scalar(select(func.count()).select_from(AwardRow).where(*where))
        imported = uow.session.scalar(
            select(func.count()).select_from(ImportedCredentialRow).where(*mine)
        )
        total = int(issued or 0) + int(imported or 0)
        rows = uow.session.scalars(
            select(AwardRow)
            .where(*where)
            .order_by(AwardRow.created_at, AwardRow.id)
            .offset(start)
            .limit(chosen)
        ).all()
        found = [dict(row.credential) for row in rows if row.credential is not None]
        # The wallet's imported credentials follow the ones issued here, in the order kept.
        room, skip = chosen - len(found), max(0, start - int(issued or 0))
        if room > 0:
            found += [
                dict(row.credential)
                for row in uow.session.scalars(
                    select(ImportedCredentialRow)
                    .where(*mine)
                    .order_by(ImportedCredentialRow.id)
                    .offset(skip)
                    .limit(room)
                )
            ]
    return CredentialPage(tuple(found), total, chosen, start)


def clr_credentials(
    runtime: Runtime,
    actor: Actor,
    *,
    limit: int | None = None,
    offset: int | None = None,
    since: datetime | None = None,
) -> CredentialPage:
    """The CLR 2.0 getCredentials: one signed CLR wrapping every credential of the learner
    that is active (or flagged for review), or none if they hold none; `since` keeps it only
    if one of those credentials was issued at or after it."""
    learner_id = authorise_scope(actor, scope_uri(Api.CLR, Scope.CREDENTIAL_READONLY))
    chosen, start = _paging(limit, offset, since)
    with runtime.uow(write=False) as uow:
        learner = uow.session.get(LearnerRow, learner_id)
        if learner is None:
            raise NotFound("the learner is gone")
        awards = uow.awards.for_learner(learner.id)
        issuers = {
            i.id: i
            for i in uow.session.scalars(
                select(IssuerRow).where(IssuerRow.id.in_({a.issuer_id for a in awards}))
            )
        }
        now = clock.now()
        held = [
            a
            for a in awards
            if a.credential is not None
            and award_state(a, clock.today(issuers[a.issuer_id], now)) in ("active", "flagged")
        ]
        fresh = since is None or any(a.created_at >= since for a in held)
        if not held or not fresh:
            return CredentialPage((), 0, chosen, start)
        document = learner_clr(
            runtime.keys(uow),
            runtime.settings.base_url,
            learner=learner,
            awards=held,
            issuers=issuers,
            name=profile(uow, learner).name,
            now=now,
        )
    page = (document,)[start : start + chosen]
    return CredentialPage(tuple(dict(d) for d in page), 1, chosen, start)


def learner_profile(runtime: Runtime, actor: Actor, api: Api) -> dict[str, Any]:
    """getProfile: the learner as an OB 3.0 Profile (their id here and their name)."""
    learner_id = authorise_scope(actor, scope_uri(api, Scope.PROFILE_READONLY))
    with runtime.uow(write=False) as uow:
        learner = uow.session.get(LearnerRow, learner_id)
        if learner is None:
            raise NotFound("the learner is gone")
        name = profile(uow, learner).name
        public_id = learner.public_id
    return _profile_document(runtime.settings, public_id, name)


def _profile_document(settings: Settings, public_id: str, name: str) -> dict[str, Any]:
    return {
        "@context": [OB3_CONTEXT],
        "type": ["Profile"],
        "id": f"{settings.base_url}/learners/{public_id}",
        "name": name,
    }


@dataclass(frozen=True)
class ProfileUpdate:
    profile: dict[str, Any]
    """The Profile as it now stands (getProfile's answer)."""
    email_pending: bool
    """A new address was given: a link to confirm it was mailed there, and until it is
    followed the learner's address (what identifies them) is unchanged."""


def update_profile(runtime: Runtime, actor: Actor, api: Api, *, data: bytes) -> ProfileUpdate:
    """putProfile: the spec's Profile; its `name` replaces the learner's at once, its `email`
    only through the link `service.email_change` mails to it. The other fields of the spec's
    Profile are accepted and not kept (credstack keeps no more of a learner than this)."""
    learner_id = authorise_scope(actor, scope_uri(api, Scope.PROFILE_UPDATE))
    body = _profile_body(data)
    with runtime.uow() as uow:
        learner = uow.session.get(LearnerRow, learner_id)
        if learner is None or learner.erased_at is not None:
            raise NotFound("the learner is gone")
        ours = f"{runtime.settings.base_url}/learners/{learner.public_id}"
        if body["id"] != ours:
            raise InvalidInput(f"id: this token updates the profile {ours} only")
        current = profile(uow, learner)
        name = body.get("name", current.name)
        if name != current.name:
            set_profile(uow, learner, name=name, email=current.email)
        email = body.get("email")
        pending = ask_email_change(uow, learner, email) if email is not None else False
        document = _profile_document(runtime.settings, learner.public_id, name.strip())
        uow.commit()
    return ProfileUpdate(document, pending)


def _profile_body(data: bytes) -> dict[str, Any]:
    """The request body as the spec's Profile, or the reason it is not one."""
    if len(data) > MAX_PROFILE_BYTES:
        raise TooLarge(f"the profile is {len(data)} bytes; at most {MAX_PROFILE_BYTES} are taken")
    try:
        body = bounded_loads(data.decode("utf-8"), max_bytes=MAX_PROFILE_BYTES)
    except (UnicodeDecodeError, ValueError) as exc:
        reason = exc.message if isinstance(exc, InputRefused) else "it is not JSON"
        raise InvalidInput(f"the body is not a Profile: {reason}") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body is not a Profile: send a JSON object")
    errors = profile_errors(body)
    if errors:
        raise InvalidInput("the body is not a Profile: " + "; ".join(errors[:3]))
    return body


def _operation(
    operation_id: str, summary: str, scope: str | None, ok: str, errors: tuple[int, ...]
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": ok}}
    for status in errors:
        responses[str(status)] = {
            "description": "An error, as an Imsx_StatusInfo object.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Imsx"}}},
        }
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "responses": responses,
    }
    if scope is not None:
        operation["security"] = [{"OAuth2ACG": [scope]}]
    return operation


_IMSX_SCHEMA = {
    "type": "object",
    "required": ["imsx_codeMajor", "imsx_severity"],
    "properties": {
        "imsx_codeMajor": {"type": "string", "enum": ["failure", "processing", "success"]},
        "imsx_severity": {"type": "string", "enum": ["error", "status", "warning"]},
        "imsx_description": {"type": "string"},
        "imsx_codeMinor": {"type": "object"},
    },
}


def discovery_document(settings: Settings, api: Api) -> dict[str, Any]:
    """The Service Description Document for `api` (OB 3.0 §6.3, CLR 2.0 §6.3)."""
    base = settings.base_url
    info: dict[str, Any] = {
        "title": f"credstack {_TITLES[api]}",
        "version": _VERSIONS[api],
        "termsOfService": settings.terms_url or f"{base}/",
        "x-imssf-privacyPolicyUrl": settings.privacy_policy_url or f"{base}/",
    }
    if settings.service_image_url:
        info["x-imssf-image"] = settings.service_image_url
    errors = (400, 401, 403, 500)
    read = scope_uri(api, Scope.CREDENTIAL_READONLY)
    profile_read = scope_uri(api, Scope.PROFILE_READONLY)
    credentials = _operation(
        "getCredentials", "The learner's credentials.", read, "The credentials.", errors
    )
    credentials["parameters"] = [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in (
            ("limit", {"type": "integer", "minimum": 1, "maximum": STANDARDS_API_MAX_LIMIT}),
            ("offset", {"type": "integer", "minimum": 0}),
            ("since", {"type": "string", "format": "date-time"}),
        )
    ]
    paths: dict[str, Any] = {"get": credentials}
    if Scope.CREDENTIAL_UPSERT in OFFERED[api]:
        upsert = _operation(
            "upsertCredential",
            "Add a credential to the learner's wallet, or replace it (the same id).",
            scope_uri(api, Scope.CREDENTIAL_UPSERT),
            "It replaced the credential with the same id.",
            (400, 401, 403, 409, 413, 500),
        )
        upsert["responses"]["201"] = {"description": "It was added."}
        upsert["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}, "text/plain": {}},
        }
        paths["post"] = upsert
    profile_paths: dict[str, Any] = {
        "get": _operation(
            "getProfile", "The learner's profile.", profile_read, "The profile.", errors
        )
    }
    if Scope.PROFILE_UPDATE in OFFERED[api]:
        put = _operation(
            "putProfile",
            "Change the learner's name now; a new e-mail address once they confirm it.",
            scope_uri(api, Scope.PROFILE_UPDATE),
            "The profile, changed.",
            (400, 401, 403, 404, 413, 500),
        )
        put["responses"]["202"] = {
            "description": "The profile, with its name changed; the new e-mail address waits "
            "for the learner to follow the link mailed to it."
        }
        put["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
        profile_paths["put"] = put
    return {
        "openapi": "3.0.1",
        "info": info,
        "servers": [{"url": f"{base}/ims/{api.value}", "description": "credstack"}],
        "paths": {
            "/credentials": paths,
            "/profile": profile_paths,
            "/discovery": {
                "get": _operation(
                    "getServiceDescription",
                    "This document.",
                    None,
                    "The service description document.",
                    (500,),
                )
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization",
                    "x-imssf-name": "credstack",
                    "x-imssf-registrationUrl": base + OAUTH_PATHS["registration"],
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": base + OAUTH_PATHS["authorization"],
                            "tokenUrl": base + OAUTH_PATHS["token"],
                            "refreshUrl": base + OAUTH_PATHS["token"],
                            "scopes": {
                                scope_uri(api, s): described(scope_uri(api, s))
                                for s in OFFERED[api]
                            },
                        }
                    },
                }
            },
            "schemas": {"Imsx": _IMSX_SCHEMA},
        },
    }


def authorization_server_metadata(settings: Settings) -> dict[str, Any]:
    """The authorization server metadata (RFC 8414 §2): the endpoints the discovery documents
    name, the scopes a grant can hold, and exactly the grants, client authentication and PKCE
    methods the server accepts. Values the server does not have (a JWKS, introspection) are
    left out, as the RFC asks, rather than listed empty."""
    base = settings.base_url
    metadata: dict[str, Any] = {
        "issuer": base,
        "authorization_endpoint": base + OAUTH_PATHS["authorization"],
        "token_endpoint": base + OAUTH_PATHS["token"],
        "registration_endpoint": base + OAUTH_PATHS["registration"],
        "revocation_endpoint": base + OAUTH_PATHS["revocation"],
        "scopes_supported": [s for s in ALL_SCOPES if s in OFFERED_SCOPES],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "code_challenge_methods_supported": list(CODE_CHALLENGE_METHODS),
        "service_documentation": f"{base}/docs",
    }
    if settings.privacy_policy_url:
        metadata["op_policy_uri"] = settings.privacy_policy_url
    if settings.terms_url:
        metadata["op_tos_uri"] = settings.terms_url
    return metadata
