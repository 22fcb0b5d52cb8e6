"""Story 06: credit-bearing graduate certificates stacking into a master's degree.

Driven over the REST API of a real server, from examples/lakeside-university.yaml and
examples/harbor-college.yaml; a registrar records course grades as awards. The second test has
the other institution's certificate as a real signed credential the learner imports.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.integration.imports.foreign import Institution
from tests.stories.live import STAFF, Live, live_server

DE = ["de-pipelines", "de-warehousing", "de-streaming", "de-cloud"]
ML = ["ml-foundations", "ml-deep-learning", "ml-nlp", "ml-mlops"]
HC = ["hc-analytics-1", "hc-analytics-2", "hc-analytics-3", "hc-analytics-4"]
UI = ["ui-course-1", "ui-course-2", "ui-course-3", "ui-course-4"]
CONFERRAL = date(2026, 6, 1)

UNKNOWN_INSTITUTE = """format: credstack-catalog/1
issuer: {id: unknown-institute, name: Unknown Institute, kind: university}
achievements:
  - {id: ui-course-1, type: course, name: UI Course 1, credits: 3}
  - {id: ui-course-2, type: course, name: UI Course 2, credits: 3}
  - {id: ui-course-3, type: course, name: UI Course 3, credits: 3}
  - {id: ui-course-4, type: course, name: UI Course 4, credits: 3}
  - id: ui-cert
    type: certificate
    name: Certificate in Data
    credits: 12
    requirements: {all: [ui-course-1, ui-course-2, ui-course-3, ui-course-4]}
"""


def courses(
    live: Live,
    who: str,
    issuer: str,
    keys: list[str],
    on: date,
    grades: dict[str, str] | None = None,
) -> list[str]:
    made: list[str] = []
    for key in keys:
        result = live.award(who, issuer, key, on, grade=(grades or {}).get(key, "B+"))
        made += [a["achievement"] for a in result["cascade"]]
    return made


def audit(live: Live, who: str) -> dict:  # type: ignore[type-arg]
    return live.get(
        f"/api/v1/learners/{who}/audit/lakeside/ms-data-science", as_of=CONFERRAL.isoformat()
    )


def test_story_06(live: Live, tmp_path: Path) -> None:
    for who in ("jo", "kim", "lee", "max"):
        live.learner(who)

    # 1. Jo: both certificates (24 credits, all B or better, 2 years old) and the capstone:
    #    30 credits, the degree is conferred, the audit shows credits per certificate
    made = courses(live, "jo", "lakeside", DE + ML, date(2024, 5, 15))
    assert made == ["cert-data-engineering", "cert-machine-learning"]
    assert courses(
        live, "jo", "lakeside", ["capstone-thesis"], CONFERRAL, {"capstone-thesis": "A"}
    ) == ["ms-data-science"]
    jo = audit(live, "jo")
    assert (jo["total"], jo["required"], jo["met"]) == (30, 30, True)
    by_source = {g["description"]: g["counted"] for g in jo["groups"]}
    assert by_source["Graduate Certificate in Data Engineering"] == 12
    assert by_source["Graduate Certificate in Machine Learning"] == 12
    assert by_source["course Capstone Thesis"] == 6
    assert jo["caps"] == [{"label": "From stacked certificates", "max": 24, "used": 24}]
    cli = live.cli.run("audit", "jo", "lakeside:ms-data-science", "--as-of", "2026-06-01")
    assert cli.returncode == 0
    assert "Credits: 30 of 30 required — complete" in cli.stdout

    # 2. Kim: cert-data-engineering with one course graded C: 9 credits apply, and why not 12
    courses(live, "kim", "lakeside", DE, date(2024, 5, 15), {"de-streaming": "C"})
    kim = audit(live, "kim")
    assert kim["total"] == 9
    missed = [line for g in kim["groups"] for line in g["lines"] if line["reason"]]
    assert len(missed) == 1
    assert missed[0]["description"] == "course Stream Processing"
    assert "graded C" in missed[0]["reason"]
    assert "B or better" in missed[0]["reason"]

    # 3. Lee's certificate courses were finished 7 years ago: they do not count
    courses(live, "lee", "lakeside", DE, date(2019, 5, 15))
    lee = audit(live, "lee")
    assert lee["total"] == 0
    reasons = [line["reason"] for g in lee["groups"] for line in g["lines"]]
    assert len(reasons) == 4
    assert all("more than 6 years" in (reason or "") for reason in reasons)

    # 4. Max: Harbor College (on the articulation list) applies; Unknown Institute does not
    catalog = tmp_path / "unknown-institute.yaml"
    catalog.write_text(UNKNOWN_INSTITUTE)
    live.cli.ok(
        "issuer", "add", "unknown-institute", "--name", "Unknown Institute", "--kind", "university"
    )
    live.cli.ok("catalog", "load", str(catalog), "--issuer", "unknown-institute")
    live.cli.ok("user", "grant", STAFF, "--issuer", "unknown-institute", "--role", "registrar")
    assert courses(live, "max", "harbor-college", HC, date(2025, 5, 1)) == ["hc-cert-analytics"]
    assert courses(live, "max", "unknown-institute", UI, date(2025, 5, 1)) == ["ui-cert"]
    result = audit(live, "max")
    assert result["total"] == 12
    counted = [g["description"] for g in result["groups"] if g["counted"]]
    assert counted == ["Graduate Certificate in Applied Analytics"]
    refused = [line["reason"] for g in result["groups"] for line in g["lines"] if line["reason"]]
    assert refused
    assert all("not on the articulation list" in reason for reason in refused)


def test_story_06_with_a_real_certificate_from_harbor_college(
    tmp_path: Path, database_url: str
) -> None:
    """Step 4 again, with the other institution's certificate as the learner holds it: an OB 3.0
    credential Harbor College signed with its own key, imported. Harbor is not hosted here (a
    credential naming a hosted issuer but signed by another key is an impersonation); it is on
    the operator's trust list with its web site, which Lakeside's catalog names as a partner."""
    with live_server(tmp_path, database_url, ("lakeside-university.yaml",)) as live:
        _real_certificate(live, tmp_path)


def _real_certificate(live: Live, tmp_path: Path) -> None:
    harbor = Institution()
    harbor.publish(live.cli.data_dir / "trusted")
    stranger = Institution(name="Unknown Institute", url="https://unknown.example")
    stranger.publish(live.cli.data_dir / "trusted", listed=False)  # its status list, no entry
    for who in ("nia", "oli"):
        live.post("/api/v1/learners", {"id": who, "name": who.title(), "email": f"{who}@x.org"})

    def imported(who: str, issuer: Institution, name: str) -> str:
        path = tmp_path / f"{who}-{issuer.did[-8:]}.json"
        path.write_text(json.dumps(issuer.credential(f"{who}@x.org", name=name)))
        return live.cli.ok("learner", "import-credential", who, str(path))

    # Nia, a Lakeside student with one course (Lakeside staff see only learners they hold a
    # record of), holds Harbor's certificate and the Unknown Institute's: Harbor's counts as
    # Max's typed-in record did, 12 credits as one certificate; the stranger's is kept but not
    # counted, and the audit says why.
    courses(live, "nia", "lakeside", ["de-pipelines"], date(2025, 9, 1))
    said = imported("nia", harbor, "Graduate Certificate in Applied Analytics")
    assert "counts toward the catalogs of: Lakeside University" in said
    said = imported("nia", stranger, "Certificate in Data")
    assert "counts toward nothing" in said
    result = audit(live, "nia")
    assert result["total"] == 15
    counted = {g["description"]: g["counted"] for g in result["groups"] if g["counted"]}
    assert counted == {"Graduate Certificate in Applied Analytics": 12, "course Data Pipelines": 3}
    refused = [line["reason"] for g in result["groups"] for line in g["lines"] if line["reason"]]
    assert len(refused) == 1 and "not on the articulation list" in refused[0]

    # Oli completes the degree with it: Lakeside's data engineering certificate (12), the
    # capstone (6) and Harbor's imported certificate (12) are 30 credits; the degree is awarded
    # when the import completes it, and its evidence names the imported credential.
    courses(live, "oli", "lakeside", DE, date(2024, 5, 15))
    courses(live, "oli", "lakeside", ["capstone-thesis"], CONFERRAL, {"capstone-thesis": "A"})
    said = imported("oli", harbor, "Graduate Certificate in Applied Analytics")
    assert "awarded: Master of Science in Data Science (Lakeside University)" in said
    oli = audit(live, "oli")
    assert (oli["total"], oli["required"], oli["met"]) == (30, 30, True)
    assert oli["caps"] == [{"label": "From stacked certificates", "max": 24, "used": 24}]
    degree = next(a for a in live.awards("oli") if a["achievement"] == "ms-data-science")
    signed = live.get(f"/credentials/{degree['id']}")
    named = {e.get("name") for e in signed["evidence"]}
    assert "Graduate Certificate in Applied Analytics" in named
