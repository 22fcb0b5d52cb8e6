"""Future and absurd dates are refused with a clear error, on the CLI and over HTTP (issue 9
"future dates", issue 10 "award dated 9999-12-01" and "share link of 10,000,000 days")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.helpers import Cli
from tests.integration.earning.earning_helpers import EXAMPLES, tmcb_cli
from tests.stories.live import Live, live_server


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return tmcb_cli(tmp_path / "data", database_url)


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[Live]:
    """A real server with the example catalogs loaded (the stories' own setup)."""
    with live_server(tmp_path, database_url) as server:
        yield server


def _refused(cli: Cli, *args: str) -> str:
    done = cli.run(*args)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_the_cli_refuses_future_and_out_of_range_dates(cli: Cli, tmp_path: Path) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    sit = ("result", "record", "--issuer", "tmcb", "--learner", "ada", "--assessment",
           "ebola-exam", "--score", "31")  # fmt: skip
    line = _refused(cli, *sit, "--sat-at", tomorrow.isoformat())
    assert "sat_at" in line and "is in the future" in line
    line = _refused(cli, *sit, "--sat-at", "9999-12-01T10:00:00+00:00")
    assert "sat_at" in line and "out of range" in line
    course = ("course", "complete", "--issuer", "tmcb", "--learner", "ada", "--provider",
              "who-academy", "--course", "ipc-basics", "--hours", "4")  # fmt: skip
    line = _refused(cli, *course, "--on", "2099-03-01")
    assert "completed_on" in line and "in the future" in line
    line = _refused(cli, *course, "--on", "9999-12-01")
    assert "--on 9999-12-01 is out of range" in line
    line = _refused(cli, "progress", "ada", "tmcb:ebola-diagnosis", "--as-of", "9999-12-31")
    assert "--as-of 9999-12-31 is out of range" in line
    # nothing was recorded: the learner has no attempt to make progress with
    progress = json.loads(cli.ok("progress", "ada", "tmcb:ebola-diagnosis", "--json"))
    assert progress["outcome"]["met"] is False
    # Clock skew: an attempt up to five minutes ahead of our clock counts as now.
    soon = datetime.now(timezone(timedelta(hours=-8))) + timedelta(minutes=2)
    out = json.loads(cli.ok(*sit, "--sat-at", soon.isoformat(), "--json"))
    award = out["awarded"][0]["award"]
    # A share link lasts at most ten years.
    assert "1 to 3650 days" in _refused(cli, "credential", "share", award, "--days", "10000000")
    assert "valid until" in cli.ok("credential", "share", award, "--days", "3650")
    # An unknown issuer zone in a catalog is a FILE:LINE error, and nothing is loaded.
    text = (EXAMPLES / "tropical-medicine-board.yaml").read_text()
    bad = tmp_path / "zoned.yaml"
    bad.write_text(text.replace("kind: certification-body}", "kind: certification-body,\n"
                                "  timezone: Mars/Olympus_Mons}", 1))  # fmt: skip
    done = cli.run("catalog", "load", str(bad), "--issuer", "tmcb")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "zoned.yaml:4" in done.stderr and "unknown time zone 'Mars/Olympus_Mons'" in done.stderr


def test_the_api_refuses_future_awards_and_absurd_dates(live: Live) -> None:
    live.learner("ada")
    award = {"learner": "ada", "achievement": "ebola-diagnosis"}
    path = "/api/v1/issuers/tmcb/awards"
    for body, field in [
        ({**award, "awarded_on": "2099-03-01"}, "awarded_on 2099-03-01 is in the future"),
        ({**award, "awarded_on": "9999-12-01"}, "awarded_on 9999-12-01 is out of range"),
        ({**award, "awarded_at": "2099-03-01T10:00:00-08:00"}, "awarded_at 2099-03-01"),
    ]:
        refused = live.raw("POST", path, json=body)
        assert refused.status_code == 422, refused.text
        assert field in refused.json()["error"]
    conditions = {"sat_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}
    refused = live.raw(
        "POST",
        "/api/v1/issuers/tmcb/results",
        json={"learner": "ada", "assessment": "ebola-exam", "score": 31, "conditions": conditions},
    )
    assert refused.status_code == 422 and "in the future" in refused.text
    # The field's old name is still read (ignoring it would record the attempt as of now).
    refused = live.raw(
        "POST",
        "/api/v1/issuers/tmcb/results",
        json={"learner": "ada", "assessment": "ebola-exam", "score": 31, "sitting": conditions},
    )
    assert refused.status_code == 422 and "in the future" in refused.text
    far = live.raw(
        "GET", "/api/v1/learners/ada/progress/tmcb/ebola-diagnosis", params={"as_of": "9999-12-31"}
    )
    assert far.status_code == 422 and "out of range" in far.text
    # Nothing was recorded: with no record at any issuer, ada is visible to no staff (404, see
    # docs/security.md), which an award would have changed.
    assert live.raw("GET", "/api/v1/learners/ada/awards").status_code == 404
    # An award in the past keeps its instant and the offset it was given with.
    made = live.post(path, {**award, "awarded_at": "2026-03-04T23:30:00-08:00"})["award"]
    assert (made["awarded_on"], made["awarded_at"]) == ("2026-03-05", "2026-03-04T23:30:00-08:00")
    credential = live.get(f"/credentials/{made['id']}")
    assert credential["validFrom"] == "2026-03-05T07:30:00Z"
    shared = live.raw(
        "POST", f"/api/v1/credentials/{made['id']}/share-links", json={"valid_days": 10_000_000}
    )
    assert shared.status_code == 422 and "1 to 3650 days" in shared.text
