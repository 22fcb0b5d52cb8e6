"""Issue 10: a verification past its time budget is answered 503, and the server stays up.

The API and the wallet's import page verify in the same workers with the same budget, so a
time-out is the same 503 on both: the page shows it as the wallet with the message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import httpx

from credstack.http.session import COOKIE_NAME
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.integration.hostile.support import heavy_credential
from tests.integration.imports.test_import_edges import _session

TIMED_OUT = "the verification did not finish within 0.01 s"


@dataclass
class BudgetCli(Cli):
    """A server whose verifications may take 0.01 s: far less than the heavy credential needs."""

    def env(self) -> dict[str, str]:
        env = super().env()
        env["CREDSTACK_VERIFY_TIME_BUDGET"] = "0.01"
        return env


def test_a_verification_over_budget_gets_503_and_the_server_goes_on(
    tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    cli = BudgetCli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    cli.ok("learner", "add", "max", "--name", "Max Muster", "--email", "max@example.org")
    session = _session(cli, "max")
    heavy = heavy_credential(20_000)
    with running_server(cli, "serve", port=port) as url:
        slow = httpx.post(f"{url}/api/v1/verify", content=heavy, timeout=60)
        assert slow.status_code == 503
        assert slow.json()["error"].startswith(TIMED_OUT)
        with httpx.Client(base_url=url, cookies={COOKIE_NAME: session}, timeout=60) as browser:
            csrf = form_csrf(browser, "/wallet")
            page = browser.post(
                "/wallet/imports", files={"file": ("c.json", heavy)}, data={"csrf": csrf}
            )
        assert page.status_code == 503, page.text[-2000:]
        assert page.headers["content-type"].startswith("text/html")
        assert TIMED_OUT in html.unescape(page.text)
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
