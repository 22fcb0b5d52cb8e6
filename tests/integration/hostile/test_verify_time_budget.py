"""Issue 10: a verification past its time budget is answered 503, and the server stays up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.helpers import Cli, free_port, running_server
from tests.integration.hostile.support import heavy_credential


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
    with running_server(cli, "serve", port=port) as url:
        slow = httpx.post(f"{url}/api/v1/verify", content=heavy_credential(20_000), timeout=60)
        assert slow.status_code == 503
        assert slow.json()["error"].startswith("the verification did not finish within 0.01 s")
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
