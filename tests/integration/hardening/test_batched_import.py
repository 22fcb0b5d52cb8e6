"""A big import and another tenant's writes at once, on SQLite: nobody waits long.

Issue 10: a 6,000-row import held SQLite's only write lock for its whole run, so another
tenant's request failed after 30 s. A partial import now commits in batches and steps aside
after each, so the other tenant's writes wait for one batch at most.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.helpers import running_server
from tests.integration.hardening.tenants import installation, tenant

ROWS = 300


def _import_file() -> str:
    rows = "".join(
        f"b{n},Learner {n},ebola-exam,big-{n},2026-05-02T09:00:00+00:00,{10 + n % 25}\n"
        for n in range(ROWS)
    )
    return "learner,learner_name,assessment,attempt_id,sat_at,score\n" + rows


def test_a_long_import_lets_another_tenant_write(tmp_path: Path) -> None:
    cli, port = installation(tmp_path, f"sqlite:///{tmp_path / 'data' / 'credstack.db'}")
    tmcb = tenant(cli, "tmcb", "amy@tmcb.example")
    northwind = tenant(cli, "northwind", "nia@northwind.example")
    with running_server(cli, "serve", port=port) as url:
        imported: list[httpx.Response] = []

        def big_import() -> None:
            imported.append(
                httpx.post(
                    f"{url}/api/v1/issuers/tmcb/results/import?add_learners=true&partial=true",
                    content=_import_file(),
                    headers={"authorization": f"Bearer {tmcb}", "content-type": "text/csv"},
                    timeout=600,
                )
            )

        importer = threading.Thread(target=big_import)
        importer.start()
        waits: list[int] = []
        n = 0
        while importer.is_alive():
            answer = httpx.post(
                f"{url}/api/v1/learners",
                json={"id": f"nw{n}", "name": f"Northwind {n}"},
                headers={"authorization": f"Bearer {northwind}"},
                timeout=60,
            )
            waits.append(answer.status_code)
            n += 1
        importer.join()
    assert imported[0].status_code == 200, imported[0].text
    assert len(imported[0].json()["recorded"]) == ROWS
    assert set(waits) == {201}, waits
    # Writes went on during the import, each waiting about one batch, not for the import.
    assert len(waits) >= 3, waits
