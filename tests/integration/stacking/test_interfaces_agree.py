"""The CLI's --json and the REST API give the same progress, audit and CE report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx

from tests.stories.live import live_server


def test_cli_and_api_report_the_same_standing(tmp_path: Path, database_url: str) -> None:
    with live_server(tmp_path, database_url) as live:
        live.learner("ana")
        live.sit("ana", "northwind", "spreadsheets-exam", 82, date(2026, 9, 1))
        live.sit("ana", "northwind", "sql-exam", 68, date(2026, 9, 2))
        api = live.get(
            "/api/v1/learners/ana/progress/northwind/junior-data-analyst", as_of="2026-09-03"
        )
        cli = live.cli.run(
            "progress", "ana", "northwind:junior-data-analyst", "--as-of", "2026-09-03", "--json"
        )
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout) == api
        assert api["outcome"]["progress"]["text"] == "1 of 5 requirements"
        assert api["outcome"]["next_step"] == "sql-querying"
        text = live.cli.run("progress", "ana", "junior-data-analyst", "--as-of", "2026-09-03")
        # Text is for people: names where the JSON has ids.
        assert "next step: SQL Querying" in text.stdout
        assert "SQL Querying: not met" in text.stdout
        assert "sql-querying" not in text.stdout

        live.learner("dana")
        live.award("dana", "ccrb", "ccrp", date(2024, 1, 15))
        live.sit("dana", "ccrb", "ethics-quiz", 9, date(2024, 5, 2))
        api_ce = live.get("/api/v1/learners/dana/ce/ccrb/ccrp", as_of="2026-06-01")
        cli_ce = live.cli.run("ce", "report", "dana", "ccrp", "--as-of", "2026-06-01", "--json")
        assert json.loads(cli_ce.stdout) == api_ce
        assert api_ce["hours"] == 6

        unknown = live.cli.run("progress", "nobody", "ccrp")
        assert unknown.returncode == 1
        assert unknown.stderr.strip() == "error: unknown learner 'nobody'"
        bad_date = live.cli.run("progress", "ana", "ccrp", "--as-of", "yesterday")
        assert bad_date.returncode == 1
        assert "not a date" in bad_date.stderr
        anonymous = httpx.get(f"{live.url}/api/v1/learners/ana/progress/northwind/sql-querying")
        assert anonymous.status_code == 403
