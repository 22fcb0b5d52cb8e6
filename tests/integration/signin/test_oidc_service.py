"""Sign-in with an institution's provider as use cases, on SQLite and PostgreSQL: absent
unless set up, and a provider that does not answer is a sentence, quickly, not a hang; the
provider's discovery document and keys are kept between sign-ins, the keys fetched again when
the provider has a new one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from credstack.config import Oidc, Settings
from credstack.errors import CredstackError, NotFound
from credstack.service.actor import ANONYMOUS
from credstack.service.oidc import choose_account, finish_oidc, oidc_button, start_oidc
from credstack.service.oidc_cache import DEFAULT_KEPT, MAX_KEPT, kept_for
from credstack.service.people import add_learner
from credstack.service.runtime import Runtime, initialise
from credstack.service.sessions import SessionPolicy
from credstack.service.signin import SignedIn
from tests.helpers import free_port
from tests.integration.signin.conftest import BASE
from tests.integration.signin.provider import identity_provider, person
from tests.liveness import returns

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


@pytest.fixture
def plain(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    opened = initialise(Settings(tmp_path / "data", database_url, BASE))
    try:
        yield opened
    finally:
        opened.close()


def test_without_the_setting_there_is_no_button_and_nothing_to_start(plain: Runtime) -> None:
    assert oidc_button(plain) is None
    with pytest.raises(NotFound):
        start_oidc(plain, ANONYMOUS, "/wallet")
    with pytest.raises(NotFound):
        finish_oidc(plain, ANONYMOUS, flow="x", state="x", code="x", error=None, policy=POLICY)
    with pytest.raises(NotFound):
        choose_account(plain, ANONYMOUS, "x", "learner", POLICY)


def test_an_unreachable_provider_is_a_clear_refusal(plain: Runtime) -> None:
    silent = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    configured = replace(
        plain, settings=replace(plain.settings, oidc=Oidc(silent, "id", "secret", "Uni"))
    )
    assert oidc_button(configured) == "Uni"
    with pytest.raises(CredstackError, match="Uni could not be reached"):
        returns(lambda: start_oidc(configured, ANONYMOUS, "/wallet"))  # refused, not hung
    # A forged or foreign flow cookie is refused before anything is fetched.
    for forged in (None, "", "bm90IHNlYWxlZA", "A" * 3000):
        with pytest.raises(CredstackError, match="not started in this browser"):
            finish_oidc(
                configured, ANONYMOUS, flow=forged, state="s", code="c", error=None, policy=POLICY
            )
    with pytest.raises(CredstackError, match="start again"):
        choose_account(configured, ANONYMOUS, "bm90IHNlYWxlZA", "learner", POLICY)


def _signed_in(runtime: Runtime, sub: str) -> str:
    """A whole sign-in at the provider as `sub`: the session's role."""
    started = start_oidc(runtime, ANONYMOUS, "/wallet")
    answer = httpx.post(
        started.authorization_url, data={"sub": sub}, follow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, answer.text
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    done = finish_oidc(
        runtime,
        ANONYMOUS,
        flow=started.flow,
        state=back["state"][0],
        code=back["code"][0],
        error=None,
        policy=POLICY,
    )
    assert isinstance(done, SignedIn)
    return done.holder


def test_the_providers_documents_are_kept_and_new_keys_fetched(plain: Runtime) -> None:
    with plain.uow() as uow:
        add_learner(uow, key="ben", name="Ben", email="ben@example.org")
        uow.commit()
    people = [person("ben", "ben@example.org")]
    port = free_port()
    with identity_provider(people, port) as provider:
        runtime = replace(
            plain,
            settings=replace(plain.settings, oidc=Oidc(provider, "client", "secret", "Uni")),
        )
        first = _signed_in(runtime, "ben")
    # The provider is down: the kept discovery document still starts a sign-in.
    started = start_oidc(runtime, ANONYMOUS, "/wallet")
    assert started.authorization_url.startswith(provider + "/oauth2/authorize?")
    # Back on the same port with a new signing key: its ID tokens name a key the kept set
    # lacks, so the keys are fetched again and the sign-in holds.
    with identity_provider(people, port):
        assert _signed_in(runtime, "ben") == first
    # A provider's Cache-Control bounds how long: at most an hour, not at all if it says so.
    assert kept_for("public, max-age=600") == 600
    assert kept_for("max-age=999999") == MAX_KEPT
    assert kept_for("no-store") == kept_for("max-age=60, no-cache") == 0
    assert kept_for(None) == kept_for("public") == DEFAULT_KEPT
