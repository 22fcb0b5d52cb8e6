"""Story 07: taxonomy and earning routes, through the real CLI and a real server.

Three microcredentials from three routes -- a knowledge assessment (tropical-medicine body),
a mentor's attestation (Acme's management program), a 1-day course (solar trade association) --
each issued with the route and its rigor in the signed credential; a microcredential without an
alignment or an accountable route is rejected with a clear message but may be a badge.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.helpers import Cli, free_port, running_server

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PROGRAM = "management-program"


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{free_port()}")


def _setup(cli: Cli) -> dict[str, str]:
    """The demo installation (all example catalogs, learners ana/ben/dana/jo, an admin token at
    every issuer), plus Acme's mentors: Mona for the management program, Sam for sales."""
    out = cli.ok("demo", "--no-serve")
    tokens = {"admin": out.strip().rsplit(" ", 1)[1]}
    for email, name, scope in (
        ("mona@acme.example", "Mona Lind", PROGRAM),
        ("sam@acme.example", "Sam Ruiz", "sales-program"),
    ):
        cli.ok("user", "add", email, "--name", name)
        cli.ok("user", "grant", email, "--issuer", "acme", "--role", "mentor", "--scope", scope)
    tokens["mona"] = cli.ok("user", "token", "mona@acme.example").strip()
    return tokens


def _route_evidence(credential: dict[str, object]) -> dict[str, str]:
    evidence = credential["evidence"]
    assert isinstance(evidence, list)
    (route,) = [e for e in evidence if e.get("name") == "Earning route"]
    return route


def test_story_07_three_routes_and_the_taxonomy(cli: Cli) -> None:
    tokens = _setup(cli)
    port = int(cli.base_url.rsplit(":", 1)[1])

    def auth(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"}

    with running_server(cli, "serve", port=port) as url:
        api = f"{url}/api/v1/issuers"
        # Route 1: passing the knowledge assessment (proctored, identity verified, cut 75%).
        conditions = {
            "sat_at": "2026-05-02T09:00:00+00:00",
            "proctoring": "in_person",
            "proctored_by": "Kampala test centre",
            "identity_method": "government-id",
            "identity_verified_by": "Kampala test centre",
        }
        failed = httpx.post(f"{api}/tmcb/results", headers=auth("admin"), json={
            "learner": "ana", "assessment": "ebola-exam", "score": 29, "conditions": conditions,
            "attempt_id": "TM-1001",
        })  # fmt: skip
        assert failed.status_code == 201
        assert failed.json()["passed"] is False and failed.json()["awarded"] == []
        assert failed.json()["not_awarded"] == {
            "ebola-diagnosis": [
                "ebola-exam: attempt on 2026-05-02 scored 72.5%, below the cut score"
            ]
        }
        too_soon = httpx.post(f"{api}/tmcb/results", headers=auth("admin"), json={
            "learner": "ana", "assessment": "ebola-exam", "score": 33,
            "conditions": dict(conditions, sat_at="2026-05-05T09:00:00+00:00"),
        })  # fmt: skip
        assert too_soon.status_code == 409
        assert too_soon.json()["error"] == (
            "ana may not sit ebola-exam on 2026-05-05: the waiting period of 7 days after the "
            "attempt on 2026-05-02 has not passed; next attempt from 2026-05-09T09:00:00+00:00"
        )
        passed = httpx.post(f"{api}/tmcb/results", headers=auth("admin"), json={
            "learner": "ana", "assessment": "ebola-exam", "score": 31,
            "conditions": dict(conditions, sat_at="2026-05-09T09:00:00+00:00"),
            "attempt_id": "TM-1002",
        })  # fmt: skip
        assert passed.status_code == 201, passed.text
        body = passed.json()
        assert (body["passed"], body["percent"]) == (True, 77.5)
        assert [(a["achievement"], a["version"]) for a in body["awarded"]] == [
            ("ebola-diagnosis", 1)
        ]
        ebola = httpx.get(f"{url}/credentials/{body['awarded'][0]['award']}").json()
        assert ebola["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
        assert _route_evidence(ebola)["description"] == (
            "route: assessment; proctored: yes; identity verified: yes; cut score: 75%."
        )

        # Route 2: the mentor's attestation, only by a mentor of the program, only for its learners.
        statement = "Ben runs weekly one-to-ones and delegated a team of five through a launch."
        attestation = {
            "learner": "ben", "program": PROGRAM, "achievement": "basic-supervision",
            "statement": statement, "attested_on": "2026-03-02",
        }  # fmt: skip
        not_enrolled = httpx.post(f"{api}/acme/attestations", headers=auth("mona"),
                                  json=attestation)  # fmt: skip
        assert not_enrolled.status_code == 403
        assert not_enrolled.json()["error"] == (
            "ben is not enrolled in program management-program at acme; a mentor attests only "
            "for learners of their program"
        )
        enrolled = httpx.post(f"{api}/acme/enrolments", headers=auth("admin"), json={
            "learner": "ben", "program": PROGRAM, "enrolled_on": "2026-01-10"})  # fmt: skip
        assert enrolled.status_code == 201
        other_program = cli.run(
            "attest", "--issuer", "acme", "--learner", "ben", "--program", PROGRAM,
            "--achievement", "basic-supervision", "--statement", statement,
            "--by", "sam@acme.example", "--on", "2026-03-01",
        )  # fmt: skip
        assert (other_program.returncode, other_program.stderr) == (
            1,
            "error: sam@acme.example may not attest for learners of management-program: it "
            "needs the mentor role at issuer acme for program management-program\n",
        )
        admin = httpx.post(f"{api}/acme/attestations", headers=auth("admin"), json=attestation)
        assert admin.status_code == 403 and "needs the mentor role" in admin.json()["error"]
        anonymous = httpx.post(f"{api}/acme/attestations", json=attestation)
        assert anonymous.status_code == 403
        attested = httpx.post(f"{api}/acme/attestations", headers=auth("mona"), json=attestation)
        assert attested.status_code == 201, attested.text
        made = attested.json()["awarded"]
        assert [(a["achievement"], a["version"]) for a in made] == [("basic-supervision", 1)]
        supervision = httpx.get(f"{url}/credentials/{made[0]['award']}").json()
        route = _route_evidence(supervision)
        assert route["description"].startswith("route: attestation")
        assert "Mona Lind" in route["narrative"] and statement in route["narrative"]
        assert supervision["validFrom"].startswith("2026-03-02")
        assert outsider_refused(api, auth("mona"), attestation)

    # Route 3: completing the association's 1-day course (CLI).
    out = cli.ok(
        "course", "complete", "--issuer", "solar-trades", "--learner", "jo",
        "--provider", "solar-trades", "--course", "solar-install-day", "--hours", "7.5",
        "--on", "2026-04-18", "--external-id", "STA-88", "--by", "admin@demo.credstack.invalid",
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[0].startswith("recorded course:")
    assert lines[1].startswith("awarded solar-panel-installation v1 (award ")
    again = cli.ok(
        "course", "complete", "--issuer", "solar-trades", "--learner", "jo",
        "--provider", "solar-trades", "--course", "solar-install-day", "--hours", "7.5",
        "--on", "2026-04-18", "--external-id", "STA-88",
    )  # fmt: skip
    assert again.startswith("already recorded as course:") and "awarded" not in again


def outsider_refused(api: str, headers: dict[str, str], attestation: dict[str, str]) -> bool:
    """Dana is not in the program: Mona's attestation for her is refused."""
    response = httpx.post(f"{api}/acme/attestations", headers=headers,
                          json=dict(attestation, learner="dana"))  # fmt: skip
    return response.status_code == 403 and "dana is not enrolled" in response.json()["error"]


def test_story_07_a_microcredential_needs_alignment_and_an_accountable_route(
    tmp_path: Path,
) -> None:
    # Catalog validation is pure: no database is needed, so this runs once, not per backend.
    cli = Cli(tmp_path / "data", f"sqlite:///{tmp_path / 'unused.db'}")
    catalog = tmp_path / "mentoring.yaml"
    catalog.write_text(
        "format: credstack-catalog/1\n"
        "achievements:\n"
        "  - id: great-colleague\n"
        "    type: microcredential\n"
        "    name: Great Colleague\n"
        "    criteria: Liked by everyone.\n"
    )
    rejected = cli.run("catalog", "validate", str(catalog))
    assert rejected.returncode == 1
    assert rejected.stderr.splitlines() == [
        f"{catalog}:4: achievement great-colleague cannot be a microcredential: it has no "
        "competency alignment (publish it as a badge, or add `alignments`)",
        f"{catalog}:4: achievement great-colleague cannot be a microcredential: its route has "
        "neither an assessment, an accountable attester nor a course (publish it as a badge, "
        "or add a route to `requirements`)",
    ]
    catalog.write_text(catalog.read_text().replace("type: microcredential", "type: badge"))
    assert cli.ok("catalog", "validate", str(catalog)) == f"{catalog}: ok (1 achievement)\n"
