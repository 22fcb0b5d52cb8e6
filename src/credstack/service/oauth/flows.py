"""The OAuth 2.0 use cases the HTTP edge calls: register a client, show and decide the
learner's consent, issue and refresh tokens, revoke them, and say whom a bearer token acts for.

Each owns its transaction and commits only when authlib answered with success, so a refused
request (a reused code, a wrong verifier) leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import InvalidScopeError, OAuth2Error

from credstack.errors import Forbidden, Unauthenticated
from credstack.service import clock
from credstack.service.actor import Actor, ActorKind
from credstack.service.oauth.authority import (
    AuthorizationServerFor,
    HttpAnswer,
    HttpCall,
    LearnerGrant,
    digest,
)
from credstack.service.oauth.scopes import described
from credstack.service.runtime import Runtime
from credstack.store.models import LearnerRow, OAuthClientRow, OAuthTokenRow

__all__ = [
    "ConsentRequest",
    "ScopeLine",
    "consent_decision",
    "consent_request",
    "delegate_of",
    "register_client",
    "revoke_token",
    "token",
]

_MAX_BEARER = 200
_CONSENT_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


@dataclass(frozen=True)
class ScopeLine:
    uri: str
    words: str


@dataclass(frozen=True)
class ConsentRequest:
    """What the learner is asked to approve, and the request's parameters to send back."""

    client_name: str
    client_uri: str | None
    redirect_origin: str
    """Where approving sends the browser (scheme and host), for the page and its policy."""
    scopes: tuple[ScopeLine, ...]
    params: tuple[tuple[str, str], ...]


def _answer(server: AuthorizationServerFor, call: HttpCall, error: OAuth2Error) -> HttpAnswer:
    answer: HttpAnswer = server.handle_error_response(server.create_oauth2_request(call), error)
    return answer


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _learner(actor: Actor) -> int:
    """Who may consent: a signed-in learner, and nobody else (not staff, not a client)."""
    if actor.kind is not ActorKind.LEARNER or actor.learner_id is None:
        raise Unauthenticated("sign in as a learner to let an application reach your record")
    return actor.learner_id


def register_client(runtime: Runtime, call: HttpCall) -> HttpAnswer:
    """RFC 7591 registration: 201 with the client's id and its secret (shown only here)."""
    with runtime.uow() as uow:
        server = AuthorizationServerFor(uow)
        answer: HttpAnswer = server.create_endpoint_response("client_registration", call)
        if answer.ok:
            uow.commit()
    return answer


def consent_request(runtime: Runtime, actor: Actor, call: HttpCall) -> ConsentRequest | HttpAnswer:
    """The consent page's content, or authlib's error answer for a malformed request (a
    redirect back to the client when its redirect URI is known good, else a 400)."""
    learner_id = _learner(actor)
    with runtime.uow(write=False) as uow:
        server = AuthorizationServerFor(uow)
        try:
            grant = server.get_consent_grant(call, end_user=LearnerGrant(learner_id))
        except OAuth2Error as error:
            return _answer(server, call, error)
        client = grant.client
        asked = client.get_allowed_scope(grant.request.payload.scope)
        if not asked:
            return _answer(server, call, InvalidScopeError())
        meta = client.meta
        data = grant.request.payload.data
        return ConsentRequest(
            client_name=str(meta.get("client_name") or client.get_client_id()),
            client_uri=meta.get("client_uri"),
            redirect_origin=_origin(str(grant.redirect_uri)),
            scopes=tuple(ScopeLine(uri, described(uri)) for uri in asked.split()),
            params=tuple((key, data[key]) for key in _CONSENT_PARAMS if data.get(key)),
        )


def consent_decision(
    runtime: Runtime, actor: Actor, call: HttpCall, *, approve: bool
) -> HttpAnswer:
    """The learner approved (a code for the client) or denied (`access_denied`): either way
    a redirect back to the client, or an error answer if the request is no longer valid."""
    learner_id = _learner(actor)
    with runtime.uow() as uow:
        learner = uow.session.get(LearnerRow, learner_id)
        if learner is None or learner.erased_at is not None:
            raise Forbidden("this learner's record is erased")
        server = AuthorizationServerFor(uow)
        grantee = LearnerGrant(learner_id)
        try:
            grant = server.get_consent_grant(call, end_user=grantee)
        except OAuth2Error as error:
            return _answer(server, call, error)
        answer: HttpAnswer = server.create_authorization_response(
            call, grant_user=grantee if approve else None, grant=grant
        )
        if answer.ok and approve:
            uow.commit()
    return answer


def token(runtime: Runtime, call: HttpCall) -> HttpAnswer:
    """The token endpoint: a code (with its PKCE verifier) or a refresh token for tokens."""
    with runtime.uow() as uow:
        server = AuthorizationServerFor(uow)
        answer: HttpAnswer = server.create_token_response(call)
        if answer.ok:
            uow.commit()
    return answer


def revoke_token(runtime: Runtime, call: HttpCall) -> HttpAnswer:
    """RFC 7009: 200 whether or not the token was known, so a client learns nothing."""
    with runtime.uow() as uow:
        server = AuthorizationServerFor(uow)
        answer: HttpAnswer = server.create_endpoint_response("revocation", call)
        if answer.ok:
            uow.commit()
    return answer


def delegate_of(runtime: Runtime, bearer: str) -> Actor | None:
    """The client an OAuth access token stands for, acting for its learner with the granted
    scopes; None if the token is unknown, expired or revoked, or its learner was erased.

    Only OAuth tokens are looked up here, and staff API tokens only in `service.sessions`,
    so neither kind of token is ever taken for the other."""
    if not bearer or len(bearer) > _MAX_BEARER:
        return None
    with runtime.uow(write=False) as uow:
        row = uow.session.query(OAuthTokenRow).filter_by(access_hash=digest(bearer)).one_or_none()
        if row is None or row.revoked_at is not None or clock.now() >= row.expires_at:
            return None
        learner = uow.session.get(LearnerRow, row.learner_id)
        client = uow.session.get(OAuthClientRow, row.client_id)
        if learner is None or learner.erased_at is not None or client is None:
            return None
        return Actor.delegate(learner.id, client.client_id, frozenset(row.scope.split()))
