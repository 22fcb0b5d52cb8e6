"""The 1EdTech OB 3.0 / CLR 2.0 APIs end to end: a real server on each backend and a real
OAuth 2.0 client (authlib's httpx `OAuth2Client`) registering, walking the learner's consent
page with PKCE, calling the APIs, refreshing and revoking; and what must be refused."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from sqlalchemy import update

from credstack.config import Settings
from credstack.http.session import COOKIE_NAME
from credstack.limits import MAX_IMPORT_BYTES
from credstack.service.learners import profile, set_profile
from credstack.service.oauth.authority import digest
from credstack.service.people import add_issuer, add_user, grant_role, issue_token
from credstack.service.runtime import open_runtime
from credstack.service.sessions import SessionPolicy, open_learner_session
from credstack.store.models import OAuthTokenRow
from credstack.vc.clr import clr_structure_check
from credstack.vc.schema import schema_errors
from tests.conftest import BACKENDS, DatabaseFactory
from tests.helpers import Cli, free_port, running_server
from tests.integration.imports.foreign import Institution
from tests.integration.mail.conftest import MailServer
from tests.liveness import HANG
from tests.stories.driver import Story

SCHEMAS = Path(__file__).parent / "schemas"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/scope/"
READ = OB + "credential.readonly"
UPSERT = OB + "credential.upsert"
CAM = "cam@example.org"
PROFILE = OB + "profile.readonly"
UPDATE = OB + "profile.update"
DEE = "dee@example.org"
EVE = "eve@example.org"
CLR_UPSERT = CLR + "credential.upsert"
REDIRECT = "https://client.example/callback"
POLICY = SessionPolicy(idle=timedelta(hours=1), lifetime=timedelta(hours=2))


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


OFFICIAL = {
    "getcredentialsresponse.json": "official/ob_v3p0_getopenbadgecredentialsresponse.json",
    "imsx_statusinfo.json": "official/ob_v3p0_imsx_statusinfo.json",
    "profile.json": "official/ob_v3p0_profile.json",
    "clr_getcredentialsresponse.json": "official/clr_v2p0_getclrcredentialsresponse.json",
    "clr_clrcredential.json": "official/clr_v2p0_clrcredential.json",
    "clr_imsx_statusinfo.json": "official/clr_v2p0_imsx_statusinfo.json",
    "clr_profile.json": "official/clr_v2p0_profile.json",
}
"""The published 1EdTech schemas (see schemas/NOTICE.md); the service description document
has no published schema, so ours is a transcription of the spec's section."""


def _valid(document: object, name: str) -> None:
    """Valid against the published schema, read as the 1EdTech validator reads JSON-LD: a
    lone value where the schema wants an array is a one-element set (a lone `proof`)."""
    validator = jsonschema.Draft201909Validator(
        _schema(OFFICIAL.get(name, name)), format_checker=jsonschema.FormatChecker()
    )
    instance = json.loads(json.dumps(document))
    while True:
        lone = [
            e
            for e in validator.iter_errors(instance)
            if e.validator == "type"
            and e.validator_value == "array"
            and e.absolute_path
            and not isinstance(e.instance, list)
        ]
        if not lone:
            break
        for error in lone:
            *parents, last = list(error.absolute_path)
            parent = instance
            for part in parents:
                parent = parent[part]
            parent[last] = [parent[last]]
    validator.validate(instance)


def _valid_credential(document: dict[str, Any]) -> None:
    """The published AchievementCredential schema (JSON-LD flavour: a lone value is read as a
    one-element set, as the 1EdTech validator does; see `credstack.vc.schema`)."""
    assert schema_errors(document) == []


@dataclass
class Site:
    url: str
    cli: Cli
    sessions: dict[str, str]
    """Each learner's page session id (the cookie value)."""
    mail: MailServer
    """The real SMTP server the server's outbox delivers to."""
    staff_token: str
    clients: list[OAuth2Client]
    """Every OAuth client a test made, closed when the server stops."""


def _seed(cli: Cli) -> tuple[dict[str, str], str]:
    """Ben holds two CCRB credentials, Ana one, Cam, Dee and Eve (who have e-mail addresses)
    one each; all five are signed in; a staff admin exists."""
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            story.load("clinical-research-board.yaml")
            story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
            story.award("ben", "ccrb", "gcp-essentials", date(2026, 3, 10))
            story.award("ana", "ccrb", "ccrp", date(2026, 3, 11))
            story.award("cam", "ccrb", "gcp-essentials", date(2026, 3, 12))
            story.award("dee", "ccrb", "gcp-essentials", date(2026, 3, 13))
            story.award("eve", "ccrb", "gcp-essentials", date(2026, 3, 14))
            set_profile(uow, story.learner("cam"), name="Cam", email=CAM)
            set_profile(uow, story.learner("dee"), name="Dee", email=DEE)
            set_profile(uow, story.learner("eve"), name="Eve", email=EVE)
            sessions = {
                who: open_learner_session(uow, story.learner(who), POLICY)
                for who in ("ben", "ana", "cam", "dee", "eve")
            }
            other = add_issuer(uow, runtime.keys(uow), key="northwind", name="Northwind")
            user = add_user(uow, email="admin@northwind.example", name="admin")
            grant_role(uow, user=user, issuer=other, role="admin")
            staff = issue_token(uow, user=user, name="test")
            uow.commit()
        return sessions, staff
    finally:
        runtime.close()


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("obapi")
    databases = DatabaseFactory(str(request.param), tmp)
    port = free_port()
    mail = MailServer()
    cli = Cli(
        tmp / "data",
        databases.create(),
        base_url=f"http://127.0.0.1:{port}",
        settings={
            "CREDSTACK_RATE_SIGN_IN": "1000",
            "CREDSTACK_RATE_BAD_TOKEN": "1000",
            "CREDSTACK_SMTP_URL": f"smtp://127.0.0.1:{mail.port}",
        },
    )
    mail.up()
    try:
        sessions, staff = _seed(cli)
        with running_server(cli, "serve", port=port) as url:
            # The verification workers (upserts verify there) are up before any test's clock.
            warm = httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=120)
            assert warm.status_code == 200, warm.text
            site = Site(url, cli, sessions, mail, staff, [])
            yield site
            for client in site.clients:
                client.close()
    finally:
        mail.down()
        databases.drop_all()


def _register(
    site: Site,
    scope: str = f"{READ} {UPSERT} {PROFILE} {UPDATE} {CLR}credential.readonly "
    f"{CLR}profile.readonly {CLR}profile.update {CLR}credential.upsert",
) -> dict[str, Any]:
    answer = httpx.post(
        f"{site.url}/oauth/register",
        json={
            "client_name": "Wallet Example",
            "client_uri": "https://client.example/",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
            "scope": scope + " offline_access",
        },
        timeout=HANG,
    )
    assert answer.status_code == 201, answer.text
    registered: dict[str, Any] = answer.json()
    assert registered["client_id"] and registered["client_secret"]
    return registered


def _client(site: Site, registered: dict[str, Any], scope: str) -> OAuth2Client:
    client = OAuth2Client(
        registered["client_id"],
        registered["client_secret"],
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    site.clients.append(client)
    return client


def _browser(site: Site, learner: str) -> httpx.Client:
    return httpx.Client(
        base_url=site.url, cookies={COOKIE_NAME: site.sessions[learner]}, timeout=HANG
    )


def _consent(site: Site, learner: str, authorize_url: str, decision: str = "approve") -> str:
    """Walk the consent page as the signed-in learner; the Location the server sends back."""
    with _browser(site, learner) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200, page.text
        assert "Wallet Example" in page.text
        policy = page.headers["content-security-policy"]
        assert "form-action 'self' https://client.example;" in policy
        assert "script-src 'self';" in policy
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
        )
        assert fields["csrf"]
        fields["decision"] = decision
        answer = browser.post("/oauth/authorize", data=fields)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    return location


def _authorised(
    site: Site, learner: str = "ben", scope: str = f"{READ} {PROFILE} offline_access"
) -> tuple[OAuth2Client, dict[str, Any]]:
    registered = _register(site)
    client = _client(site, registered, scope)
    verifier = generate_token(48)
    url, _state = client.create_authorization_url(
        f"{site.url}/oauth/authorize", code_verifier=verifier
    )
    location = _consent(site, learner, url)
    token = client.fetch_token(
        f"{site.url}/oauth/token", authorization_response=location, code_verifier=verifier
    )
    return client, dict(token)


def test_discovery_documents_follow_the_spec(site: Site) -> None:
    for path, scope in (("/ims/ob/v3p0/discovery", READ), ("/ims/clr/v2p0/discovery", CLR)):
        answer = httpx.get(site.url + path, timeout=HANG)
        assert answer.status_code == 200
        document = answer.json()
        _valid(document, "servicedescriptiondocument.json")
        scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
        assert scheme["x-imssf-registrationUrl"] == f"{site.url}/oauth/register"
        flow = scheme["flows"]["authorizationCode"]
        assert flow["tokenUrl"] == flow["refreshUrl"] == f"{site.url}/oauth/token"
        assert any(s.startswith(scope.rsplit("/", 1)[0]) for s in flow["scopes"])
    spec = httpx.get(f"{site.url}/openapi.json", timeout=HANG).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["OAuth2ACG"]["type"] == "oauth2" and schemes["bearerToken"]["type"] == "http"


def test_the_rfc_8414_metadata_agrees_with_discovery_and_openapi(site: Site) -> None:
    answer = httpx.get(f"{site.url}/.well-known/oauth-authorization-server", timeout=HANG)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    metadata = answer.json()
    AuthorizationServerMetadata(metadata).validate()  # http is allowed for 127.0.0.1 only
    assert metadata["issuer"] == site.url
    for path in ("/ims/ob/v3p0/discovery", "/ims/clr/v2p0/discovery"):
        scheme = httpx.get(site.url + path, timeout=HANG).json()["components"]["securitySchemes"][
            "OAuth2ACG"
        ]
        flow = scheme["flows"]["authorizationCode"]
        assert flow["authorizationUrl"] == metadata["authorization_endpoint"]
        assert flow["tokenUrl"] == flow["refreshUrl"] == metadata["token_endpoint"]
        assert scheme["x-imssf-registrationUrl"] == metadata["registration_endpoint"]
        assert set(flow["scopes"]) <= set(metadata["scopes_supported"])
    spec = httpx.get(f"{site.url}/openapi.json", timeout=HANG).json()
    flow = spec["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]
    assert site.url + flow["authorizationUrl"] == metadata["authorization_endpoint"]
    assert site.url + flow["tokenUrl"] == metadata["token_endpoint"]
    assert set(flow["scopes"]) == set(metadata["scopes_supported"])
    assert httpx.get(metadata["service_documentation"], timeout=HANG).status_code == 200


def test_a_client_knowing_only_the_metadata_url_gets_in_and_out(site: Site) -> None:
    """Every endpoint the metadata lists answers, with the methods it lists, and what it does
    not list is refused: a client that reads nothing but the metadata document."""
    metadata = httpx.get(f"{site.url}/.well-known/oauth-authorization-server", timeout=HANG).json()
    registered = httpx.post(
        metadata["registration_endpoint"],
        json={
            "client_name": "Wallet Example",
            "redirect_uris": [REDIRECT],
            "grant_types": metadata["grant_types_supported"],
            "response_types": metadata["response_types_supported"],
            "token_endpoint_auth_method": "client_secret_post",
            "scope": " ".join(metadata["scopes_supported"]),
        },
        timeout=HANG,
    )
    assert registered.status_code == 201, registered.text
    client = OAuth2Client(
        registered.json()["client_id"],
        registered.json()["client_secret"],
        scope=READ,
        redirect_uri=REDIRECT,
        code_challenge_method=metadata["code_challenge_methods_supported"][0],
        # A client authenticates at both endpoints the way it registered.
        token_endpoint_auth_method="client_secret_post",
        revocation_endpoint_auth_method="client_secret_post",
    )
    site.clients.append(client)
    verifier = generate_token(48)
    url, _ = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier
    )
    location = _consent(site, "ben", url)
    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    assert token["scope"] == READ
    assert client.get(f"{site.url}/ims/ob/v3p0/credentials").status_code == 200
    revoked = client.revoke_token(metadata["revocation_endpoint"], token["access_token"])
    assert revoked.status_code == 200
    assert client.get(f"{site.url}/ims/ob/v3p0/credentials").status_code == 401

    # Not listed, so not accepted: another response type, another grant.
    with _browser(site, "ben") as browser:
        implicit = browser.get(
            metadata["authorization_endpoint"],
            params={"response_type": "token", "client_id": client.client_id, "scope": READ},
        )
    assert "unsupported_response_type" in implicit.headers.get("location", "") + implicit.text
    other = httpx.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
        timeout=HANG,
    )
    assert other.status_code == 400 and other.json()["error"] == "unsupported_grant_type"


def test_the_code_flow_with_pkce_reads_credentials_and_profile_then_refreshes_and_revokes(
    site: Site,
) -> None:
    client, token = _authorised(site)
    assert token["token_type"].lower() == "bearer" and token["expires_in"] == 3600
    assert set(token["scope"].split()) == {READ, PROFILE, "offline_access"}

    first = client.get(f"{site.url}/ims/ob/v3p0/credentials", params={"limit": 1})
    assert first.status_code == 200, first.text
    _valid(first.json(), "getcredentialsresponse.json")
    assert first.headers["x-total-count"] == "2"
    links = first.headers["link"]
    assert 'rel="next"' in links and 'rel="last"' in links and 'rel="first"' in links
    assert 'rel="prev"' not in links
    second = client.get(f"{site.url}/ims/ob/v3p0/credentials", params={"limit": 1, "offset": 1})
    assert 'rel="prev"' in second.headers["link"] and 'rel="next"' not in second.headers["link"]
    held = first.json()["credential"] + second.json()["credential"]
    assert len({c["id"] for c in held}) == 2
    for credential in held:
        _valid_credential(credential)
        assert credential["proof"]
    future = client.get(
        f"{site.url}/ims/ob/v3p0/credentials", params={"since": "2999-01-01T00:00:00Z"}
    )
    assert future.json() == {"credential": []} and future.headers["x-total-count"] == "0"

    me = client.get(f"{site.url}/ims/ob/v3p0/profile")
    assert me.status_code == 200
    _valid(me.json(), "profile.json")
    assert me.json()["name"] == "Ben"

    refreshed = client.refresh_token(f"{site.url}/oauth/token")
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    old = httpx.get(
        f"{site.url}/ims/ob/v3p0/profile",
        headers={"authorization": f"Bearer {token['access_token']}"},
        timeout=HANG,
    )
    assert old.status_code == 401  # the refreshed pair replaced the old one
    _valid(old.json(), "imsx_statusinfo.json")
    reuse = httpx.post(
        f"{site.url}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(client.client_id, client.client_secret),
        timeout=HANG,
    )
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"

    assert client.get(f"{site.url}/ims/ob/v3p0/profile").status_code == 200
    revoked = client.revoke_token(f"{site.url}/oauth/revoke", refreshed["access_token"])
    assert revoked.status_code == 200
    gone = client.get(f"{site.url}/ims/ob/v3p0/profile")
    assert gone.status_code == 401
    assert gone.headers["www-authenticate"].startswith("Bearer")
    _valid(gone.json(), "imsx_statusinfo.json")


def test_the_clr_api_returns_one_signed_record(site: Site) -> None:
    client, _token = _authorised(site, scope=f"{CLR}credential.readonly")
    answer = client.get(f"{site.url}/ims/clr/v2p0/credentials")
    assert answer.status_code == 200, answer.text
    _valid(answer.json(), "clr_getcredentialsresponse.json")
    (record,) = answer.json()["credential"]
    _valid(record, "clr_clrcredential.json")
    assert clr_structure_check(record).passed
    assert "ClrCredential" in record["type"] and record["proof"]
    assert len(record["credentialSubject"]["verifiableCredential"]) == 2
    assert answer.headers["x-total-count"] == "1"
    # The OB scope was not granted: the OB endpoints refuse with 403.
    refused = client.get(f"{site.url}/ims/ob/v3p0/credentials")
    assert refused.status_code == 403
    _valid(refused.json(), "imsx_statusinfo.json")


def test_each_client_sees_only_its_own_learner(site: Site) -> None:
    ben, _ = _authorised(site, "ben")
    ana, _ = _authorised(site, "ana")
    ben_ids = {c["id"] for c in ben.get(f"{site.url}/ims/ob/v3p0/credentials").json()["credential"]}
    ana_ids = {c["id"] for c in ana.get(f"{site.url}/ims/ob/v3p0/credentials").json()["credential"]}
    assert len(ben_ids) == 2 and len(ana_ids) == 1 and not ben_ids & ana_ids
    assert ana.get(f"{site.url}/ims/ob/v3p0/profile").json()["name"] == "Ana"


def test_pkce_plain_a_missing_challenge_a_wrong_verifier_and_a_reused_code_are_refused(
    site: Site,
) -> None:
    registered = _register(site)
    base = {
        "response_type": "code",
        "client_id": registered["client_id"],
        "redirect_uri": REDIRECT,
        "scope": READ,
        "state": "s1",
    }
    with _browser(site, "ben") as browser:
        plain = browser.get(
            "/oauth/authorize",
            params={**base, "code_challenge": "a" * 43, "code_challenge_method": "plain"},
        )
        none = browser.get("/oauth/authorize", params=base)
    for answer in (plain, none):
        assert answer.status_code in (302, 400)
        assert "Allow" not in answer.text
        where = answer.headers.get("location", "") + answer.text
        assert "invalid_request" in where

    client = _client(site, registered, READ)
    verifier = generate_token(48)
    url, _ = client.create_authorization_url(f"{site.url}/oauth/authorize", code_verifier=verifier)
    code = parse_qs(urlsplit(_consent(site, "ben", url)).query)["code"][0]
    auth = (registered["client_id"], registered["client_secret"])
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    wrong = httpx.post(
        f"{site.url}/oauth/token",
        data={**form, "code_verifier": generate_token(48)},
        auth=auth,
        timeout=HANG,
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    good = httpx.post(
        f"{site.url}/oauth/token", data={**form, "code_verifier": verifier}, auth=auth, timeout=HANG
    )
    assert good.status_code == 200, good.text
    again = httpx.post(
        f"{site.url}/oauth/token", data={**form, "code_verifier": verifier}, auth=auth, timeout=HANG
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_denying_consent_sends_access_denied_and_a_stranger_is_sent_to_sign_in(site: Site) -> None:
    registered = _register(site)
    client = _client(site, registered, READ)
    url, state = client.create_authorization_url(
        f"{site.url}/oauth/authorize", code_verifier=generate_token(48)
    )
    denied = parse_qs(urlsplit(_consent(site, "ben", url, decision="deny")).query)
    assert denied["error"] == ["access_denied"] and denied["state"] == [state]
    stranger = httpx.get(url, timeout=HANG)
    assert stranger.status_code == 303
    assert stranger.headers["location"].startswith("/signin?next=%2Foauth%2Fauthorize%3F")
    # A form posted without this browser's CSRF token is refused.
    with _browser(site, "ben") as browser:
        forged = browser.post("/oauth/authorize", data={"decision": "approve", "csrf": "x"})
    assert forged.status_code == 403


def test_registration_refuses_unsafe_redirects_and_unbounded_metadata(site: Site) -> None:
    for metadata in (
        {"redirect_uris": ["http://client.example/cb"], "scope": READ},
        {"redirect_uris": ["https://client.example/cb#frag"], "scope": READ},
        {"redirect_uris": [f"https://c.example/{i}" for i in range(11)], "scope": READ},
        {"redirect_uris": [REDIRECT], "scope": READ, "client_name": "x" * 201},
        {"redirect_uris": [REDIRECT], "scope": "https://example.org/other"},
        {"redirect_uris": [REDIRECT], "scope": READ, "grant_types": ["password"]},
        {"redirect_uris": [REDIRECT], "scope": READ, "grant_types": 5},
        {"redirect_uris": REDIRECT, "scope": READ},
        {"redirect_uris": [REDIRECT], "scope": READ, "client_name": {"en": "x"}},
        {"redirect_uris": [REDIRECT], "scope": [READ]},
    ):
        answer = httpx.post(f"{site.url}/oauth/register", json=metadata, timeout=HANG)
        assert answer.status_code == 400, metadata
        assert answer.json()["error"] == "invalid_client_metadata", answer.text
    loopback = httpx.post(
        f"{site.url}/oauth/register",
        json={"redirect_uris": ["http://127.0.0.1:9/cb"], "scope": READ},
        timeout=HANG,
    )
    assert loopback.status_code == 201


def test_tokens_of_one_kind_never_pass_for_the_other(site: Site) -> None:
    client, token = _authorised(site)
    bearer = {"authorization": f"Bearer {token['access_token']}"}
    staff_api = httpx.get(f"{site.url}/api/v1/learners/ben/awards", headers=bearer, timeout=HANG)
    assert staff_api.status_code == 403
    staff = {"authorization": f"Bearer {site.staff_token}"}
    ims = httpx.get(f"{site.url}/ims/ob/v3p0/credentials", headers=staff, timeout=HANG)
    assert ims.status_code == 401
    _valid(ims.json(), "imsx_statusinfo.json")
    nothing = httpx.get(f"{site.url}/ims/ob/v3p0/credentials", timeout=HANG)
    assert nothing.status_code == 401
    bad = client.get(f"{site.url}/ims/ob/v3p0/credentials", params={"limit": 0})
    assert bad.status_code == 400
    _valid(bad.json(), "imsx_statusinfo.json")
    for query in ({"limit": 101}, {"offset": -1}, {"since": "yesterday"}, {"limit": "x"}):
        answer = client.get(f"{site.url}/ims/ob/v3p0/credentials", params=query)
        assert answer.status_code == 400, query
        _valid(answer.json(), "imsx_statusinfo.json")


def test_an_expired_access_token_is_refused(site: Site) -> None:
    client, token = _authorised(site)
    runtime = open_runtime(
        Settings(site.cli.data_dir.resolve(), site.cli.database_url, site.cli.base_url)
    )
    try:
        with runtime.uow() as uow:
            uow.session.execute(
                update(OAuthTokenRow)
                .where(OAuthTokenRow.access_hash == digest(token["access_token"]))
                .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
            )
            uow.commit()
    finally:
        runtime.close()
    expired = client.get(f"{site.url}/ims/ob/v3p0/profile")
    assert expired.status_code == 401
    assert "expired" in expired.json()["imsx_description"]
    # The refresh token still works: that is what it is for.
    client.refresh_token(f"{site.url}/oauth/token", refresh_token=token["refresh_token"])
    assert client.get(f"{site.url}/ims/ob/v3p0/profile").status_code == 200


def test_the_code_flow_with_pkce_upserts_a_credential_from_elsewhere_then_refreshes_and_revokes(
    site: Site,
) -> None:
    client, token = _authorised(site, "cam", scope=f"{READ} {UPSERT} offline_access")
    assert set(token["scope"].split()) == {READ, UPSERT, "offline_access"}
    credentials = f"{site.url}/ims/ob/v3p0/credentials"
    before = client.get(credentials)
    assert before.status_code == 200 and before.headers["x-total-count"] == "1"
    (issued_here,) = before.json()["credential"]

    harbor = Institution()
    harbor.publish(site.cli.data_dir / "trusted")
    certificate = harbor.credential(CAM)
    _valid_credential(certificate)  # the request is an AchievementCredential
    added = client.post(credentials, json=certificate)
    assert added.status_code == 201, added.text
    _valid_credential(added.json())
    assert added.json() == certificate
    replaced = client.post(credentials, json=certificate)
    assert replaced.status_code == 200, replaced.text

    token_form = harbor.jwt(harbor.credential(CAM, achievement="hc-analytics-1", credits=3))
    as_jwt = client.post(credentials, content=token_form, headers={"content-type": "text/plain"})
    assert as_jwt.status_code == 201, as_jwt.text
    assert as_jwt.text == token_form

    after = client.get(credentials)
    _valid(after.json(), "getcredentialsresponse.json")
    held = after.json()["credential"]
    assert after.headers["x-total-count"] == "3"
    assert held[0] == issued_here and held[1] == certificate
    assert held[2]["credentialSubject"]["achievement"]["id"].endswith("hc-analytics-1")
    paged = client.get(credentials, params={"limit": 1, "offset": 2})
    assert paged.json()["credential"] == held[2:]

    # Refused, each as an Imsx_StatusInfo: someone else's, forged, unreadable, too large.
    forged = dict(certificate, name="Doctorate")
    for body, status, words in (
        (json.dumps(harbor.credential("someone@example.org")), 400, "not shown to be issued"),
        (json.dumps(forged), 400, "signature is invalid"),
        ("{not json", 400, "could not be read"),
        (" " * (MAX_IMPORT_BYTES + 1), 413, "at most"),
    ):
        answer = client.post(credentials, content=body)
        assert answer.status_code == status, answer.text
        _valid(answer.json(), "imsx_statusinfo.json")
        assert words in answer.json()["imsx_description"]
    assert client.get(credentials).headers["x-total-count"] == "3"

    refreshed = client.refresh_token(f"{site.url}/oauth/token")
    assert refreshed["access_token"] != token["access_token"]
    assert client.post(credentials, json=certificate).status_code == 200
    assert client.revoke_token(f"{site.url}/oauth/revoke", refreshed["access_token"]).status_code
    gone = client.post(credentials, json=certificate)
    assert gone.status_code == 401
    _valid(gone.json(), "imsx_statusinfo.json")


def test_upserting_needs_the_upsert_scope(site: Site) -> None:
    client, _token = _authorised(site, "cam", scope=f"{READ} offline_access")
    answer = client.post(f"{site.url}/ims/ob/v3p0/credentials", json=Institution().credential(CAM))
    assert answer.status_code == 403
    _valid(answer.json(), "imsx_statusinfo.json")
    assert "credential.upsert" in answer.json()["imsx_description"]
    anonymous = httpx.post(f"{site.url}/ims/ob/v3p0/credentials", json={}, timeout=HANG)
    assert anonymous.status_code == 401
    _valid(anonymous.json(), "imsx_statusinfo.json")


def _address_of(site: Site, learner: str) -> str | None:
    runtime = open_runtime(
        Settings(site.cli.data_dir.resolve(), site.cli.database_url, site.cli.base_url)
    )
    try:
        with runtime.uow(write=False) as uow:
            row = uow.learners.by_key(learner)
            assert row is not None
            return profile(uow, row).email
    finally:
        runtime.close()


def _confirmation_mailed(site: Site, to: str) -> str:
    """The path of the confirmation link in the newest message to `to`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in reversed(site.mail.inbox.messages):
            if message["To"] == to:
                part = message.get_body(("plain",))
                assert isinstance(part, EmailMessage)
                found = re.search(
                    r"http://\S+/email-change/[A-Za-z0-9_-]+", str(part.get_content())
                )
                assert found, part.get_content()
                return found.group(0).removeprefix(site.url)
        time.sleep(0.2)
    raise AssertionError(f"no confirmation link reached {to}")


def test_put_profile_changes_the_name_at_once_and_the_address_only_by_its_link(
    site: Site,
) -> None:
    client, token = _authorised(site, "dee", scope=f"{PROFILE} {UPDATE} offline_access")
    assert set(token["scope"].split()) == {PROFILE, UPDATE, "offline_access"}
    url = f"{site.url}/ims/ob/v3p0/profile"
    mine = client.get(url).json()
    _valid(mine, "profile.json")

    renamed = client.put(url, json={**mine, "name": "Dee Okafor"})
    assert renamed.status_code == 200, renamed.text
    _valid(renamed.json(), "profile.json")
    assert renamed.json()["name"] == "Dee Okafor" == client.get(url).json()["name"]
    assert "email" not in renamed.json()

    # A new address is only asked for: 202, and the learner is still who they were.
    moved = client.put(url, json={**mine, "name": "Dee Okafor", "email": "dee@new.example"})
    assert moved.status_code == 202, moved.text
    _valid(moved.json(), "profile.json")
    assert _address_of(site, "dee") == DEE
    link = _confirmation_mailed(site, "dee@new.example")
    with httpx.Client(
        base_url=site.url, timeout=HANG
    ) as browser:  # not signed in: the link is enough
        page = browser.get(link)  # a mail scanner's GET changes nothing
        assert page.status_code == 200 and "dee@new.example" in page.text
        assert _address_of(site, "dee") == DEE
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        done = browser.post(link, data={"csrf": csrf.group(1)})
        assert done.status_code == 200 and "dee@new.example" in done.text
        assert _address_of(site, "dee") == "dee@new.example"
        again = browser.post(link, data={"csrf": csrf.group(1)})
        assert again.status_code == 410 and "already been used" in again.text
        forged = browser.post(link, data={"csrf": "x"})
        assert forged.status_code == 403

    # Someone else's address: asked for (the answer reveals no account), refused at the link.
    taken = client.put(url, json={**mine, "email": CAM})
    assert taken.status_code == 202
    link = _confirmation_mailed(site, CAM)
    with httpx.Client(base_url=site.url, timeout=HANG) as browser:
        page = browser.get(link)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        refused = browser.post(link, data={"csrf": csrf.group(1)})
    assert refused.status_code == 409 and "another account" in refused.text
    assert _address_of(site, "dee") == "dee@new.example" and _address_of(site, "cam") == CAM

    # The CLR API's putProfile is the same operation under its own scope.
    clr_scope = f"{CLR}profile.update"
    clr, _ = _authorised(site, "dee", scope=f"{clr_scope} {CLR}profile.readonly")
    back = clr.put(f"{site.url}/ims/clr/v2p0/profile", json={**mine, "name": "Dee"})
    assert back.status_code == 200 and back.json()["name"] == "Dee"
    _valid(back.json(), "clr_profile.json")
    _valid(clr.get(f"{site.url}/ims/clr/v2p0/profile").json(), "clr_profile.json")
    refused = clr.get(f"{site.url}/ims/clr/v2p0/credentials")
    assert refused.status_code == 403
    _valid(refused.json(), "clr_imsx_statusinfo.json")


def test_put_profile_refuses_what_is_not_a_profile_and_needs_its_scope(site: Site) -> None:
    client, _ = _authorised(site, "dee", scope=f"{PROFILE} {UPDATE}")
    url = f"{site.url}/ims/ob/v3p0/profile"
    mine = client.get(url).json()
    for body, status, words in (
        (b"{not json", 400, "not JSON"),
        (b"[]", 400, "JSON object"),
        (json.dumps({"name": "X", "type": ["Profile"]}).encode(), 400, "'id' is a required"),
        (json.dumps({**mine, "type": ["Issuer"]}).encode(), 400, "type"),
        (json.dumps({**mine, "name": 7}).encode(), 400, "name"),
        (json.dumps({**mine, "name": "   "}).encode(), 400, "name"),
        (json.dumps({**mine, "id": f"{site.url}/learners/X"}).encode(), 400, "only"),
        (json.dumps({**mine, "email": "not an address"}).encode(), 400, "e-mail address"),
        (json.dumps({**mine, "description": "x" * 70_000}).encode(), 413, "at most"),
    ):
        answer = client.put(url, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == status, (body[:80], answer.text)
        _valid(answer.json(), "imsx_statusinfo.json")
        assert words in answer.json()["imsx_description"], answer.json()
    assert client.get(url).json()["name"] == mine["name"]

    reader, _ = _authorised(site, "dee", scope=PROFILE)
    refused = reader.put(url, json=mine)
    assert refused.status_code == 403
    _valid(refused.json(), "imsx_statusinfo.json")
    assert "profile.update" in refused.json()["imsx_description"]
    anonymous = httpx.put(url, json=mine, timeout=HANG)
    assert anonymous.status_code == 401


def test_the_clr_upsert_keeps_each_wrapped_credential_or_refuses_the_record(site: Site) -> None:
    client, token = _authorised(site, "eve", scope=f"{READ} {CLR_UPSERT}")
    assert set(token["scope"].split()) == {READ, CLR_UPSERT}
    url = f"{site.url}/ims/clr/v2p0/credentials"
    harbor = Institution(name="Harbor Two", url="https://two.harbor.example")
    harbor.publish(site.cli.data_dir / "trusted")
    first = harbor.credential(EVE)
    second = harbor.credential(EVE, achievement="hc-analytics-1", credits=3)
    conformant = harbor.clr(EVE, [first, second])
    _valid(conformant, "clr_clrcredential.json")
    # The spec's ClrSubject wraps credentials as objects; a VC-JWT inside is read too.
    record = harbor.clr(EVE, [first, harbor.jwt(second)])

    added = client.post(url, json=conformant)
    assert added.status_code == 201, added.text
    assert added.json() == conformant
    again = client.post(url, json=record)
    assert again.status_code == 200, again.text  # both replaced the ones with the same ids
    assert again.json() == record
    held = client.get(f"{site.url}/ims/ob/v3p0/credentials").json()["credential"]
    assert first in held and len(held) == 3  # the one issued here, and the two from Harbor
    for credential in held:
        _valid_credential(credential)

    # Refused whole, in words naming what: someone else's credential inside, a forged record,
    # an OB credential sent to the CLR endpoint, a record of credentials issued here.
    theirs = harbor.clr(EVE, [harbor.credential(EVE), harbor.credential("x@example.org")])
    forged = dict(record, name="A doctorate")
    for body, status, words in (
        (theirs, 400, "credential 2 in the record is not imported: it is not shown"),
        (forged, 400, "signature is invalid"),
        (first, 400, "not a ClrCredential"),
    ):
        answer = client.post(url, json=body)
        assert answer.status_code == status, answer.text
        _valid(answer.json(), "clr_imsx_statusinfo.json")
        assert words in answer.json()["imsx_description"], answer.json()
    assert client.get(f"{site.url}/ims/ob/v3p0/credentials").headers["x-total-count"] == "3"

    reader, _ = _authorised(site, "eve", scope=READ)
    refused = reader.post(url, json=record)
    assert refused.status_code == 403
    _valid(refused.json(), "clr_imsx_statusinfo.json")
