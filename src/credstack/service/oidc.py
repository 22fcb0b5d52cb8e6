"""Sign-in with an institution's OpenID Connect provider (optional: `Settings.oidc`).

The authorization code flow with PKCE (S256). Starting it makes a `state`, a `nonce` and a
code verifier and hands them to the browser sealed (AES-256-GCM under the master key, with an
expiry inside), for a short-lived cookie: nothing is written to the database, the browser
cannot read or change them, and another browser does not have them. The provider's answer is
accepted only with that cookie and the same `state`; the code is exchanged with the verifier;
the ID token's signature is checked against the provider's published keys (joserfc, as
authlib's own OpenID client does) and its issuer, audience, expiry and nonce by authlib's
`CodeIDToken`. Only an address the provider says it verified (`email_verified: true`), and
only in the configured domains, is accepted; it finds the learner and staff account an
e-mail link would (`service.signin.accounts_of`) and opens the same server-side session.

Every call to the provider is bounded (`OIDC_TIMEOUT_SECONDS`, `MAX_OIDC_DOCUMENT_BYTES`, no
redirects), and every failure is a `CredstackError` with a sentence for the sign-in page. The
discovery document and the keys are kept between sign-ins (`oidc_cache`: as the provider's
Cache-Control allows, at most an hour; the keys fetched again for a key they lack).
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from credstack.config import Oidc
from credstack.errors import CredstackError, Forbidden, NotFound
from credstack.limits import MAX_OIDC_DOCUMENT_BYTES, OIDC_TIMEOUT_SECONDS
from credstack.service import clock
from credstack.service.actor import Actor
from credstack.service.oidc_cache import kept_for
from credstack.service.runtime import Runtime
from credstack.service.sessions import SessionPolicy
from credstack.service.signin import (
    AS_LEARNER,
    AS_STAFF,
    SignedIn,
    accounts_of,
    open_holder_session,
    safe_next,
)

__all__ = [
    "CALLBACK_PATH",
    "CHOICE_LIFETIME",
    "FLOW_LIFETIME",
    "OidcChoice",
    "OidcStarted",
    "choose_account",
    "finish_oidc",
    "oidc_button",
    "start_oidc",
]

CALLBACK_PATH = "/signin/oidc/callback"
FLOW_LIFETIME = timedelta(minutes=10)
"""From pressing the button to coming back from the provider."""
CHOICE_LIFETIME = timedelta(minutes=5)
"""To choose wallet or staff pages when one address is both."""
_SCOPE = "openid email"
_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
"""Public-key signatures only: a provider's ID token is never checked with a shared secret."""
_FLOW_CONTEXT = "oidc-flow"
_CHOICE_CONTEXT = "oidc-choice"
_MAX_SEALED = 2000
_MAX_PARAM = 2000
_LEEWAY_SECONDS = 60
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_METADATA, _KEYS = "metadata", "keys"


def _config(runtime: Runtime) -> Oidc:
    config = runtime.settings.oidc
    if config is None:
        raise NotFound("sign-in with an institution is not set up here")
    return config


def oidc_button(runtime: Runtime) -> str | None:
    """The institution's name for the sign-in page's button, or None: no button."""
    config = runtime.settings.oidc
    return config.name if config is not None else None


def _seal(runtime: Runtime, value: dict[str, Any], context: str) -> str:
    sealed = runtime.master.seal(json.dumps(value).encode(), context)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _open(runtime: Runtime, sealed: str | None, context: str, why: str) -> dict[str, Any]:
    """The sealed value if this server sealed it for `context` and it has not expired."""
    if not sealed or len(sealed) > _MAX_SEALED:
        raise CredstackError(why)
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        value = json.loads(runtime.master.open(raw, context))
    except (CredstackError, ValueError):
        raise CredstackError(why) from None
    if not isinstance(value, dict) or clock.now().timestamp() >= float(value.get("exp", 0)):
        raise CredstackError(why)
    return value


def _unreachable(config: Oidc) -> CredstackError:
    return CredstackError(
        f"{config.name} could not be reached to sign you in; try again, or ask for an e-mail link"
    )


def _json(config: Oidc, client: httpx.Client, request: httpx.Request) -> dict[str, Any]:
    """One bounded call to the provider, answered with a JSON object."""
    return _json_kept(config, client, request)[0]


def _json_kept(
    config: Oidc, client: httpx.Client, request: httpx.Request
) -> tuple[dict[str, Any], float]:
    """`_json`, and the seconds the answer may be kept (its `Cache-Control`)."""
    try:
        with client.stream(
            request.method, request.url, headers=request.headers, content=request.content
        ) as answer:
            body = bytearray()
            for chunk in answer.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_OIDC_DOCUMENT_BYTES:
                    raise _unreachable(config)
            status = answer.status_code
            kept = kept_for(answer.headers.get("cache-control"))
    except httpx.HTTPError:
        raise _unreachable(config) from None
    try:
        value = json.loads(body)
    except ValueError:
        raise _unreachable(config) from None
    if not isinstance(value, dict):
        raise _unreachable(config)
    if status != 200:
        code = value.get("error")
        shown = code if isinstance(code, str) and code.isascii() and len(code) < 60 else status
        raise CredstackError(f"{config.name} did not sign you in ({shown}); start again")
    return value, kept


def _endpoint(config: Oidc, metadata: Mapping[str, Any], name: str) -> str:
    """An endpoint the discovery document names: https, or http on this machine when the
    issuer itself is (a test's or developer's provider)."""
    url = metadata.get(name)
    parts = urlsplit(url) if isinstance(url, str) else None
    local_issuer = urlsplit(config.issuer).scheme == "http"
    if (
        parts is None
        or not parts.hostname
        or not (
            parts.scheme == "https"
            or (local_issuer and parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS)
        )
    ):
        raise _unreachable(config)
    assert isinstance(url, str)
    return url


def _discover(runtime: Runtime, config: Oidc, client: httpx.Client) -> Mapping[str, Any]:
    """The provider's metadata, kept or fetched; its `issuer` must be the one configured
    (OIDC Discovery)."""
    kept = runtime.caches.oidc.get(config.issuer, _METADATA)
    if kept is not None:
        return kept
    url = config.issuer + "/.well-known/openid-configuration"
    metadata, seconds = _json_kept(config, client, client.build_request("GET", url))
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer:
        raise _unreachable(config)
    runtime.caches.oidc.put(config.issuer, _METADATA, metadata, seconds)
    return metadata


def _keys(
    runtime: Runtime,
    config: Oidc,
    client: httpx.Client,
    metadata: Mapping[str, Any],
    kid: str | None,
    *,
    refresh: bool = False,
) -> tuple[dict[str, Any], bool]:
    """The provider's key set, and whether it was fetched just now: the kept one unless it
    lacks the key the token names (the provider rotated its keys) or `refresh`."""
    kept = None if refresh else runtime.caches.oidc.get(config.issuer, _KEYS)
    if kept is not None and (kid is None or kid in _kids(kept)):
        return dict(kept), False
    url = _endpoint(config, metadata, "jwks_uri")
    keys, seconds = _json_kept(config, client, client.build_request("GET", url))
    runtime.caches.oidc.put(config.issuer, _KEYS, keys, seconds)
    return keys, True


def _kids(keys: Mapping[str, Any]) -> set[str]:
    listed = keys.get("keys")
    if not isinstance(listed, list):
        return set()
    return {str(key["kid"]) for key in listed if isinstance(key, dict) and "kid" in key}


def _kid(id_token: str) -> str | None:
    """The `kid` in the ID token's header, read only to choose the key set (the signature
    is then checked as usual)."""
    try:
        header = json.loads(base64.urlsafe_b64decode(_padded(id_token.split(".", 1)[0])))
    except (ValueError, TypeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)


def _client() -> httpx.Client:
    return httpx.Client(timeout=OIDC_TIMEOUT_SECONDS, follow_redirects=False)


def _callback(runtime: Runtime) -> str:
    return runtime.settings.base_url + CALLBACK_PATH


@dataclass(frozen=True)
class OidcStarted:
    authorization_url: str
    """Where to send the browser: the provider's sign-in page."""
    flow: str
    """For the browser's cookie: the sealed state, nonce and code verifier."""


def start_oidc(runtime: Runtime, _actor: Actor, next_path: str | None = None) -> OidcStarted:
    """Begin a sign-in at the institution's provider; anyone may, and nothing is stored."""
    config = _config(runtime)
    with _client() as client:
        metadata = _discover(runtime, config, client)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    url = add_params_to_uri(
        _endpoint(config, metadata, "authorization_endpoint"),
        [
            ("response_type", "code"),
            ("client_id", config.client_id),
            ("redirect_uri", _callback(runtime)),
            ("scope", _SCOPE),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", create_s256_code_challenge(verifier)),
            ("code_challenge_method", "S256"),
        ],
    )
    expires = (clock.now() + FLOW_LIFETIME).timestamp()
    flow = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": safe_next(next_path),
        "exp": expires,
    }
    return OidcStarted(url, _seal(runtime, flow, _FLOW_CONTEXT))


@dataclass(frozen=True)
class OidcChoice:
    """The address is a learner's and a staff member's: the person chooses, as with a link."""

    choices: tuple[str, ...]
    sealed: str
    """For the browser's cookie: who was proven, until `CHOICE_LIFETIME`."""


def _id_token_claims(
    runtime: Runtime,
    config: Oidc,
    client: httpx.Client,
    metadata: Mapping[str, Any],
    token: dict[str, Any],
    nonce: str,
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
    id_token, access_token = token.get("id_token"), token.get("access_token")
    if not isinstance(id_token, str) or len(id_token) > MAX_OIDC_DOCUMENT_BYTES:
        raise CredstackError(f"{config.name} sent no usable ID token; start again")
    keys, fresh = _keys(runtime, config, client, metadata, _kid(id_token))
    refused = CredstackError(f"{config.name}'s answer could not be verified; start again")
    try:
        decoded = _signed(id_token, keys)
    except (JoseError, ValueError, KeyError, TypeError):
        if fresh:
            raise refused from None
        # Kept keys, and a token that names none or names one of them: the provider may have
        # signed with a new key all the same. Its keys once more, then the answer stands.
        keys, _ = _keys(runtime, config, client, metadata, None, refresh=True)
        try:
            decoded = _signed(id_token, keys)
        except (JoseError, ValueError, KeyError, TypeError):
            raise refused from None
    try:
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": config.issuer},
                "aud": {"essential": True, "value": config.client_id},
            },
            {
                "nonce": nonce,
                "client_id": config.client_id,
                "access_token": access_token if isinstance(access_token, str) else None,
            },
        )
        claims.validate(now=int(clock.now().timestamp()), leeway=_LEEWAY_SECONDS)
    except (JoseError, ValueError, KeyError, TypeError):
        raise refused from None
    return dict(claims)


def _signed(id_token: str, keys: dict[str, Any]) -> jwt.Token:
    """The token once its signature holds under one of `keys` (public-key algorithms only)."""
    return jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=_ALGORITHMS)  # type: ignore[arg-type]


def _verified_email(config: Oidc, claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        raise Forbidden(f"{config.name} did not tell us your e-mail address")
    if claims.get("email_verified") is not True:
        raise Forbidden(
            f"{config.name} has not verified the address {email}; ask for an e-mail link instead"
        )
    domain = email.rsplit("@", 1)[1].lower()
    if config.domains and domain not in config.domains:
        raise Forbidden(
            f"addresses at {domain} cannot sign in with {config.name}; "
            "ask for an e-mail link instead"
        )
    return email


def _token(
    runtime: Runtime,
    config: Oidc,
    client: httpx.Client,
    metadata: Mapping[str, Any],
    code: str,
    verifier: str,
) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier), authenticating as the client (RFC 6749
    2.3.1: basic auth over the form-encoded id and secret)."""
    request = client.build_request(
        "POST",
        _endpoint(config, metadata, "token_endpoint"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _callback(runtime),
            "code_verifier": verifier,
        },
        headers={"accept": "application/json"},
    )
    basic = f"{quote(config.client_id, safe='')}:{quote(config.client_secret, safe='')}"
    request.headers["authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
    return _json(config, client, request)


def finish_oidc(
    runtime: Runtime,
    _actor: Actor,
    *,
    flow: str | None,
    state: str | None,
    code: str | None,
    error: str | None,
    policy: SessionPolicy,
) -> SignedIn | OidcChoice:
    """The provider sent the browser back: check everything, then sign the person in (or let
    them choose, when the address is a learner's and a staff member's)."""
    config = _config(runtime)
    if error is not None:  # signs nobody in, so said even without a matching state
        shown = error if error.isascii() and error.replace("_", "").isalnum() else "error"
        raise CredstackError(f"{config.name} did not sign you in ({shown[:60]})")
    started = _open(
        runtime,
        flow,
        _FLOW_CONTEXT,
        f"this sign-in with {config.name} was not started in this browser, or took too long; "
        "start again",
    )
    if (
        not state
        or len(state) > _MAX_PARAM
        or not hmac.compare_digest(state.encode(), str(started["state"]).encode())
    ):
        raise CredstackError(
            f"the answer from {config.name} does not belong to the sign-in started in this "
            "browser; start again"
        )
    if not code or len(code) > _MAX_PARAM:
        raise CredstackError(f"{config.name} sent no sign-in code; start again")
    with _client() as client:
        metadata = _discover(runtime, config, client)
        token = _token(runtime, config, client, metadata, code, str(started["verifier"]))
        claims = _id_token_claims(runtime, config, client, metadata, token, str(started["nonce"]))
    email = _verified_email(config, claims)
    next_path = safe_next(started.get("next"))
    with runtime.uow() as uow:
        learner, user = accounts_of(uow, email)
        choices = tuple(
            choice for choice, who in ((AS_LEARNER, learner), (AS_STAFF, user)) if who is not None
        )
        if not choices:
            raise Forbidden(f"no learner or staff account here uses {email}")
        learner_id = learner.id if learner is not None else None
        user_id = user.id if user is not None else None
        if len(choices) > 1:
            expires = (clock.now() + CHOICE_LIFETIME).timestamp()
            proven = {"learner": learner_id, "user": user_id, "next": next_path, "exp": expires}
            return OidcChoice(choices, _seal(runtime, proven, _CHOICE_CONTEXT))
        session_id, public_id = open_holder_session(uow, choices[0], learner_id, user_id, policy)
        uow.commit()
    return SignedIn(session_id, choices[0], public_id, next_path)


def choose_account(
    runtime: Runtime,
    _actor: Actor,
    sealed: str | None,
    choice: str | None,
    policy: SessionPolicy,
) -> SignedIn:
    """Sign in as the learner or the staff member the provider proved, as chosen."""
    config = _config(runtime)
    proven = _open(
        runtime,
        sealed,
        _CHOICE_CONTEXT,
        f"this sign-in with {config.name} took too long or was not made in this browser; "
        "start again",
    )
    learner_id, user_id = proven.get("learner"), proven.get("user")
    with runtime.uow() as uow:
        session_id, public_id = open_holder_session(
            uow,
            choice,
            learner_id if isinstance(learner_id, int) else None,
            user_id if isinstance(user_id, int) else None,
            policy,
        )
        uow.commit()
    next_path = proven.get("next")
    return SignedIn(
        session_id,
        str(choice),
        public_id,
        safe_next(next_path if isinstance(next_path, str) else None),
    )
