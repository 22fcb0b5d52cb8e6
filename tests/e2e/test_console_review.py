"""A registrar at the console with a browser (JavaScript off): an achievement version moved
through review to published, and a results file with one bad row refused with its report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoSite
from tests.helpers import running_server
from tests.integration.console.console_helpers import EXAMPLES, installation

pytestmark = pytest.mark.e2e

HEADER = "learner,assessment,attempt_id,sat_at,score,proctoring,proctored_by\n"
ONE_BAD = (
    "ada,ebola-exam,T-1,2026-05-02T09:00:00+00:00,31,in_person,Lyon centre\n"
    "zed,ebola-exam,T-2,2026-05-02T09:00:00+00:00,30,,\n"
)
REGISTRAR = "registrar@boards.example"


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """Two issuers: one requiring review (its catalog loads as drafts), one taking results;
    the registrar may review and publish at the first and import at the second."""
    data = tmp_path_factory.mktemp("console")
    cli, port, outputs = installation(
        data,
        f"sqlite:///{data / 'credstack.db'}",
        ("issuer", "add", "ccrb", "--name", "Clinical Research Certification Board"),
        ("review", "policy", "ccrb", "--required"),
        ("catalog", "load", str(EXAMPLES / "clinical-research-board.yaml"), "--issuer", "ccrb"),
        ("issuer", "add", "tmcb", "--name", "Tropical Medicine Certification Body"),
        ("catalog", "load", str(EXAMPLES / "tropical-medicine-board.yaml"), "--issuer", "tmcb"),
        ("learner", "add", "ada", "--name", "Ada"),
        ("user", "add", REGISTRAR, "--name", "Registrar"),
        ("user", "grant", REGISTRAR, "--issuer", "ccrb", "--role", "admin"),
        ("user", "grant", REGISTRAR, "--issuer", "ccrb", "--role", "reviewer"),
        ("user", "grant", REGISTRAR, "--issuer", "tmcb", "--role", "registrar"),
        ("user", "token", REGISTRAR),
    )
    with running_server(cli, "serve", port=port) as url:
        yield DemoSite(url, outputs[-1].strip(), cli)


def test_a_registrar_publishes_a_version_and_sees_a_bad_row_reported(
    page: Page, boards: DemoSite, tmp_path: Path
) -> None:
    review = "/console/issuers/ccrb/review"
    page.goto(f"{boards.url}{review}")
    expect(page).to_have_url(f"{boards.url}/signin?next={review}")
    page.get_by_role("link", name="sign in with the token").click()
    page.get_by_label("API token").fill(boards.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")

    version = page.locator('article[data-achievement="gcp-essentials"]')
    expect(version).to_have_attribute("data-status", "draft")
    for button, done, status in (
        ("Submit for review", "submitted for review", "in-review"),
        ("Approve", "approved", "approved"),
        ("Publish", "published", "published"),
    ):
        page.get_by_role("button", name=f"{button} GCP Essentials version 1").click()
        expect(page.get_by_role("status")).to_have_text(f"GCP Essentials version 1 {done}.")
        expect(version).to_have_attribute("data-status", status)
    expect(version.locator("ol.history li")).to_have_count(3)
    expect(version.locator("ol.history li").last).to_contain_text(f"published by {REGISTRAR}")

    results = tmp_path / "results.csv"
    results.write_text(HEADER + ONE_BAD)
    page.goto(f"{boards.url}/console/issuers/tmcb/imports")
    page.get_by_label("Results file (CSV)").set_input_files(results)
    page.get_by_role("button", name="Check and import results").click()
    report = page.get_by_role("alert")
    expect(report).to_contain_text("results.csv was not imported")
    expect(report).to_contain_text("Nothing was written: 1 row needs fixing")
    expect(report.locator("li")).to_have_text(["row 3: unknown learner 'zed'"])
    assert "no awards match" in boards.cli.ok("award", "list", "--issuer", "tmcb")
