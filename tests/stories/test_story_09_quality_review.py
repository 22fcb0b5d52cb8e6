"""Story 09: quality review before publishing, through the real CLI and a real server.

The Clinical Research Certification Board requires review: its catalog loads as drafts. A pilot
of 32 candidates sits the GCP Essentials form (nothing is issued from a draft); the reviewer
reads the quality report -- whose item statistics are checked here against numpy by hand --
sends it back with a comment, then approves; the program office publishes; only then are
credentials issued. A changed definition becomes version 2, reviewed again, and the credential
already issued keeps version 1.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.helpers import Cli, free_port, running_server

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "examples" / "clinical-research-board.yaml"
KEYS: dict[str, str] = {
    "gcp-01": "C", "gcp-02": "A", "gcp-03": "false", "gcp-04": "D", "gcp-05": "B",
    "gcp-06": "true", "gcp-07": "A", "gcp-08": "C", "gcp-09": "true", "gcp-10": "B",
}  # fmt: skip
WRONG = {k: {"true": "false", "false": "true", "A": "B"}.get(v, "A") for k, v in KEYS.items()}
PROCTORED = "in_person,Paris test centre,government-id,Paris test centre"
COLUMNS = "proctoring,proctored_by,identity_method,identity_verified_by"
ITEMS = ",".join(f"item:{k}" for k in KEYS)
HEADER = f"learner,learner_name,assessment,attempt_id,sat_at,{COLUMNS},{ITEMS}\n"


def pilot(candidates: int = 32, seed: int = 2026) -> tuple[str, np.ndarray]:
    """A pilot run of the exam from a logistic ability model, as CSV, and its 0/1 score matrix."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.4, 1.0, candidates)
    difficulty = np.linspace(-1.6, 1.4, len(KEYS))
    right = rng.random((candidates, len(KEYS))) < 1 / (1 + np.exp(difficulty - ability[:, None]))
    lines = []
    for n, row in enumerate(right):
        answers = ",".join(KEYS[k] if ok else WRONG[k] for k, ok in zip(KEYS, row, strict=True))
        lines.append(
            f"p{n:02d},Pilot {n:02d},gcp-exam,PILOT-{n:02d},2026-03-20T09:{n:02d}:00+00:00,"
            f"{PROCTORED},{answers}\n"
        )
    return HEADER + "".join(lines), right.astype(float)


def one_attempt(learner: str, attempt: str, when: str) -> str:
    return HEADER + (
        f"{learner},{learner.title()},gcp-exam,{attempt},{when},{PROCTORED},"
        + ",".join(KEYS.values())
        + "\n"
    )


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{free_port()}")


def _setup(cli: Cli) -> dict[str, str]:
    cli.ok("init")
    cli.ok("issuer", "add", "ccrb", "--name", "Clinical Research Certification Board",
           "--kind", "certification-body")  # fmt: skip
    assert cli.ok("review", "policy", "ccrb", "--required") == (
        "ccrb: review required for new versions\n"
    )
    assert "created gcp-essentials" in cli.ok("catalog", "load", str(CATALOG), "--issuer", "ccrb")
    tokens = {}
    for email, role in (("office@ccrb.example", "admin"), ("rita@ccrb.example", "reviewer")):
        cli.ok("user", "add", email, "--name", email.split("@")[0].title())
        cli.ok("user", "grant", email, "--issuer", "ccrb", "--role", role)
        tokens[email.split("@")[0]] = cli.ok("user", "token", email).strip()
    return tokens


def test_story_09_review_before_publishing(cli: Cli, tmp_path: Path) -> None:
    tokens = _setup(cli)
    text, matrix = pilot()
    pilot_file = tmp_path / "pilot.csv"
    pilot_file.write_text(text)
    imported = cli.ok("result", "import", str(pilot_file), "--issuer", "ccrb", "--add-learners")
    assert imported == "recorded 32 rows, skipped 0 already recorded, 0 problems; 0 awards made\n"

    port = int(cli.base_url.rsplit(":", 1)[1])
    office = {"Authorization": f"Bearer {tokens['office']}"}
    rita = {"Authorization": f"Bearer {tokens['rita']}"}
    with running_server(cli, "serve", port=port) as url:
        api = f"{url}/api/v1/issuers/ccrb"
        quality = f"{api}/achievements/gcp-essentials/quality"
        assert httpx.get(quality).status_code == 403
        report = httpx.get(quality, headers=rita).json()
        assert (report["version"], report["status"], report["type"]) == (
            1, "draft", "microcredential",
        )  # fmt: skip
        checks = {c["key"]: (c["status"], c["detail"]) for c in report["checks"]}
        assert checks["alignment"] == (
            "met",
            "Good Clinical Practice (ICH E6) [BOK-1] (CCRP Body of Knowledge 2025)",
        )
        assert checks["criteria"][0] == "met"
        assert checks["route"][0] == "met"
        assert checks["route"][1].startswith("assessment gcp-exam (proctored, identity verified)")
        assert checks["cut_score"] == (
            "met",
            "gcp-exam: cut score 70% (modified angoff, 2026-03, 8 judges)",
        )
        assert checks["stackability"] == ("met", "counts toward ccrp (certification)")
        assert checks["value"] == ("not met", "no credit or CE value stated")
        assert checks["expiry"] == ("not met", "no expiry policy stated (`validity`)")
        assert report["summary"] == "6 of 8 checks met"

        # Item statistics and reliability, computed again here from the pilot's answers.
        (stats,) = report["statistics"]
        k = matrix.shape[1]
        p = matrix.mean(axis=0)
        totals = matrix.sum(axis=1)
        kr20 = k / (k - 1) * (1 - float((p * (1 - p)).sum()) / float(totals.var()))
        sd = float(totals.std(ddof=1))
        rest = [float(np.corrcoef(matrix[:, j], totals - matrix[:, j])[0, 1]) for j in range(k)]
        assert (stats["assessment"], stats["candidates"], stats["reliability_method"]) == (
            "gcp-exam", 32, "KR-20",
        )  # fmt: skip
        assert stats["reliability"] == pytest.approx(kr20, abs=1e-12)
        assert stats["sem"] == pytest.approx(sd * np.sqrt(1 - kr20), abs=1e-12)
        assert stats["mean"] == pytest.approx(float(totals.mean()))
        assert stats["sd"] == pytest.approx(sd)
        assert stats["pass_rate"] == pytest.approx(float((totals >= 7).mean()))
        assert [i["item"] for i in stats["items"]] == list(KEYS)
        assert [i["difficulty"] for i in stats["items"]] == pytest.approx(list(p))
        assert [i["point_biserial"] for i in stats["items"]] == pytest.approx(rest)
        assert checks["item_statistics"] == (
            "met",
            f"gcp-exam: 32 candidates, KR-20 {kr20:.2f}, SEM {sd * np.sqrt(1 - kr20):.2f}",
        )

        # The review: submit, send back with a comment, resubmit, approve, publish.
        def step(action: str, who: dict[str, str], comment: str | None = None) -> httpx.Response:
            body = {"comment": comment} if comment else None
            return httpx.post(f"{api}/achievements/gcp-essentials/review/{action}",
                              headers=who, json=body)  # fmt: skip

        assert step("publish", office).json()["error"] == (
            "gcp-essentials v1 is draft; publish applies to a version that is approved"
        )
        assert step("submit", office).json()["to_status"] == "in-review"
        assert step("approve", office).status_code == 403
        bare = step("send-back", rita)
        assert (bare.status_code, bare.json()["error"]) == (
            422, "send-back needs a comment saying what to change or why",
        )  # fmt: skip
        comment = "State a validity period and the CE value before publishing."
        sent_back = step("send-back", rita, comment).json()
        assert (sent_back["from_status"], sent_back["to_status"], sent_back["comment"]) == (
            "in-review", "draft", comment,
        )  # fmt: skip
        assert cli.ok(
            "review", "submit", "ccrb", "gcp-essentials", "--by", "office@ccrb.example"
        ) == ("gcp-essentials v1: draft -> in-review\n")
        assert cli.ok("review", "approve", "ccrb", "gcp-essentials", "--by", "rita@ccrb.example",
                      "--comment", "Accepted for the 2026 launch.") == (
            "gcp-essentials v1: in-review -> approved\n"
        )  # fmt: skip

        imports = f"{api}/results/import?add_learners=true"
        # Approved is not published: a pass still issues nothing, and says why.
        kim = httpx.post(imports, headers=office, content=one_attempt(
            "kim", "K-1", "2026-04-01T09:00:00+00:00"))  # fmt: skip
        assert kim.status_code == 200, kim.text
        (kim_row,) = kim.json()["recorded"]
        assert kim_row["awarded"] == []
        assert kim_row["not_awarded"]["gcp-essentials"] == [
            "gcp-essentials v1 is approved: nothing is issued until a version has been reviewed "
            "and published"
        ]
        published = step_at(api, "publish", office)
        assert (published["from_status"], published["to_status"]) == ("approved", "published")
        ben = httpx.post(
            imports, headers=office, content=one_attempt("ben", "B-1", "2026-04-02T09:00:00+00:00")
        )
        (ben_row,) = ben.json()["recorded"]
        assert [(a["achievement"], a["version"]) for a in ben_row["awarded"]] == [
            ("gcp-essentials", 1)
        ]
        ben_award = ben_row["awarded"][0]["award"]
        history = httpx.get(f"{api}/achievements/gcp-essentials/review", headers=rita).json()
        assert [(h["action"], h["by"], h["comment"]) for h in history] == [
            ("submit", "office@ccrb.example", None),
            ("send-back", "rita@ccrb.example", comment),
            ("submit", "office@ccrb.example", None),
            ("approve", "rita@ccrb.example", "Accepted for the 2026 launch."),
            ("publish", "office@ccrb.example", None),
        ]

        # A change to the published definition is a new version, reviewed again.
        changed = tmp_path / "ccrb-v2.yaml"
        changed.write_text(CATALOG.read_text().replace(
            "    alignments: [ccrp-body-of-knowledge/gcp]\n",
            "    alignments: [ccrp-body-of-knowledge/gcp]\n    validity: P5Y\n", 1))  # fmt: skip
        load = cli.ok("catalog", "load", str(changed), "--issuer", "ccrb")
        assert "new version gcp-essentials v2" in load
        for action, by in (("submit", "office"), ("approve", "rita"), ("publish", "office")):
            cli.ok("review", action, "ccrb", "gcp-essentials", "--by", f"{by}@ccrb.example")
        report = cli.ok("review", "report", "ccrb", "gcp-essentials")
        assert report.splitlines()[0] == (
            "gcp-essentials v2 (microcredential, published): 7 of 8 checks met"
        )
        assert "[met] Expiry policy stated: valid for P5Y from the award date" in report
        cara = httpx.post(
            f"{api}/results/import?add_learners=true",
            headers=office,
            content=one_attempt("cara", "C-1", "2026-05-02T09:00:00+00:00"),
        )
        (cara_row,) = cara.json()["recorded"]
        assert [(a["achievement"], a["version"]) for a in cara_row["awarded"]] == [
            ("gcp-essentials", 2)
        ]
        ben_credential = httpx.get(f"{url}/credentials/{ben_award}").json()
        cara_credential = httpx.get(f"{url}/credentials/{cara_row['awarded'][0]['award']}").json()
        assert ben_credential["credentialSubject"]["achievement"]["id"].endswith(
            "/achievements/gcp-essentials#v1"
        )
        assert cara_credential["credentialSubject"]["achievement"]["id"].endswith(
            "/achievements/gcp-essentials#v2"
        )
        assert "validUntil" not in ben_credential
        # P5Y from 2026-05-02: valid through 2031-05-01, to that day's last second
        assert cara_credential["validUntil"] == "2031-05-01T23:59:59Z"
        history = httpx.get(f"{api}/achievements/gcp-essentials/review", headers=rita).json()
        assert [(h["version"], h["action"], h["to_status"]) for h in history[-4:]] == [
            (2, "submit", "in-review"),
            (2, "approve", "approved"),
            (2, "publish", "published"),
            (1, "superseded", "retired"),
        ]


def step_at(api: str, action: str, who: dict[str, str]) -> dict[str, object]:
    response = httpx.post(f"{api}/achievements/gcp-essentials/review/{action}", headers=who)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body
