"""The RFC 8414 authorization server metadata: well formed by authlib's own checks, and saying
exactly what the authorization server enforces (the live server test drives every endpoint)."""

from __future__ import annotations

from pathlib import Path

import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from credstack.config import Settings
from credstack.service.oauth.authority import AuthorizationServerFor
from credstack.service.oauth.scopes import OFFERED_SCOPES, Api, Scope, scope_uri
from credstack.service.standards_api import (
    OAUTH_PATHS,
    authorization_server_metadata,
    discovery_document,
)

BASE = "https://credentials.example.org"


def _settings(**extra: str) -> Settings:
    return Settings(Path("/nonexistent"), "sqlite://", BASE, **extra)  # type: ignore[arg-type]


def test_the_metadata_passes_authlibs_rfc_8414_checks() -> None:
    metadata = authorization_server_metadata(_settings())
    AuthorizationServerMetadata(metadata).validate()
    assert metadata["issuer"] == BASE
    for name, path in OAUTH_PATHS.items():
        assert metadata[f"{name}_endpoint"] == BASE + path
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert "op_tos_uri" not in metadata and "op_policy_uri" not in metadata


def test_grants_and_client_authentication_are_what_authlib_was_given() -> None:
    metadata = authorization_server_metadata(_settings())
    server = AuthorizationServerFor(uow=None)  # type: ignore[arg-type]  # never queried here
    granted = {grant.GRANT_TYPE for grant, _ in server._token_grants}
    assert set(metadata["grant_types_supported"]) == granted
    methods = metadata["token_endpoint_auth_methods_supported"]
    for grant, _ in server._token_grants:
        assert methods == grant.TOKEN_ENDPOINT_AUTH_METHODS
    (code_grant, (pkce,)) = server._token_grants[0]
    assert set(metadata["response_types_supported"]) == code_grant.RESPONSE_TYPES
    assert metadata["code_challenge_methods_supported"] == pkce.SUPPORTED_CODE_CHALLENGE_METHOD
    (revocation,) = server._endpoints["revocation"]
    assert metadata["revocation_endpoint_auth_methods_supported"] == revocation.CLIENT_AUTH_METHODS


def test_the_scopes_are_those_a_grant_can_hold_and_the_discovery_documents_offer() -> None:
    metadata = authorization_server_metadata(_settings())
    assert set(metadata["scopes_supported"]) == OFFERED_SCOPES
    # upsertCredential and putProfile are served for both APIs, each under its own scope.
    for api in Api:
        paths = discovery_document(_settings(), api)["paths"]
        for scope, operation in (
            (Scope.CREDENTIAL_UPSERT, paths["/credentials"]["post"]),
            (Scope.PROFILE_UPDATE, paths["/profile"]["put"]),
        ):
            assert scope_uri(api, scope) in metadata["scopes_supported"]
            assert operation["security"] == [{"OAuth2ACG": [scope_uri(api, scope)]}]
    for api in Api:
        document = discovery_document(_settings(), api)
        scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
        flow = scheme["flows"]["authorizationCode"]
        assert flow["authorizationUrl"] == metadata["authorization_endpoint"]
        assert flow["tokenUrl"] == flow["refreshUrl"] == metadata["token_endpoint"]
        assert scheme["x-imssf-registrationUrl"] == metadata["registration_endpoint"]
        assert set(flow["scopes"]) <= set(metadata["scopes_supported"])


@pytest.mark.parametrize(
    ("setting", "member"), [("terms_url", "op_tos_uri"), ("privacy_policy_url", "op_policy_uri")]
)
def test_configured_policy_pages_are_named_as_in_the_discovery_documents(
    setting: str, member: str
) -> None:
    url = "https://credentials.example.org/policy"
    settings = _settings(**{setting: url})
    metadata = authorization_server_metadata(settings)
    AuthorizationServerMetadata(metadata).validate()
    assert metadata[member] == url
    info = discovery_document(settings, Api.OB)["info"]
    named = info["termsOfService"] if setting == "terms_url" else info["x-imssf-privacyPolicyUrl"]
    assert named == url
