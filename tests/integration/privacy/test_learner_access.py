"""Who sees a learner, under which URL, and erasure, through the real server and CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from credstack.config import Settings
from credstack.service.learners import set_profile
from credstack.service.people import add_issuer, add_user, grant_role, issue_token
from credstack.service.runtime import open_runtime
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.secrets import MasterKey
from tests.helpers import Cli, free_port, running_server, sign_in
from tests.stories.driver import Story


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{free_port()}")


def _seed(cli: Cli) -> dict[str, str]:
    """Ben holds a CCRB award; Northwind has never seen him. Returns ids and staff tokens."""
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            story.load("clinical-research-board.yaml")
            award = story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
            ben = story.learner("ben")
            set_profile(uow, ben, name="Benedikt Brandt", email="benedikt@example.org")
            northwind = add_issuer(uow, runtime.keys(uow), key="northwind", name="Northwind")
            tokens = {}
            for who, issuer in (("ccrb", story.issuer("ccrb")), ("northwind", northwind)):
                user = add_user(uow, email=f"admin@{who}.example", name=f"{who} admin")
                grant_role(uow, user=user, issuer=issuer, role="admin")
                tokens[who] = issue_token(uow, user=user, name="test")
            uow.commit()
            return {"award": award.public_id, "public_id": ben.public_id, **tokens}
    finally:
        runtime.close()


def _signed_in(url: str, token: str) -> httpx.Client:
    """A browser signed in through the login form (server-side session, CSRF token)."""
    client = httpx.Client(base_url=url)
    assert sign_in(client, token).status_code == 303
    return client


def test_staff_of_another_issuer_get_404_and_own_staff_get_the_opaque_url(cli: Cli) -> None:
    seeded = _seed(cli)
    port = int(cli.base_url.rsplit(":", 1)[1])
    with running_server(cli, "serve", port=port) as url:
        outsider = _signed_in(url, seeded["northwind"])
        insider = _signed_in(url, seeded["ccrb"])
        nobody = outsider.get("/learners/nobody")
        for ref in ("ben", seeded["public_id"]):
            page = outsider.get(f"/learners/{ref}")
            assert page.status_code == 404
            assert "Benedikt" not in page.text and "benedikt@" not in page.text
            assert page.text.replace(ref, "X") == nobody.text.replace("nobody", "X")
            clr = outsider.get(f"/learners/{ref}/clr")
            assert clr.status_code == 404
        bearer = {"authorization": f"Bearer {seeded['northwind']}"}
        for path in ("awards", "progress/northwind/whatever", "ce/ccrb/ccrp"):
            api = httpx.get(f"{url}/api/v1/learners/ben/{path}", headers=bearer)
            assert api.status_code in (403, 404), path
            assert "Benedikt" not in api.text
        awards = httpx.get(f"{url}/api/v1/learners/ben/awards", headers=bearer)
        assert awards.status_code == 404 and awards.json()["error"] == "unknown learner 'ben'"

        by_key = insider.get("/learners/ben")
        assert by_key.status_code == 303
        assert by_key.headers["location"] == f"/learners/{seeded['public_id']}"
        page = insider.get(f"/learners/{seeded['public_id']}")
        assert page.status_code == 200
        assert "Benedikt Brandt" in page.text and "benedikt@example.org" in page.text
        assert f"/learners/{seeded['public_id']}/clr" in page.text
        own = httpx.get(
            f"{url}/api/v1/learners/{seeded['public_id']}/awards",
            headers={"authorization": f"Bearer {seeded['ccrb']}"},
        )
        assert own.status_code == 200 and own.json()[0]["id"] == seeded["award"]
        outsider.close()
        insider.close()


def test_erasure_over_http_keeps_the_credential_verifiable(cli: Cli, tmp_path: Path) -> None:
    seeded = _seed(cli)
    exported = tmp_path / "ccrp.json"
    cli.ok("credential", "export", seeded["award"], "--format", "json", "--out", str(exported))
    port = int(cli.base_url.rsplit(":", 1)[1])
    with running_server(cli, "serve", port=port) as url:
        erase = f"{url}/api/v1/learners/ben/erase"
        reason = {"reason": "the learner asked (ticket 7)"}
        outsider = httpx.post(
            erase, json=reason, headers={"authorization": f"Bearer {seeded['northwind']}"}
        )
        assert outsider.status_code == 404
        admin = {"authorization": f"Bearer {seeded['ccrb']}"}
        assert httpx.post(erase, json={"reason": "x" * 2001}, headers=admin).status_code == 422
        done = httpx.post(erase, json=reason, headers=admin)
        assert done.status_code == 200, done.text
        assert done.json() == {"id": seeded["public_id"], "erased": True}
        again = httpx.post(
            f"{url}/api/v1/learners/{seeded['public_id']}/erase", json=reason, headers=admin
        )
        assert again.status_code == 409
        browser = _signed_in(url, seeded["ccrb"])
        page = browser.get(f"/learners/{seeded['public_id']}")
        browser.close()
        assert page.status_code == 200 and "(erased learner)" in page.text
        assert "Benedikt" not in page.text
    verified = cli.run("verify", str(exported))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    again = tmp_path / "again.json"
    cli.ok("credential", "export", seeded["award"], "--format", "json", "--out", str(again))
    assert cli.run("verify", str(again)).returncode == 0
    trail = [json.loads(line) for line in cli.ok("audit-trail", "list", "--json").splitlines()]
    erased = [e for e in trail if e["action"] == "learner.erased"]
    assert [(e["subject"], e["actor"]) for e in erased] == [
        (f"learner:{seeded['public_id']}", "user:admin@ccrb.example")
    ]
    assert cli.ok("audit-trail", "verify").strip().endswith("events, chain intact")


def test_learner_erase_on_the_command_line(cli: Cli) -> None:
    seeded = _seed(cli)
    wrong = cli.run("learner", "erase", "ben", "--issuer", "northwind", "--reason", "asked")
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "error: issuer northwind holds no record of learner 'ben'"
    blank = cli.run("learner", "erase", "ben", "--issuer", "ccrb", "--reason", " ")
    assert blank.returncode == 1 and "needs a reason" in blank.stderr
    out = cli.ok("learner", "erase", "ben", "--issuer", "ccrb", "--reason", "asked by email")
    assert out.strip() == (
        f"learner {seeded['public_id']} erased; their awards and credentials are kept"
    )
    listed = cli.ok("learner", "list")
    assert "Benedikt" not in listed and "(erased learner)" in listed
    assert (
        cli.run(
            "learner", "erase", seeded["public_id"], "--issuer", "ccrb", "--reason", "x"
        ).returncode
        == 1
    )


def test_db_upgrade_seals_learners_an_older_version_stored_in_clear(cli: Cli) -> None:
    MasterKey.load_or_create(cli.data_dir / "master.key")
    engine = make_engine(cli.database_url)
    try:
        migrate.upgrade(engine, "0003_routes")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO learners (key, name, email, identity_salt, created_at) VALUES "
                    "('old', 'Ottilie Oldenburg', 'ottilie@example.org', 'salt', "
                    "CURRENT_TIMESTAMP)"
                )
            )
        assert cli.run("db", "check").returncode == 1
        migrate.upgrade(engine)
        behind = cli.run("db", "check")
        assert behind.returncode == 1
        assert "1 learners have personal data in clear" in behind.stderr
        out = cli.ok("db", "upgrade")
        assert "sealed the names and e-mail addresses of 1 learners" in out
        assert "matches the models" in cli.ok("db", "check")
        with engine.connect() as connection:
            rows = [
                json.dumps([str(v) for v in row])
                for row in connection.execute(text("SELECT * FROM learners"))
            ]
        assert "Oldenburg" not in "".join(rows) and "ottilie@" not in "".join(rows)
    finally:
        engine.dispose()
    assert cli.ok("learner", "list").strip() == "old\tOttilie Oldenburg"
