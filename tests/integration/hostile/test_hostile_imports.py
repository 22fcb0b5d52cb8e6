"""Issue 13: an import is verified in the verification workers, as `POST /api/v1/verify` is.

A learner's upload (the wallet form) and a client's upsertCredential are as hostile as any
anonymous verification: while several costly (but in-bounds) ones run, a real `credstack
serve` keeps answering `/healthz` fast, and hostile bodies get the verifier's clear 4xx.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from credstack.config import Settings
from credstack.http.session import COOKIE_NAME
from credstack.service import clock
from credstack.service.oauth.authority import digest
from credstack.service.runtime import open_runtime
from credstack.service.sessions import SessionPolicy, open_learner_session
from credstack.store.models import OAuthClientRow, OAuthTokenRow
from tests.conftest import BACKENDS, DatabaseFactory
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.hostile.support import heavy_credential, hostile_bodies
from tests.liveness import healthz_beside

UPSERT = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
POLICY = SessionPolicy(idle=timedelta(hours=1), lifetime=timedelta(hours=2))
ACCESS_TOKEN = "hostile-imports-access-token"


@dataclass(frozen=True)
class Served:
    url: str
    session: str
    """Max's page session (the cookie value)."""


def _seed(cli: Cli) -> str:
    """Max, with an e-mail address, signed in to the pages and holding an upsert token."""
    cli.ok("init")
    cli.ok("learner", "add", "max", "--name", "Max Muster", "--email", "max@example.org")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            learner = uow.learners.by_key("max")
            assert learner is not None
            session = open_learner_session(uow, learner, POLICY)
            client = OAuthClientRow(
                client_id="hostile", secret_hash=digest("secret"), client_metadata={}
            )
            uow.session.add(client)
            uow.session.flush()
            uow.session.add(
                OAuthTokenRow(
                    access_hash=digest(ACCESS_TOKEN),
                    refresh_hash=None,
                    client_id=client.id,
                    learner_id=learner.id,
                    scope=UPSERT,
                    expires_at=clock.now() + timedelta(hours=1),
                )
            )
            uow.commit()
        return session
    finally:
        runtime.close()


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("imports")
    databases = DatabaseFactory(str(request.param), tmp)
    port = free_port()
    cli = Cli(tmp / "data", databases.create(), base_url=f"http://127.0.0.1:{port}")
    try:
        session = _seed(cli)
        with running_server(cli, "serve", port=port) as url:
            answer = httpx.post(f"{url}/api/v1/verify", content=b"{}", timeout=120)
            assert answer.status_code == 200, answer.text  # the workers are up
            yield Served(url, session)
    finally:
        databases.drop_all()


def _upsert(served: Served, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{served.url}/ims/ob/v3p0/credentials",
        content=body,
        headers={"authorization": f"Bearer {ACCESS_TOKEN}", "content-type": "application/json"},
        timeout=60,
    )


@contextmanager
def _uploads(served: Served) -> Iterator[Callable[[bytes], httpx.Response]]:
    """Max's browser on the wallet page: posts a file to the import form."""
    with httpx.Client(
        base_url=served.url, cookies={COOKIE_NAME: served.session}, timeout=60
    ) as browser:
        csrf = form_csrf(browser, "/wallet")

        def post(body: bytes) -> httpx.Response:
            return browser.post(
                "/wallet/imports", files={"file": ("c.json", body)}, data={"csrf": csrf}
            )

        yield post


def test_costly_upserts_do_not_block_healthz(served: Served) -> None:
    heavy = heavy_credential(20_000)

    def send() -> int:
        return _upsert(served, heavy).status_code

    beside = healthz_beside(served.url, send)
    # Verified in the workers and refused (its tags were changed after signing), or past the
    # time budget.
    assert set(beside.statuses) <= {400, 503} and 400 in beside.statuses, beside
    assert beside.unblocked >= len(beside.overlapped) // 2, beside


def test_costly_wallet_uploads_do_not_block_healthz(served: Served) -> None:
    heavy = heavy_credential(20_000)
    with _uploads(served) as upload:
        _healthz_under_uploads(served, heavy, upload)


def _healthz_under_uploads(
    served: Served, heavy: bytes, upload: Callable[[bytes], httpx.Response]
) -> None:

    first = upload(heavy)
    # Refused once verified (its tags were changed after signing), or past the time budget
    # (503, as the API answers it).
    refused = first.status_code == 422 and "not imported: Not verified" in first.text
    timed_out = first.status_code == 503 and "did not finish within" in first.text
    assert refused or timed_out, first.text[-2000:]

    def send() -> int:
        return upload(heavy).status_code

    # Two, one per verification worker: each refusal also renders the whole wallet page in
    # the server's process, which is page work, not the verification this test is about.
    beside = healthz_beside(served.url, send, clients=2)
    assert set(beside.statuses) <= {422, 503} and 422 in beside.statuses, beside
    # Each verification takes seconds: done on the event loop, every sample would wait for one.
    assert beside.unblocked >= len(beside.overlapped) // 2, beside


def test_hostile_bodies_are_refused_by_the_upsert_and_the_wallet(served: Served) -> None:
    with _uploads(served) as upload:
        _each_hostile_body(served, upload)


def _each_hostile_body(served: Served, upload: Callable[[bytes], httpx.Response]) -> None:
    for name, (body, status) in hostile_bodies().items():
        if name == "a body over 1 MiB" or body.startswith(b"%PDF"):
            continue  # imports take 2 MiB and refuse PDFs before verifying (other tests)
        answer = _upsert(served, body)
        assert answer.status_code == (400 if status == 422 else status), (name, answer.text)
        assert answer.json()["imsx_description"], name
        page = upload(body)
        assert page.status_code == status, (name, page.text[-2000:])
        assert answer.json()["imsx_description"].split(".")[0] in html.unescape(page.text), name
