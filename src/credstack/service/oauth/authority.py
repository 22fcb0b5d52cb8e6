"""authlib's framework-agnostic authorization server, bound to one unit of work.

authlib does the protocol (parameter checks, PKCE, client authentication, token responses,
error shapes); this module gives it credstack's storage: clients, codes and tokens kept as
SHA-256 hashes, and time from `service.clock`. The HTTP edge hands it an `HttpCall` and
sends back the `HttpAnswer` it returns, so no web framework reaches the service layer.

Policy, stated once here: PKCE with S256 is required on every authorization request (plain is
refused); codes live `CODE_LIFETIME` and are used once; access tokens live
`ACCESS_LIFETIME`; refresh tokens live `REFRESH_LIFETIME` and rotate on every use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint, InvalidClientMetadataError
from authlib.oauth2.rfc7636 import CodeChallenge

from credstack.service import clock
from credstack.service.oauth.scopes import ALL_SCOPES, OFFERED_SCOPES
from credstack.store.models import OAuthClientRow, OAuthCodeRow, OAuthTokenRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "ACCESS_LIFETIME",
    "AUTH_METHODS",
    "CODE_CHALLENGE_METHODS",
    "CODE_LIFETIME",
    "GRANT_TYPES",
    "REFRESH_LIFETIME",
    "AuthorizationServerFor",
    "HttpAnswer",
    "HttpCall",
    "LearnerGrant",
    "digest",
]

ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=30)
CODE_LIFETIME = timedelta(minutes=5)
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
"""How a client may authenticate at the token and revocation endpoints."""
GRANT_TYPES = ("authorization_code", "refresh_token")
CODE_CHALLENGE_METHODS = ("S256",)
"""The only PKCE method accepted (RFC 7636 §4.2: plain protects nothing on a public channel)."""
_AUTH_METHODS = list(AUTH_METHODS)
_GRANT_TYPES = frozenset(GRANT_TYPES)
_MAX_REDIRECT_URIS = 10
_MAX_URI = 2000
_MAX_TEXT = 200
_MAX_LIST = 10
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class HttpCall:
    """What the edge saw: the method, the URL under the configured base URL, headers, the
    query and form pairs in order (repeats kept), and a JSON body if there was one."""

    method: str
    url: str
    headers: Mapping[str, str]
    params: tuple[tuple[str, str], ...] = ()
    json_body: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass(frozen=True)
class LearnerGrant:
    """The resource owner authlib hands around: the learner who consented."""

    learner_id: int

    def get_user_id(self) -> int:
        return self.learner_id


class _Headers(dict[str, str]):
    """Headers looked up without regard to case, as authlib asks for "Authorization"."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        super().__init__({k.lower(): v for k, v in headers.items()})

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._pairs = pairs

    @property
    def data(self) -> dict[str, str]:
        first: dict[str, str] = {}
        for key, value in self._pairs:
            first.setdefault(key, value)
        return first

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in self._pairs:
            values[key].append(value)
        return values


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, call: HttpCall) -> None:
        super().__init__(call.method, call.url, headers=_Headers(call.headers))
        self.payload = _Payload(call.params)
        self._call = call

    @property
    def args(self) -> dict[str, str]:
        return dict(self.payload.data)

    @property
    def form(self) -> dict[str, str]:
        return dict(self.payload.data)


class _JsonBody(JsonPayload):  # type: ignore[misc]
    def __init__(self, body: Mapping[str, Any] | None) -> None:
        self._body = dict(body or {})

    @property
    def data(self) -> dict[str, Any]:
        return self._body


class _JsonRequest(JsonRequest):  # type: ignore[misc]
    def __init__(self, call: HttpCall) -> None:
        super().__init__(call.method, call.url, _Headers(call.headers))
        self.payload = _JsonBody(call.json_body)


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, row: OAuthClientRow) -> None:
        self.row = row
        self.meta: dict[str, Any] = dict(row.client_metadata)

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.meta.get("redirect_uris") or []
        return str(uris[0]) if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        registered = [s for s in str(self.meta.get("scope", "")).split() if s in OFFERED_SCOPES]
        if not scope:
            return " ".join(registered)
        return " ".join(s for s in scope.split() if s in registered)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in (self.meta.get("redirect_uris") or [])

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.row.secret_hash, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return bool(method == self.meta.get("token_endpoint_auth_method", "client_secret_basic"))

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in (self.meta.get("grant_types") or ["authorization_code"])


class _Code:
    def __init__(self, row: OAuthCodeRow) -> None:
        self.row = row

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


class _Token(TokenMixin):  # type: ignore[misc]
    def __init__(self, row: OAuthTokenRow, client_id: str) -> None:
        self.row = row
        self._client_id = client_id

    def check_client(self, client: _Client) -> bool:
        return bool(client.get_client_id() == self._client_id)

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int(ACCESS_LIFETIME.total_seconds())

    def is_expired(self) -> bool:
        return clock.now() >= self.row.expires_at

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None


class _S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE on every authorization request, and only the S256 method (RFC 7636 §4.2: plain
    exists for clients that cannot hash; every client of these APIs can)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = list(CODE_CHALLENGE_METHODS)  # noqa: RUF012 - authlib's

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send a code_challenge (S256)")
        if data.get("code_challenge_method") not in CODE_CHALLENGE_METHODS:
            raise InvalidRequestError("only code_challenge_method=S256 is accepted")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: _Code) -> str:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: _Code) -> str:
        return authorization_code.row.code_challenge_method


def _uow(grant_or_endpoint: Any) -> UnitOfWork:
    server: AuthorizationServerFor = grant_or_endpoint.server
    return server.uow


class _CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = _AUTH_METHODS

    def save_authorization_code(self, code: str, request: _Request) -> None:
        client: _Client = request.client
        data = request.payload.data
        uow = _uow(self)
        uow.session.add(
            OAuthCodeRow(
                code_hash=digest(code),
                client_id=client.row.id,
                learner_id=request.user.learner_id,
                # Empty when the request named none (the one registered URI was used): then
                # the token request need not name it either (RFC 6749 §4.1.3).
                redirect_uri=data.get("redirect_uri") or "",
                scope=client.get_allowed_scope(data.get("scope")),
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                created_at=clock.now(),
                expires_at=clock.now() + CODE_LIFETIME,
            )
        )
        uow.session.flush()

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        row = (
            _uow(self)
            .session.query(OAuthCodeRow)
            .filter_by(code_hash=digest(code), client_id=client.row.id)
            .one_or_none()
        )
        if row is None or clock.now() >= row.expires_at:
            return None
        return _Code(row)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        """Spend the code; if a concurrent request spent it first, this one fails and its
        transaction (with the tokens it made) is not committed."""
        deleted = (
            _uow(self)
            .session.query(OAuthCodeRow)
            .filter_by(id=authorization_code.row.id)
            .delete(synchronize_session=False)
        )
        if deleted != 1:
            raise InvalidGrantError("the authorization code was already used")

    def authenticate_user(self, authorization_code: _Code) -> LearnerGrant:
        return LearnerGrant(authorization_code.row.learner_id)


class _RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = _AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> _Token | None:
        uow = _uow(self)
        row = uow.session.query(OAuthTokenRow).filter_by(refresh_hash=digest(refresh_token))
        found = row.one_or_none()
        if found is None or found.revoked_at is not None:
            return None
        if found.refresh_expires_at is None or clock.now() >= found.refresh_expires_at:
            return None
        client = uow.session.get(OAuthClientRow, found.client_id)
        return _Token(found, client.client_id if client else "")

    def authenticate_user(self, refresh_token: _Token) -> LearnerGrant:
        return LearnerGrant(refresh_token.row.learner_id)

    def revoke_old_credential(self, refresh_token: _Token) -> None:
        refresh_token.row.revoked_at = clock.now()


class _Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = _AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> _Token | None:
        uow = _uow(self)
        hashed = digest(token_string)
        rows = uow.session.query(OAuthTokenRow)
        found = rows.filter_by(access_hash=hashed).one_or_none()
        if found is None:
            found = rows.filter_by(refresh_hash=hashed).one_or_none()
        if found is None:
            return None
        client = uow.session.get(OAuthClientRow, found.client_id)
        return _Token(found, client.client_id if client else "")

    def revoke_token(self, token: _Token, request: _Request) -> None:
        """Either token of a pair ends both: a client giving one up gives up the grant."""
        if token.row.revoked_at is None:
            token.row.revoked_at = clock.now()


def _is_allowed_redirect(uri: object) -> bool:
    if not isinstance(uri, str) or len(uri) > _MAX_URI:
        return False
    parts = urlsplit(uri)
    if parts.fragment or not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in _LOOPBACK


_TEXT_FIELDS = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "scope",
    "token_endpoint_auth_method",
)
_LIST_FIELDS = ("redirect_uris", "grant_types", "response_types", "contacts")


def _bounded(metadata: Mapping[str, Any]) -> None:
    """Refuse metadata past the bounds its meaning gives, or of the wrong type, before
    authlib reads it."""
    for key in _TEXT_FIELDS:
        if key in metadata and not isinstance(metadata[key], str):
            raise InvalidClientMetadataError(f"{key}: give a string")
    for key in _LIST_FIELDS:
        value = metadata.get(key)
        if key in metadata and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            raise InvalidClientMetadataError(f"{key}: give a list of strings")
    if len(metadata) > 30:
        raise InvalidClientMetadataError("too many metadata fields")
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list) or not 1 <= len(uris) <= _MAX_REDIRECT_URIS:
        raise InvalidClientMetadataError(
            f"redirect_uris: give 1 to {_MAX_REDIRECT_URIS} redirect URIs"
        )
    if not all(_is_allowed_redirect(uri) for uri in uris):
        raise InvalidClientMetadataError(
            "redirect_uris: each must be an https URI without a fragment "
            "(http only for a loopback address)"
        )
    for key, value in metadata.items():
        if isinstance(value, str) and len(value) > (_MAX_URI if key.endswith("uri") else 2000):
            raise InvalidClientMetadataError(f"{key}: too long")
        if isinstance(value, list) and len(value) > _MAX_LIST:
            raise InvalidClientMetadataError(f"{key}: at most {_MAX_LIST} entries")
    if len(str(metadata.get("client_name", ""))) > _MAX_TEXT:
        raise InvalidClientMetadataError(f"client_name: at most {_MAX_TEXT} characters")
    if not str(metadata.get("scope", "")).split():
        raise InvalidClientMetadataError("scope: name the scopes the client will ask for")
    if not set(metadata.get("grant_types") or ["authorization_code"]) <= _GRANT_TYPES:
        raise InvalidClientMetadataError("grant_types: authorization_code and refresh_token")


class _Registration(ClientRegistrationEndpoint):  # type: ignore[misc]
    """Open registration, as the specs expect: any client may register, and gets nothing until
    a learner consents. Its metadata is bounded and its redirect URIs are https."""

    def authenticate_token(self, request: _JsonRequest) -> bool:
        return True

    def extract_client_metadata(self, request: _JsonRequest) -> dict[str, Any]:
        _bounded(request.payload.data)
        metadata: dict[str, Any] = super().extract_client_metadata(request)
        metadata.setdefault("token_endpoint_auth_method", "client_secret_basic")
        metadata.setdefault("grant_types", ["authorization_code"])
        metadata.setdefault("response_types", ["code"])
        return metadata

    def get_server_metadata(self) -> dict[str, Any]:
        return {
            "scopes_supported": list(ALL_SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": _AUTH_METHODS,
        }

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> OAuthClientRow:
        uow = _uow(self)
        row = OAuthClientRow(
            client_id=client_info["client_id"],
            secret_hash=digest(client_info["client_secret"]),
            client_metadata=client_metadata,
            created_at=clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        return row


class AuthorizationServerFor(AuthorizationServer):  # type: ignore[misc]
    """The authorization server for one unit of work (one request's transaction)."""

    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(scopes_supported=list(ALL_SCOPES))
        self.uow = uow
        self.register_grant(_CodeGrant, [_S256Only(required=True)])
        self.register_grant(_RefreshGrant)
        self.register_endpoint(_Revocation)
        self.register_endpoint(_Registration)
        seconds = int(ACCESS_LIFETIME.total_seconds())
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: generate_token(48),
                refresh_token_generator=lambda **_: generate_token(48),
                expires_generator=lambda _client, _grant: seconds,
            ),
        )

    def query_client(self, client_id: str) -> _Client | None:
        if not client_id or len(client_id) > 64:
            return None
        row = self.uow.session.query(OAuthClientRow).filter_by(client_id=client_id)
        found = row.one_or_none()
        return _Client(found) if found is not None else None

    def save_token(self, token: dict[str, Any], request: _Request) -> None:
        client: _Client = request.client
        now = clock.now()
        refresh = token.get("refresh_token")
        self.uow.session.add(
            OAuthTokenRow(
                access_hash=digest(token["access_token"]),
                refresh_hash=digest(refresh) if refresh else None,
                client_id=client.row.id,
                learner_id=request.user.learner_id,
                scope=token.get("scope", ""),
                issued_at=now,
                expires_at=now + timedelta(seconds=int(token["expires_in"])),
                refresh_expires_at=now + REFRESH_LIFETIME if refresh else None,
            )
        )
        self.uow.session.flush()

    def create_oauth2_request(self, request: HttpCall | _Request) -> _Request:
        return request if isinstance(request, _Request) else _Request(request)

    def create_json_request(self, request: HttpCall) -> _JsonRequest:
        return _JsonRequest(request)

    def handle_response(self, status: int, body: Any, headers: Any) -> HttpAnswer:
        text = body if isinstance(body, str) else json.dumps(body)
        return HttpAnswer(int(status), tuple((str(k), str(v)) for k, v in headers), text)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's hook for framework signals; credstack listens to none."""

    def client_of(self, client_id: str) -> _Client | None:
        return self.query_client(client_id)
