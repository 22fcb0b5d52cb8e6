"""The webhook commands and API against a real server: an admin adds an endpoint over HTTP,
an award made over HTTP reaches a real receiver from the server's own sender, and the CLI
lists, logs, redelivers and refuses as the API does."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from tests.helpers import Cli, free_port, running_server
from tests.integration.webhooks.conftest import Receiver


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    port = free_port()
    return Cli(
        tmp_path / "data",
        database_url,
        base_url=f"http://127.0.0.1:{port}",
        settings={"CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK": "1"},
    )


def _wait_for(receiver: Receiver, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(receiver.received) < count:
        assert time.monotonic() < deadline, f"received {len(receiver.received)} of {count}"
        time.sleep(0.2)


def test_an_award_over_http_reaches_the_receiver_from_the_servers_sender(
    cli: Cli, receiver: Receiver
) -> None:
    port = int(cli.base_url.rsplit(":", 1)[1])
    token = cli.ok("demo", "--no-serve").strip().rsplit(" ", 1)[1]
    auth = {"authorization": f"Bearer {token}"}
    with running_server(cli, "serve", port=port) as url:
        hooks = f"{url}/api/v1/issuers/northwind/webhooks"
        body = {"url": receiver.url, "events": ["credential.issued"]}
        assert httpx.post(hooks, json=body).status_code == 403
        refused = httpx.post(hooks, json={**body, "url": "https://192.168.1.10/in"}, headers=auth)
        assert refused.status_code == 422
        assert "private or reserved" in refused.json()["error"]
        made = httpx.post(hooks, json=body, headers=auth)
        assert made.status_code == 201, made.text
        secret, endpoint = made.json()["secret"], made.json()["endpoint"]["id"]
        listed = httpx.get(hooks, headers=auth)
        assert [e["id"] for e in listed.json()] == [endpoint]
        assert secret not in listed.text

        granted = httpx.post(
            f"{url}/api/v1/issuers/northwind/awards",
            json={"learner": "dana", "achievement": "spreadsheets-fundamentals"},
            headers=auth,
        )
        assert granted.status_code == 201, granted.text
        _wait_for(receiver, 1)
        payload = Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers)
        assert payload["type"] == "credential.issued"
        assert payload["data"]["achievement"]["id"] == "spreadsheets-fundamentals"

        delivered = httpx.get(f"{hooks}/deliveries", headers=auth).json()
        assert [d["status"] for d in delivered] == ["sent"]
        delivery = delivered[0]["id"]
        assert delivery == receiver.received[0].headers["webhook-id"]
        again = httpx.post(f"{hooks}/deliveries/{delivery}/redeliver", headers=auth)
        assert again.status_code == 202, again.text
        _wait_for(receiver, 2)
        assert receiver.received[1].headers["webhook-id"] == delivery

        # The CLI sees the same endpoint and log, and never the secret.
        listing = cli.ok("webhooks", "list", "--issuer", "northwind")
        assert endpoint in listing and secret not in listing
        log = cli.ok("webhooks", "deliveries", "--issuer", "northwind")
        assert delivery in log and "HTTP 204" in log
        assert cli.ok("webhooks", "deliveries", "--issuer", "northwind", "--failed") == (
            "no deliveries\n"
        )
        gone = httpx.delete(f"{hooks}/{endpoint}", headers=auth)
        assert gone.status_code == 204
        assert httpx.get(hooks, headers=auth).json() == []


def test_the_cli_prints_the_secret_once_and_refuses_clearly(cli: Cli, receiver: Receiver) -> None:
    cli.ok("demo", "--no-serve")
    added = cli.ok(
        "webhooks", "add", receiver.url, "--issuer", "northwind", "--events", "credential.revoked"
    )
    secret = next(w for w in added.split() if w.startswith("whsec_"))
    endpoint = added.split()[1]
    assert "not shown again" in added
    assert secret not in cli.ok("webhooks", "list", "--issuer", "northwind")
    rotated = cli.ok("webhooks", "rotate-secret", endpoint)
    assert "whsec_" in rotated and secret not in rotated
    private = cli.run(
        "webhooks", "add", "https://10.0.0.8/in", "--issuer", "northwind", "--events", "ce.short"
    )
    assert private.returncode != 0 and "Traceback" not in private.stderr
    assert "private or reserved" in private.stderr + private.stdout
    unknown = cli.run("webhooks", "redeliver", "no-such-delivery")
    assert unknown.returncode != 0 and "unknown webhook delivery" in unknown.stderr + unknown.stdout
    assert "removed" in cli.ok("webhooks", "remove", endpoint)
