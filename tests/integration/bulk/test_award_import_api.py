"""`POST /api/v1/issuers/{issuer}/award-imports` on a real server: 202, a job, its progress."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.helpers import running_server
from tests.integration.bulk.bulk_helpers import award_csv, query
from tests.integration.hardening.tenants import installation, tenant


def _wait_done(url: str, progress: str, token: str) -> dict[str, object]:
    deadline = time.monotonic() + 300
    while True:
        answer = httpx.get(url + progress, headers={"authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        job: dict[str, object] = answer.json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_upload_answers_202_and_the_job_is_issued_once(tmp_path: Path, database_url: str) -> None:
    cli, port = installation(tmp_path, database_url)
    admin = tenant(cli, "northwind", "nia@northwind.example")
    mentor = tenant(cli, "tmcb", "moe@tmcb.example")
    endpoint = "/api/v1/issuers/northwind/award-imports"
    with running_server(cli, "serve", port=port) as url:
        headers = {"authorization": f"Bearer {admin}", "content-type": "text/csv"}
        bad = award_csv(2).replace("2026-06-01", "01/06/2026", 1)
        refused = httpx.post(url + endpoint, content=bad, headers=headers)
        assert refused.status_code == 422
        assert refused.json()["detail"] == [
            "upload.csv:2: date '01/06/2026' is not an ISO 8601 date (YYYY-MM-DD) or date and time"
        ]

        good = award_csv(5)
        accepted = httpx.post(
            url + endpoint, params={"source": "graduates.csv"}, content=good, headers=headers
        )
        assert accepted.status_code == 202, accepted.text
        body = accepted.json()
        assert body["new"] is True and body["job"]["total"] == 5 and body["left_out"] == []
        assert accepted.headers["location"] == body["progress"]
        job = _wait_done(url, body["progress"], admin)
        assert (job["status"], job["done"], job["failures"]) == ("done", 5, [])

        again = httpx.post(url + endpoint, content=good, headers=headers)
        assert again.status_code == 202
        assert (again.json()["new"], again.json()["job"]["id"]) == (False, body["job"]["id"])
        assert _wait_done(url, body["progress"], admin)["done"] == 5

        other = httpx.post(
            url + endpoint,
            content=good,
            headers={"authorization": f"Bearer {mentor}", "content-type": "text/csv"},
        )
        assert other.status_code == 403
        elsewhere = httpx.get(
            url + f"/api/v1/issuers/tmcb/award-imports/{body['job']['id']}",
            headers={"authorization": f"Bearer {mentor}"},
        )
        assert elsewhere.status_code == 404
    assert query(database_url, "SELECT count(*) FROM awards") == [(5,)]
