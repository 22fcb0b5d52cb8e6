"""The review queue page: a version moved through review by the roles that may, and no one else."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.helpers import Cli, running_server
from tests.integration.console.console_helpers import (
    EXAMPLES,
    alert,
    browser,
    csrf_of,
    installation,
    staff,
    tokens,
)

REVIEW = "/console/issuers/ccrb/review"


def _status(page: httpx.Response, achievement: str, version: int = 1) -> str:
    found = re.search(
        rf'data-achievement="{achievement}" data-version="{version}" data-status="([^"]+)"',
        page.text,
    )
    assert found, page.text
    return found.group(1)


def _steps(page: httpx.Response, achievement: str) -> list[str]:
    """The step buttons offered on the achievement's version 1."""
    article = page.text.split(f'data-achievement="{achievement}" data-version="1"')[1]
    article = article.split("</article>")[0]
    return re.findall(r'name="action" value="([^"]+)"', article)


def _step(
    client: httpx.Client, action: str, comment: str = "", *, csrf: bool = True
) -> httpx.Response:
    data = {"achievement": "gcp-essentials", "version": "1", "action": action}
    data |= {"comment": comment, "name": "GCP Essentials"}
    if csrf:
        data["csrf"] = csrf_of(client, REVIEW)
    return client.post(REVIEW, data=data)


def ccrb(tmp_path: Path, database_url: str) -> tuple[Cli, int, dict[str, str]]:
    cli, port, outputs = installation(
        tmp_path,
        database_url,
        ("issuer", "add", "ccrb", "--name", "Clinical Research Certification Board"),
        ("review", "policy", "ccrb", "--required"),
        ("catalog", "load", str(EXAMPLES / "clinical-research-board.yaml"), "--issuer", "ccrb"),
        *staff("ccrb", office="admin", rita="reviewer", mo="mentor"),
    )
    return cli, port, tokens(outputs, "office", "rita", "mo")


def test_a_version_goes_through_review_on_the_console(tmp_path: Path, database_url: str) -> None:
    cli, port, tokens = ccrb(tmp_path, database_url)
    with running_server(cli, "serve", port=port) as url:
        signed_out = httpx.get(f"{url}{REVIEW}")
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == "/signin?next=/console/issuers/ccrb/review"

        with browser(url, tokens["mo"], REVIEW) as mo:
            refused = mo.get(REVIEW)
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("text/html")
            assert alert(refused) == (
                "mo@ccrb.example may not read the review queue: it needs the reviewer or admin "
                "role at issuer ccrb"
            )

        with (
            browser(url, tokens["office"], REVIEW) as office,
            browser(url, tokens["rita"], REVIEW) as rita,
        ):
            page = office.get(REVIEW)
            assert page.status_code == 200
            assert "Valid for 3 years" in page.text and "P3Y" not in page.text
            assert "Certified Clinical Research Professional" in page.text
            assert _status(page, "gcp-essentials") == "draft"
            assert _steps(page, "gcp-essentials") == ["submit", "comment"]
            assert _steps(rita.get(REVIEW), "gcp-essentials") == ["comment"]

            submitted = _step(office, "submit")
            assert submitted.status_code == 303
            page = office.get(submitted.headers["location"])
            assert "GCP Essentials version 1 submitted for review." in page.text
            assert _status(page, "gcp-essentials") == "in-review"

            forged = _step(rita, "approve", csrf=False)
            assert forged.status_code == 403
            assert "did not come from this site" in alert(forged)
            assert _status(rita.get(REVIEW), "gcp-essentials") == "in-review"

            assert _steps(rita.get(REVIEW), "gcp-essentials") == ["approve", "send-back", "comment"]
            silent = _step(rita, "send-back")
            assert silent.status_code == 422
            assert alert(silent) == "send-back needs a comment saying what to change or why"
            sent_back = _step(rita, "send-back", "Cite the cut-score study in the criteria.")
            assert sent_back.status_code == 303
            page = rita.get(REVIEW)
            assert _status(page, "gcp-essentials") == "draft"
            assert "sent back by rita@ccrb.example: “Cite the cut-score study" in page.text

            assert _step(office, "submit").status_code == 303
            assert _step(rita, "approve").status_code == 303
            not_hers = _step(rita, "publish")
            assert not_hers.status_code == 403
            assert alert(not_hers) == (
                "rita@ccrb.example may not publish gcp-essentials: it needs the admin role at "
                "issuer ccrb"
            )
            assert _status(rita.get(REVIEW), "gcp-essentials") == "approved"

            assert _step(office, "publish").status_code == 303
            page = office.get(REVIEW)
            assert _status(page, "gcp-essentials") == "published"
            assert _steps(page, "gcp-essentials") == ["retire", "comment"]
            assert "published by office@ccrb.example" in page.text
        history = cli.ok("review", "history", "ccrb", "gcp-essentials")
    assert [line.split("\t")[2] for line in history.splitlines()] == [
        "submit", "send-back", "submit", "approve", "publish",
    ]  # fmt: skip


def test_a_step_taken_on_a_later_page_comes_back_to_that_page(
    tmp_path: Path, database_url: str
) -> None:
    """A reviewer working down page 2 of a long queue is not sent back to page 1 each time."""
    badges = "".join(
        f"  - {{id: badge-{i:02d}, type: badge, name: Badge {i:02d}, criteria: Do {i}., "
        f"requirements: {{course: {{id: course-{i:02d}}}}}}}\n"
        for i in range(60)
    )
    catalog = tmp_path / "many.yaml"
    catalog.write_text(
        "format: credstack-catalog/1\nissuer: {id: many, name: Many Badges, kind: association}\n"
        f"achievements:\n{badges}",
        encoding="utf-8",
    )
    cli, port, outputs = installation(
        tmp_path,
        database_url,
        ("issuer", "add", "many", "--name", "Many Badges"),
        ("review", "policy", "many", "--required"),
        ("catalog", "load", str(catalog), "--issuer", "many"),
        *staff("many", office="admin"),
    )
    token = tokens(outputs, "office")["office"]
    queue = "/console/issuers/many/review"
    with running_server(cli, "serve", port=port) as url, browser(url, token, queue) as office:
        second = office.get(f"{queue}?page=2")
        assert _status(second, "badge-55") == "draft"
        form = second.text.split('data-achievement="badge-55" data-version="1"')[1]
        assert 'name="page" value="2"' in form.split("</article>")[0]
        data = {"achievement": "badge-55", "version": "1", "action": "submit", "page": "2"}
        data |= {"name": "Badge 55", "csrf": csrf_of(office, f"{queue}?page=2")}
        taken = office.post(queue, data=data)
        assert taken.status_code == 303
        assert taken.headers["location"].endswith("&page=2")
        back = office.get(taken.headers["location"])
        assert "Badge 55 version 1 submitted for review." in back.text
        assert "page 2 of 2" in back.text
        data |= {"page": "10001", "csrf": csrf_of(office, queue)}
        assert office.post(queue, data=data).status_code == 422
