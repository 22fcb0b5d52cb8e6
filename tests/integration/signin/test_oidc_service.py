"""Sign-in with an institution's provider as use cases, on SQLite and PostgreSQL: absent
unless set up, and a provider that does not answer is a sentence, quickly, not a hang."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from credstack.config import Oidc, Settings
from credstack.errors import CredstackError, NotFound
from credstack.limits import OIDC_TIMEOUT_SECONDS
from credstack.service.actor import ANONYMOUS
from credstack.service.oidc import choose_account, finish_oidc, oidc_button, start_oidc
from credstack.service.runtime import Runtime, initialise
from credstack.service.sessions import SessionPolicy
from tests.helpers import free_port
from tests.integration.signin.conftest import BASE

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
    began = time.monotonic()
    with pytest.raises(CredstackError, match="Uni could not be reached"):
        start_oidc(configured, ANONYMOUS, "/wallet")
    assert time.monotonic() - began < OIDC_TIMEOUT_SECONDS + 1
    # A forged or foreign flow cookie is refused before anything is fetched.
    for forged in (None, "", "bm90IHNlYWxlZA", "A" * 3000):
        with pytest.raises(CredstackError, match="not started in this browser"):
            finish_oidc(
                configured, ANONYMOUS, flow=forged, state="s", code="c", error=None, policy=POLICY
            )
    with pytest.raises(CredstackError, match="start again"):
        choose_account(configured, ANONYMOUS, "bm90IHNlYWxlZA", "learner", POLICY)
