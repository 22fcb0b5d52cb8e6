"""`credstack engine reevaluate` and `credstack ce reminders --queue` as the real command in a
subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from credstack.config import Settings
from credstack.service.learners import set_profile
from credstack.service.runtime import open_runtime
from tests.helpers import Cli
from tests.stories.driver import Story


def _awards(cli: Cli) -> None:
    """Wren's Wound Care Nurse ended on 2025-01-09; Cleo's CCRP cycle ends on 2025-06-30."""
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            story.load("wound-care-board.yaml", "clinical-research-board.yaml")
            for who in ("wren", "cleo"):
                set_profile(uow, story.learner(who), name=who.title(), email=f"{who}@example.org")
            story.award("wren", "wcb", "wound-care-nurse", date(2020, 1, 10))
            story.award("cleo", "ccrb", "ccrp", date(2022, 7, 1))
            uow.commit()
    finally:
        runtime.close()


def test_reevaluate_reports_what_it_did_and_a_second_run_nothing(
    tmp_path: Path, database_url: str
) -> None:
    cli = Cli(tmp_path / "data", database_url)
    cli.ok("init")
    _awards(cli)
    queued = cli.ok("ce", "reminders", "--queue", "--as-of", "2025-06-01")
    assert queued.splitlines() == [
        "queued\tcleo\tccrb:ccrp\t30-day reminder: 30 hours needed, 29 days left",
        "1 reminder queued",
    ]
    assert cli.ok("ce", "reminders", "--queue", "--as-of", "2025-06-01") == "0 reminders queued\n"
    first = json.loads(cli.ok("engine", "reevaluate", "--as-of", "2025-06-01", "--json"))
    assert (first["learners"], first["expired"], first["awards_granted"]) == (2, 1, 0)
    assert first["reminders_queued"] == 0  # `ce reminders --queue` already queued Cleo's
    text = cli.ok("engine", "reevaluate", "--as-of", "2025-06-01", "--workers", "2")
    lines = dict(line.split("\t") for line in text.splitlines())
    assert lines["learners"] == "2" and lines["expired"] == "0"
    assert lines["cycles closed"] == "0 (0 renewed, 0 lapsed)"
    assert lines["imports checked"] == "0 (0 changed, 0 could not be checked)"
    assert lines["workers"] == ("1" if database_url.startswith("sqlite") else "2")
    assert float(lines["learners/s"]) > 0

    refused = cli.run("engine", "reevaluate", "--as-of", "2099-01-01")
    assert refused.returncode != 0 and "in the future" in refused.stderr
    assert "Traceback" not in refused.stderr
    too_many = cli.run("engine", "reevaluate", "--workers", "0")
    assert too_many.returncode != 0 and "workers 0: use 1 to 64" in too_many.stderr
    unknown = cli.run("engine", "reevaluate", "--issuer", "nobody")
    assert unknown.returncode != 0 and "unknown issuer 'nobody'" in unknown.stderr
