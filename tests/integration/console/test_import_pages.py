"""The imports page: a results file checked whole (a bad row writes nothing and is reported),
and a bulk award import whose job page shows its progress to the end."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from credstack.limits import MAX_RESULTS_UPLOAD_BYTES
from tests.helpers import running_server
from tests.integration.bulk.bulk_helpers import award_csv
from tests.integration.console.console_helpers import (
    EXAMPLES,
    alert,
    browser,
    csrf_of,
    installation,
    staff,
    tokens,
)
from tests.liveness import HANG

IMPORTS = "/console/issuers/tmcb/imports"
HEADER = "learner,assessment,attempt_id,sat_at,score,proctoring,proctored_by\n"
GOOD = (
    "ada,ebola-exam,T-1,2026-05-02T09:00:00+00:00,31,in_person,Lyon centre\n"
    "bo,ebola-exam,T-2,2026-05-02T09:00:00+00:00,12,,\n"
)
ONE_BAD = GOOD + "zed,ebola-exam,T-3,2026-05-02T09:00:00+00:00,30,,\n"


def _upload(
    client: httpx.Client, what: str, name: str, text: str, *, csrf: bool = True
) -> httpx.Response:
    data = {"csrf": csrf_of(client, IMPORTS)} if csrf else {}
    files = {"file": (name, text.encode(), "text/csv")}
    return client.post(f"{IMPORTS}/{what}", data=data, files=files)


def test_results_upload_reports_bad_rows_and_writes_nothing(
    tmp_path: Path, database_url: str
) -> None:
    cli, port, outputs = installation(
        tmp_path,
        database_url,
        ("learner", "add", "ada", "--name", "Ada"),
        ("learner", "add", "bo", "--name", "Bo"),
        ("issuer", "add", "tmcb", "--name", "Tropical Medicine Certification Body"),
        ("catalog", "load", str(EXAMPLES / "tropical-medicine-board.yaml"), "--issuer", "tmcb"),
        *staff("tmcb", reg="registrar", mo="mentor"),
    )
    people = tokens(outputs, "reg", "mo")
    with running_server(cli, "serve", port=port) as url:
        signed_out = httpx.post(f"{url}{IMPORTS}/results", timeout=HANG)  # cold: seconds
        assert signed_out.status_code == 303
        assert signed_out.headers["location"].startswith("/signin?next=")

        with browser(url, people["reg"], IMPORTS) as reg, browser(url, people["mo"], "/") as mo:
            assert mo.get(IMPORTS).status_code == 403
            mentor = mo.post(
                f"{IMPORTS}/results",
                data={"csrf": csrf_of(mo, "/")},
                files={"file": ("good.csv", (HEADER + GOOD).encode(), "text/csv")},
            )
            assert mentor.status_code == 403
            assert (
                "may not import results: it needs the assessor or admin or registrar role"
                in alert(mentor)
            )

            forged = _upload(reg, "results", "good.csv", HEADER + GOOD, csrf=False)
            assert forged.status_code == 403
            assert "did not come from this site" in alert(forged)

            rejected = _upload(reg, "results", "results.csv", HEADER + ONE_BAD)
            assert rejected.status_code == 422
            assert "results.csv was not imported" in rejected.text
            assert "Nothing was written: 1 row needs fixing" in rejected.text
            assert re.findall(r"<li>(row [^<]*)</li>", rejected.text) == [
                "row 4: unknown learner &#39;zed&#39;"
            ]
            assert cli.ok("award", "list", "--issuer", "tmcb") == "no awards match\n"

            imported = _upload(reg, "results", "results.csv", HEADER + GOOD)
            assert imported.status_code == 200, imported.text
            assert "results.csv was imported" in imported.text
            assert "2 results recorded" in imported.text
            assert "1 passed" in imported.text and "1 credential awarded" in imported.text

            too_large = _upload(reg, "results", "huge.csv", "x" * (MAX_RESULTS_UPLOAD_BYTES + 1))
            assert too_large.status_code == 413
            assert too_large.headers["content-type"].startswith("text/html")
            assert alert(too_large) == "the file is larger than 32 MiB; split it"
    awards = cli.ok("award", "list", "--issuer", "tmcb")
    assert awards.endswith("\tAda (ada)\nawards 1 to 1 of 1\n")


def test_a_bulk_award_import_shows_its_progress_to_the_end(
    tmp_path: Path, database_url: str
) -> None:
    cli, port, outputs = installation(
        tmp_path,
        database_url,
        ("issuer", "add", "northwind", "--name", "Northwind Data Academy"),
        ("catalog", "load", str(EXAMPLES / "northwind-data-academy.yaml"), "--issuer", "northwind"),
        *staff("northwind", reg="registrar", mo="mentor"),
    )
    people = tokens(outputs, "reg", "mo")
    imports = "/console/issuers/northwind/imports"
    with (
        running_server(cli, "serve", port=port) as url,
        browser(url, people["reg"], imports) as reg,
        browser(url, people["mo"], "/") as mo,
    ):
        bad = award_csv(3).replace("sql-querying", "no-such-thing")
        csrf = csrf_of(reg, imports)
        files = {"file": ("bad.csv", bad.encode(), "text/csv")}
        rejected = reg.post(f"{imports}/awards", data={"csrf": csrf}, files=files)
        assert rejected.status_code == 422
        assert "bad.csv was not imported" in rejected.text
        assert "bad.csv:3:" in rejected.text and "No award import yet." in rejected.text

        files = {"file": ("class-of-2026.csv", award_csv(40).encode(), "text/csv")}
        refused = mo.post(f"{imports}/awards", data={"csrf": csrf_of(mo, "/")}, files=files)
        assert refused.status_code == 403

        started = reg.post(f"{imports}/awards", data={"csrf": csrf}, files=files)
        assert started.status_code == 303
        job = started.headers["location"]
        assert job.startswith(f"{imports}/")
        seen = []
        deadline = time.monotonic() + 120
        while True:
            page = reg.get(job)
            assert page.status_code == 200
            state = re.search(r'data-status="([^"]+)"', page.text)
            assert state is not None
            seen.append(state.group(1))
            refreshing = '<meta http-equiv="refresh" content="2">' in page.text
            assert refreshing == (state.group(1) not in ("done", "failed"))
            if not refreshing:
                break
            assert time.monotonic() < deadline, seen
            time.sleep(0.5)
        assert seen[-1] == "done"
        assert "Award import: class-of-2026.csv" in page.text
        assert '<dd class="job-progress">40 of 40</dd>' in page.text
        listing = reg.get(imports)
        assert "class-of-2026.csv" in listing.text and "40 of 40" in listing.text
        assert mo.get(job).status_code == 403
    listed = cli.ok("award", "list", "--issuer", "northwind", "--per-page", "1")
    assert listed.splitlines()[-1].endswith(" of 40; next: --page 2")
