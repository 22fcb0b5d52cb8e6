"""The OAuth 2.0 authorization server's machine endpoints: its metadata (RFC 8414), client
registration (RFC 7591), the token endpoint (code with PKCE, refresh) and revocation (RFC 7009).
The learner's consent is a page (`web.consent_pages`). authlib writes every answer; this module
only carries the request in and the answer out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from credstack.http.deps import RuntimeDep
from credstack.http.oauth import Body, call_of, sent
from credstack.http.ratelimit import client_address, limiters
from credstack.service.oauth.flows import register_client, revoke_token, token
from credstack.service.standards_api import (
    METADATA_PATH,
    OAUTH_PATHS,
    authorization_server_metadata,
)

__all__ = ["router"]

router = APIRouter(tags=["OAuth 2.0"])


@router.get(METADATA_PATH)
def metadata(runtime: RuntimeDep) -> dict[str, Any]:
    """The authorization server metadata (RFC 8414): endpoints, scopes, grants, PKCE."""
    return authorization_server_metadata(runtime.settings)


@router.post(OAUTH_PATHS["registration"], status_code=201)
def register(request: Request, runtime: RuntimeDep, body: Body) -> Response:
    """Dynamic client registration (RFC 7591): the response holds the client's secret, once."""
    limiters(request).sign_in.spend(client_address(request))
    return sent(register_client(runtime, call_of(request, runtime, body, as_json=True)))


@router.post(OAUTH_PATHS["token"])
def token_endpoint(request: Request, runtime: RuntimeDep, body: Body) -> Response:
    """Exchange a code (with its PKCE verifier) or a refresh token for an access token."""
    return sent(token(runtime, call_of(request, runtime, body)))


@router.post(OAUTH_PATHS["revocation"])
def revoke(request: Request, runtime: RuntimeDep, body: Body) -> Response:
    """Revoke an access or refresh token (RFC 7009); the pair ends together."""
    return sent(revoke_token(runtime, call_of(request, runtime, body)))
