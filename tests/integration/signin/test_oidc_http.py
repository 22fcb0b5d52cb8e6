"""Sign-in with an institution's OpenID Connect provider, through the real server (`credstack
serve` in a subprocess) and a real provider (`oidc-provider-mock`, authlib's authorization
server in a thread on a free port), on SQLite and PostgreSQL.

The test plays the browser: it follows our redirect to the provider, submits the provider's
sign-in form as the person would, and follows the provider's redirect back with our cookies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from credstack.config import Settings
from credstack.service.people import add_learner, add_user
from credstack.service.runtime import open_runtime
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.signin.provider import identity_provider, person
from tests.integration.wallet.conftest import Seeded, seed

CLIENT_ID, CLIENT_SECRET = "credstack-test", "client-secret-for-tests"
INSTITUTION = "Example University"
CALLBACK = "/signin/oidc/callback"
PEOPLE = (
    person("ben", "Ben@Example.org"),  # the learner's address, in other letter case
    person("admin", "admin@ccrb.example"),
    person("ana-unverified", "ana@example.org", verified=False),
    person("outsider", "ben@elsewhere.org"),
    person("nobody", "nobody@example.org"),
    person("both", "both@example.org"),
)


@dataclass(frozen=True)
class Served:
    url: str
    provider: str
    seeded: Seeded
    both_id: str


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[Served]:
    with identity_provider(PEOPLE) as provider:
        port = free_port()
        settings = {
            "CREDSTACK_OIDC_ISSUER": provider,
            "CREDSTACK_OIDC_CLIENT_ID": CLIENT_ID,
            "CREDSTACK_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "CREDSTACK_OIDC_NAME": INSTITUTION,
            "CREDSTACK_OIDC_DOMAINS": "example.org, ccrb.example",
        }
        cli = Cli(tmp_path / "data", database_url, f"http://127.0.0.1:{port}", settings)
        cli.ok("init")
        runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
        try:
            seeded = seed(runtime)
            with runtime.uow() as uow:
                both = add_learner(uow, key="bo", name="Bo Both", email="both@example.org")
                add_user(uow, email="both@example.org", name="Bo Both (staff)")
                uow.commit()
                both_id = both.public_id
        finally:
            runtime.close()
        with running_server(cli, "serve", port=port) as url:
            yield Served(url, provider, seeded, both_id)


def _start(browser: httpx.Client, next_path: str = "") -> str:
    """Press "Sign in with ...": where our server sends the browser (the provider's page)."""
    page = browser.get("/signin" + (f"?next={next_path}" if next_path else ""))
    assert page.status_code == 200 and f"Sign in with {INSTITUTION}" in page.text
    started = browser.get("/signin/oidc/start", params={"next": next_path} if next_path else None)
    assert started.status_code == 303, started.text
    cookie = started.headers["set-cookie"]
    assert "credstack_oidc=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    return started.headers["location"]


def _at_provider(authorize: str, sub: str | None, **change: str) -> str:
    """Sign in at the provider as `sub` (None: press Deny); the URL it sends the browser back to.
    `change` alters the authorization request's parameters first (a meddling attacker)."""
    if change:
        parts = urlsplit(authorize)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()} | change
        authorize = urlunsplit(parts._replace(query=urlencode(query)))
    form = {"sub": sub} if sub is not None else {"action": "deny"}
    answer = httpx.post(authorize, data=form, follow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def _back(browser: httpx.Client, served: Served, redirect: str) -> httpx.Response:
    assert redirect.startswith(served.url + CALLBACK), redirect
    return browser.get(redirect.removeprefix(served.url))


def _sign_in(
    served: Served, sub: str | None, next_path: str = ""
) -> tuple[httpx.Client, httpx.Response]:
    browser = httpx.Client(base_url=served.url, timeout=60)
    return browser, _back(browser, served, _at_provider(_start(browser, next_path), sub))


def test_a_learner_signs_in_with_the_institution_and_sees_only_their_wallet(
    served: Served,
) -> None:
    s = served.seeded
    browser = httpx.Client(base_url=served.url, timeout=60)
    authorize = _start(browser)
    asked = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(served.provider + "/oauth2/authorize?")
    assert asked["response_type"] == ["code"] and asked["client_id"] == [CLIENT_ID]
    assert asked["redirect_uri"] == [served.url + CALLBACK]
    assert asked["code_challenge_method"] == ["S256"] and len(asked["code_challenge"][0]) == 43
    assert set(asked["scope"][0].split()) == {"openid", "email"}
    assert len(asked["state"][0]) >= 43 and len(asked["nonce"][0]) >= 43
    assert asked["state"] != asked["nonce"]

    done = _back(browser, served, _at_provider(authorize, "ben"))
    assert done.status_code == 303 and done.headers["location"] == "/wallet", done.text
    assert "credstack_session=" in done.headers["set-cookie"]
    wallet = browser.get("/wallet")
    assert wallet.status_code == 200 and "Benedikt Brandt" in wallet.text
    assert (
        "GCP Essentials" in wallet.text and f"/wallet/credentials/{s.ccrp}/badge.svg" in wallet.text
    )
    assert s.ana_gcp not in wallet.text and "Ana Lima" not in wallet.text
    assert browser.get(f"/learners/{s.ana_id}").status_code == 303  # to their own wallet
    # The same session as an e-mail link's: signing out ends it on the server.
    browser.post("/logout", data={"csrf": form_csrf(browser, "/wallet")})
    assert browser.get("/wallet").status_code == 303
    browser.close()

    # Staff: back where they were going, with their pages working.
    path = f"/learners/{s.ben_id}"
    browser, done = _sign_in(served, "admin", next_path=path)
    assert done.status_code == 303 and done.headers["location"] == path, done.text
    record = browser.get(path)
    assert record.status_code == 200 and "Benedikt Brandt" in record.text
    assert browser.get("/wallet").status_code == 403  # staff, not a learner
    browser.close()

    # An address of a learner and of a staff member: the person chooses, once.
    browser, done = _sign_in(served, "both")
    assert done.status_code == 200 and "Sign in to my wallet" in done.text
    assert "Sign in as staff" in done.text and "credstack_session" not in browser.cookies
    chosen = browser.post(
        "/signin/oidc/choose", data={"as": "learner", "csrf": form_csrf(browser, "/signin")}
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/wallet"
    assert "Bo Both" in browser.get("/wallet").text
    again = browser.post(
        "/signin/oidc/choose", data={"as": "staff", "csrf": form_csrf(browser, "/wallet")}
    )
    assert again.status_code == 400 and "start again" in again.text
    browser.close()


REFUSED = (
    ("ana-unverified", 403, f"{INSTITUTION} has not verified the address ana@example.org"),
    ("outsider", 403, "addresses at elsewhere.org cannot sign in with"),
    ("nobody", 403, "no learner or staff account here uses nobody@example.org"),
    (None, 400, f"{INSTITUTION} did not sign you in (access_denied)"),
)


def test_nobody_is_signed_in_by_a_refused_or_meddled_answer(served: Served) -> None:
    for sub, status, says in REFUSED:
        browser, done = _sign_in(served, sub)
        assert done.status_code == status, done.text
        assert says in done.text and "<h1>Sign in</h1>" in done.text  # the styled sign-in page
        assert "credstack_session" not in browser.cookies
        assert browser.get("/wallet").status_code == 303
        browser.close()

    browser = httpx.Client(base_url=served.url, timeout=60)
    back = _at_provider(_start(browser), "ben")
    parts = urlsplit(back)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    tampered = urlunsplit(parts._replace(query=urlencode(query | {"state": "x" * 43})))
    refused = _back(browser, served, tampered)
    assert refused.status_code == 400 and "does not belong to the sign-in" in refused.text
    assert "credstack_session" not in browser.cookies
    browser.close()

    # Another browser (no flow cookie) cannot use a code and state meant for this one.
    browser = httpx.Client(base_url=served.url, timeout=60)
    back = _at_provider(_start(browser), "ben")
    with httpx.Client(base_url=served.url, timeout=60) as elsewhere:
        stolen = _back(elsewhere, served, back)
        assert stolen.status_code == 400 and "not started in this browser" in stolen.text
    flow_cookie = browser.cookies["credstack_oidc"]
    assert _back(browser, served, back).status_code == 303  # the rightful browser signs in
    # Replayed with the same cookie put back: the provider has used the code up.
    with httpx.Client(base_url=served.url, timeout=60) as replay:
        replay.cookies.set("credstack_oidc", flow_cookie)
        again = _back(replay, served, back)
        assert again.status_code == 400 and "did not sign you in" in again.text
        assert "credstack_session" not in replay.cookies
    browser.close()

    # A nonce other than the one sealed in the browser: the ID token does not verify.
    browser = httpx.Client(base_url=served.url, timeout=60)
    back = _at_provider(_start(browser), "ben", nonce="n" * 43)
    changed = _back(browser, served, back)
    assert changed.status_code == 400 and "could not be verified" in changed.text
    assert "credstack_session" not in browser.cookies
    browser.close()
