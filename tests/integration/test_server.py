"""`credstack demo` serves a real server: health, OpenAPI, the catalog API, DID documents."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy

from credstack.domain.quantities import exact
from tests.helpers import Cli, free_port, running_server
from tests.liveness import HANG


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    port = free_port()
    return Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")


def test_demo_serves_health_docs_and_catalog(cli: Cli) -> None:
    port = int(cli.base_url.rsplit(":", 1)[1])
    with running_server(cli, "demo", port=port) as url:
        health = httpx.get(f"{url}/healthz", timeout=HANG).json()
        assert health["status"] == "ok"
        assert health["schema_revision"]
        docs = httpx.get(f"{url}/docs", timeout=HANG)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = httpx.get(f"{url}/openapi.json", timeout=HANG).json()
        assert "/api/v1/issuers" in spec["paths"]
        issuers = {i["id"]: i for i in httpx.get(f"{url}/api/v1/issuers", timeout=HANG).json()}
        assert {"northwind", "ccrb", "lakeside", "wcb"} <= set(issuers)
        achievements = httpx.get(f"{url}/api/v1/issuers/ccrb/achievements", timeout=HANG).json()
        assert {
            "id": "ccrp",
            "type": "certification",
            "name": "Certified Clinical Research Professional",
            "version": 1,
        } in achievements
        did = issuers["ccrb"]["did"]
        document = httpx.get(f"{url}/issuers/ccrb/did.json", timeout=HANG).json()
        assert document["id"] == did
        assert document["verificationMethod"][0]["type"] == "Multikey"
        missing = httpx.get(f"{url}/api/v1/issuers/nobody/achievements", timeout=HANG)
        assert missing.status_code == 404 and missing.json()["error"] == "unknown issuer 'nobody'"


def test_catalog_upload_needs_an_admin_token(cli: Cli) -> None:
    port = int(cli.base_url.rsplit(":", 1)[1])
    out = cli.ok("demo", "--no-serve")
    token = out.strip().rsplit(" ", 1)[1]
    text = (
        Path(__file__)
        .resolve()
        .parents[2]
        .joinpath("examples", "northwind-data-academy.yaml")
        .read_text()
    )
    changed = text.replace("Writes correct, readable SQL", "Writes correct SQL")
    with running_server(cli, "serve", port=port) as url:
        anonymous = httpx.post(
            f"{url}/api/v1/issuers/northwind/catalog",
            content=changed,
            headers={"content-type": "application/yaml"},
            timeout=HANG,
        )
        assert anonymous.status_code == 403
        bad = httpx.post(
            f"{url}/api/v1/issuers/northwind/catalog",
            content=changed,
            headers={"content-type": "application/yaml", "authorization": "Bearer cst_wrong"},
            timeout=HANG,
        )
        assert bad.status_code == 403 and bad.json()["error"].startswith("the API token")
        loaded = httpx.post(
            f"{url}/api/v1/issuers/northwind/catalog",
            content=changed,
            headers={"content-type": "application/yaml", "authorization": f"Bearer {token}"},
            timeout=HANG,
        )
        assert loaded.status_code == 200, loaded.text
        assert loaded.json()["new_versions"] == ["sql-querying v2"]
        broken = httpx.post(
            f"{url}/api/v1/issuers/northwind/catalog",
            content="format: [",
            headers={"content-type": "application/yaml", "authorization": f"Bearer {token}"},
            timeout=HANG,
        )
        assert broken.status_code == 422
        assert broken.json()["detail"][0].startswith("POST northwind/catalog:1: malformed YAML")


def test_course_hours_and_credits_are_taken_exactly_over_http(cli: Cli) -> None:
    port = int(cli.base_url.rsplit(":", 1)[1])
    token = cli.ok("demo", "--no-serve").strip().rsplit(" ", 1)[1]
    auth = {"authorization": f"Bearer {token}"}
    base = {"learner": "ana", "provider": "lakeside", "course": "stats-101"}
    with running_server(cli, "serve", port=port) as url:
        post = f"{url}/api/v1/issuers/lakeside/course-completions"
        for i, (hours, credits) in enumerate(((0.1, "0.1"), ("0.2", 0.2), ("7.35", "1.05"))):
            body = {**base, "hours": hours, "credits": credits, "completed_on": f"2026-01-0{i + 1}"}
            done = httpx.post(post, json=body, headers=auth, timeout=HANG)
            assert done.status_code == 201, done.text
        for bad, message in (
            ({"hours": "7.125"}, "hours must have at most 2 decimal places, not 7.125"),
            ({"hours": "lots"}, "'lots' is not a number"),
            ({"credits": -1}, "credits cannot be negative"),
        ):
            body = {**base, "hours": 1, "completed_on": "2026-01-09", **bad}
            refused = httpx.post(post, json=body, headers=auth, timeout=HANG)
            assert refused.status_code == 422, refused.text
            assert message in refused.json()["error"]
    engine = sqlalchemy.create_engine(cli.database_url)
    with engine.connect() as db:
        rows = db.execute(sqlalchemy.text("SELECT hours, credits FROM course_completions")).all()
    engine.dispose()
    assert sorted((exact(h), exact(c)) for h, c in rows) == [
        (Decimal("0.1"), Decimal("0.1")),
        (Decimal("0.2"), Decimal("0.2")),
        (Decimal("7.35"), Decimal("1.05")),
    ]


def test_demo_without_a_mail_server_logs_its_mail_before_the_admin_token(cli: Cli) -> None:
    """With no SMTP every message goes to the log; the seeded awards' twenty messages must not
    push the admin token, shown once, off the screen: they come first, the token last."""
    port = int(cli.base_url.rsplit(":", 1)[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "credstack", "demo", "--port", str(port)],
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("credstack serving on"):
                break
    finally:
        process.terminate()
        process.wait(timeout=HANG)
        if process.stdout is not None:
            process.stdout.close()
    token = next(i for i, line in enumerate(lines) if line.startswith("admin API token"))
    mail = [i for i, line in enumerate(lines) if "mail not sent (no CREDSTACK_SMTP_URL)" in line]
    assert len(mail) == 20 and max(mail) < token, "".join(lines)
    assert lines[token + 1 :] == [
        f"open http://127.0.0.1:{port}/\n",
        f"credstack serving on http://127.0.0.1:{port}  (API docs: http://127.0.0.1:{port}/docs)\n",
    ]
