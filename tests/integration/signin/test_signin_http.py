"""Sign-in by e-mail link through the real server (`credstack serve` in a subprocess, its
background sender delivering to a real SMTP server), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from credstack.config import Settings
from credstack.service.people import add_learner, add_user
from credstack.service.runtime import open_runtime
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.mail.conftest import MailServer

SENT = "If this address belongs to an account, a sign-in link is on its way."


@pytest.fixture
def cli(tmp_path: Path, database_url: str, mail_server: MailServer) -> Cli:
    port = free_port()
    settings = {
        "CREDSTACK_SMTP_URL": f"smtp://127.0.0.1:{mail_server.port}",
        "CREDSTACK_RATE_SIGN_IN_MAIL": "3",
    }
    return Cli(tmp_path / "data", database_url, f"http://127.0.0.1:{port}", settings)


def _people(cli: Cli) -> dict[str, str]:
    """Two learners and a staff member; the learners' public ids."""
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            ben = add_learner(uow, key="ben", name="Ben", email="ben@example.org")
            cleo = add_learner(uow, key="cleo", name="Cleo", email="cleo@example.org")
            add_user(uow, email="sam@example.org", name="Sam")
            uow.commit()
            return {"ben": ben.public_id, "cleo": cleo.public_id}
    finally:
        runtime.close()


def _link_mailed(cli: Cli, mail_server: MailServer, to: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in mail_server.inbox.messages:
            if message["To"] == to:
                part = message.get_body(("plain",))
                assert isinstance(part, EmailMessage)
                found = re.search(r"http://\S+/signin/[A-Za-z0-9_-]+", str(part.get_content()))
                assert found
                return found.group(0).removeprefix(cli.base_url)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in link reached {to}")


def _ask(client: httpx.Client, email: str, then: str = "") -> httpx.Response:
    csrf = form_csrf(client, f"/signin?next={then}" if then else "/signin")
    return client.post("/signin", data={"email": email, "next": then, "csrf": csrf})


def test_a_learner_signs_in_by_link_and_sees_only_their_own_record(
    cli: Cli, mail_server: MailServer
) -> None:
    cli.ok("init")
    ids = _people(cli)
    port = int(cli.base_url.rsplit(":", 1)[1])
    with running_server(cli, "serve", port=port) as url, httpx.Client(base_url=url) as browser:
        # No institution's provider is set up: no button, and its routes are not there.
        assert "Sign in with" not in browser.get("/signin").text
        for path in ("/signin/oidc/start", "/signin/oidc/callback?code=c&state=s"):
            assert browser.get(path).status_code == 404
        asked = _ask(browser, "ben@example.org")
        assert asked.status_code == 200 and SENT in asked.text
        cookie = asked.headers["set-cookie"]
        assert "credstack_signin=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        with httpx.Client(base_url=url) as stranger:
            nobody = _ask(stranger, "nobody@example.org")
            assert (nobody.status_code, SENT in nobody.text) == (200, True)

        link = _link_mailed(cli, mail_server, "ben@example.org")
        for _ in range(2):  # a scanner's GET signs nobody in and uses nothing up
            opened = browser.get(link)
            assert opened.status_code == 200 and "credstack_session" not in browser.cookies
            assert re.search(r"<button[^>]*>Sign in</button>", opened.text)
        with httpx.Client(base_url=url) as elsewhere:
            refused = elsewhere.get(link)
            assert refused.status_code == 400
            assert (
                "only in the browser where" in refused.text and "new sign-in link" in refused.text
            )

        csrf = form_csrf(browser, link)
        done = browser.post(link, data={"csrf": csrf, "as": "learner"})
        assert done.status_code == 303 and done.headers["location"] == "/wallet"
        session = done.headers["set-cookie"]
        assert "credstack_session=" in session and "HttpOnly" in session
        assert "SameSite=lax" in session and "Secure" not in session  # served over http here
        wallet = browser.get("/wallet")
        assert wallet.status_code == 200 and "Signed in as ben" in wallet.text
        # a signed-in learner's record is their wallet; nobody else's record is shown to them
        for whose in ("ben", "cleo"):
            moved = browser.get(f"/learners/{ids[whose]}")
            assert moved.status_code == 303 and moved.headers["location"] == "/wallet"

        again = browser.post(link, data={"csrf": form_csrf(browser, "/signin")})
        assert again.status_code == 410 and "already been used" in again.text

        browser.post("/logout", data={"csrf": form_csrf(browser, "/wallet")})
        signed_out = browser.get(f"/learners/{ids['ben']}")
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == f"/signin?next=/learners/{ids['ben']}"


def test_staff_sign_in_by_link_goes_back_where_they_were_going(
    cli: Cli, mail_server: MailServer
) -> None:
    cli.ok("init")
    _people(cli)
    port = int(cli.base_url.rsplit(":", 1)[1])
    with running_server(cli, "serve", port=port) as url, httpx.Client(base_url=url) as browser:
        page = browser.get("/signin?next=//evil.example/")
        assert 'name="next" value=""' in page.text  # another site is never a destination
        assert _ask(browser, "Sam@Example.org", "/employer").status_code == 200
        link = _link_mailed(cli, mail_server, "sam@example.org")
        done = browser.post(link, data={"csrf": form_csrf(browser, link)})
        assert done.status_code == 303 and done.headers["location"] == "/employer"
        assert "Signed in as sam@example.org" in browser.get("/").text
        assert browser.get("/signin/not-a-link").status_code == 400


def test_asking_is_rate_limited_per_address(cli: Cli) -> None:
    cli.ok("init")
    port = int(cli.base_url.rsplit(":", 1)[1])
    with running_server(cli, "serve", port=port) as url:
        answers = []
        for _ in range(4):
            with httpx.Client(base_url=url) as client:  # a new client each time: per address
                answers.append(_ask(client, "someone@example.org").status_code)
        assert answers == [200, 200, 200, 429]
