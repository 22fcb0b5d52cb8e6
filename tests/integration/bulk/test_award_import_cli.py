"""`credstack award import` and `credstack jobs`: checked first, issued once, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import Cli
from tests.integration.bulk.bulk_helpers import award_csv, execute, northwind_cli, query


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return northwind_cli(tmp_path / "data", database_url)


BAD = (
    "learner,email,name,achievement,date,score\n"
    "ada,ada@example.org,Ada Mensah,sql-querying,2026-06-01,90\n"
    "Bad Key,x@example.org,X,sql-querying,2026-06-01,\n"
    "bo,not-an-address,Bo,sql-querying,2026-06-01,\n"
    "cy,cy@example.org,Cy,no-such-badge,2026-06-01,\n"
    "di,di@example.org,Di,sql-querying,2099-01-01,\n"
    "ed,ed@example.org,Ed,sql-querying,01/06/2026,\n"
    "ada,ada@example.org,Ada Mensah,sql-querying,2026-06-02,\n"
    "fay,ada@example.org,Fay,data-visualisation,2026-06-01,\n"
    "gus,gus@example.org,,sql-querying,2026-06-01,\n"
    "hal,hal@example.org,Hal,sql-querying,2026-06-01,101.555\n"
    "ivy,ivy@example.org,Ivy,sql-querying\n"
)


def test_a_bad_file_is_reported_line_by_line_and_nothing_is_written(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    source = tmp_path / "class.csv"
    source.write_text(BAD)
    rejected = cli.run("award", "import", str(source), "--issuer", "northwind")
    assert (rejected.returncode, rejected.stdout) == (1, "")
    f = str(source)
    today = datetime.now(UTC).date().isoformat()  # Northwind keeps UTC days
    lines = rejected.stderr.splitlines()
    assert lines[:-1] == [
        f"error: {f}:3: learner 'Bad Key': an id of 1 to 120 lower-case letters, digits, '.', "
        "'_' and '-'",
        f"error: {f}:4: 'not-an-address' is not an e-mail address",
        f"error: {f}:5: issuer northwind has no achievement 'no-such-badge'",
        f"error: {f}:6: date 2099-01-01 is in the future (today is {today} for northwind)",
        f"error: {f}:7: date '01/06/2026' is not an ISO 8601 date (YYYY-MM-DD) or date and time",
        f"error: {f}:8: ada and sql-querying already appear on line 2",
        f"error: {f}:9: e-mail ada@example.org is learner ada's on line 2",
        f"error: {f}:10: new learner gus needs a name",
        f"error: {f}:11: score must have at most 2 decimal places, not 101.555",
        f"error: {f}:12: has 4 cells; the header has 6",
    ]
    assert lines[-1] == (
        f"error: {f}: nothing was issued: 10 problems; fix the file, or use a partial import "
        "to issue the good rows"
    )
    assert "Traceback" not in rejected.stderr
    assert cli.ok("jobs", "list") == "no jobs\n"
    assert query(database_url, "SELECT count(*) FROM awards") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM learners") == [(0,)]

    header = tmp_path / "header.csv"
    header.write_text("learner,mail,name,achievement\nada,a@example.org,Ada,sql-querying\n")
    wrong = cli.run("award", "import", str(header), "--issuer", "northwind")
    assert wrong.returncode == 1
    assert f"error: {header}:1: unknown column 'mail'; the columns are learner, email" in (
        wrong.stderr
    )
    assert f"error: {header}:1: the required column 'date' is missing" in wrong.stderr


def test_partial_issues_the_good_rows_and_names_the_rest(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    source = tmp_path / "class.csv"
    source.write_text(BAD)
    kept = cli.run("award", "import", str(source), "--issuer", "northwind", "--partial", "--json")
    assert kept.returncode == 0, kept.stderr
    summary = json.loads(kept.stdout)
    assert {k: summary[k] for k in ("status", "rows", "issued", "skipped", "failed")} == {
        "status": "done",
        "rows": 1,
        "issued": 1,
        "skipped": 0,
        "failed": 0,
    }
    assert summary["left_out"] == 10
    assert f"left out: {source}:3: learner 'Bad Key'" in kept.stderr
    awards = json.loads(cli.ok("award", "list", "--issuer", "northwind", "--json"))
    assert [(a["learner_key"], a["achievement_key"]) for a in awards["awards"]] == [
        ("ada", "sql-querying")
    ]


def test_issued_once_signed_with_status_and_mail_and_the_same_file_again_issues_nothing(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(12))
    first = json.loads(cli.ok("award", "import", str(source), "--issuer", "northwind", "--json"))
    assert (first["status"], first["rows"], first["issued"], first["issued_before"]) == (
        "done",
        12,
        12,
        0,
    )
    assert first["rate"] > 0
    again = cli.run("award", "import", str(source), "--issuer", "northwind", "--json")
    assert again.returncode == 0
    second = json.loads(again.stdout)
    assert (second["job"], second["issued"], second["issued_before"]) == (first["job"], 0, 12)
    assert "was submitted before as job" in again.stderr

    awards = json.loads(cli.ok("award", "list", "--issuer", "northwind", "--json"))["awards"]
    assert len(awards) == 12 and len({a["learner_key"] for a in awards}) == 12
    credential = json.loads(cli.ok("credential", "show", awards[0]["public_id"]))
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    indexes = query(database_url, "SELECT status_list_index FROM awards ORDER BY 1")
    assert [i for (i,) in indexes] == list(range(12))
    assert query(database_url, "SELECT count(*) FROM mail_outbox WHERE kind = 'award.issued'") == [
        (12,)
    ]
    assert query(database_url, "SELECT DISTINCT origin FROM awards") == [("bulk",)]
    evidence = query(
        database_url, "SELECT count(*) FROM awards WHERE credential IS NOT NULL AND score = 88.5"
    )
    assert evidence == [(12,)]
    assert cli.ok("audit-trail", "verify").endswith("events, chain intact\n")
    listed = cli.ok("jobs", "list").splitlines()
    assert len(listed) == 1 and listed[0].startswith(f"{first['job']}\taward-import\tdone\t12/12")


def test_failed_rows_are_kept_and_retried(cli: Cli, tmp_path: Path, database_url: str) -> None:
    execute(database_url, "UPDATE signing_keys SET retired_at = created_at")
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(3))
    failed = cli.run("award", "import", str(source), "--issuer", "northwind")
    assert failed.returncode == 1
    assert f"failed: {source}:2: issuer northwind has no active signing key" in failed.stderr
    job = failed.stdout.split()[1].rstrip(":")
    assert failed.stdout.startswith(f"job {job}: failed; issued 0 of 3 rows")
    assert f"error: 3 rows failed: `credstack jobs retry {job}`" in failed.stderr
    assert query(database_url, "SELECT count(*) FROM awards") == [(0,)]
    assert cli.ok("jobs", "list", "--status", "failed").startswith(f"{job}\taward-import\tfailed")

    cli.ok("issuer", "rotate-key", "northwind")
    retried = json.loads(cli.ok("jobs", "retry", job, "--json"))
    assert (retried["status"], retried["issued"], retried["failed"]) == ("done", 3, 0)
    assert query(database_url, "SELECT count(*) FROM awards") == [(3,)]
    assert cli.ok("jobs", "list", "--status", "failed") == "no jobs\n"
    unknown = cli.run("jobs", "retry", "nope")
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "error: unknown job 'nope' (see `credstack jobs list`)\n",
    )


def test_only_admins_and_registrars_import(cli: Cli, tmp_path: Path) -> None:
    cli.ok("user", "add", "mentor@example.org", "--name", "Mo Mentor")
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(1))
    refused = cli.run(
        "award", "import", str(source), "--issuer", "northwind", "--by", "mentor@example.org"
    )
    assert refused.returncode == 1
    assert "may not issue awards in bulk: it needs the admin or registrar role" in refused.stderr
