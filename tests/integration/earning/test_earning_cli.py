"""The route commands in a subprocess: bad input is one clear line per problem, never a trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli
from tests.integration.earning.earning_helpers import tmcb_cli

CSV = (
    "learner,assessment,attempt_id,sat_at,score,proctoring,proctored_by\n"
    "ada,ebola-exam,T-1,2026-05-02T09:00:00+00:00,31,in_person,Lyon centre\n"
    "zed,ebola-exam,T-2,2026-05-02T09:00:00+00:00,30,,\n"
    "ada,ebola-exam,T-3,2026-05-02T09:00:00+00:00,41,,\n"
)


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return tmcb_cli(tmp_path / "data", database_url)


def test_import_all_or_nothing_then_partial(cli: Cli, tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    results.write_text(CSV)
    rejected = cli.run("result", "import", str(results), "--issuer", "tmcb")
    assert (rejected.returncode, rejected.stdout) == (1, "")
    assert rejected.stderr.splitlines() == [
        "error: the import was rejected, nothing was recorded (2 problems; use partial import "
        "to keep the good rows):",
        "error: row 3: unknown learner 'zed'",
        "error: row 4: assessment ebola-exam: a score of 41.0 is out of range for 'ebola-exam': "
        "use a number from 0 to 40",
    ]
    kept = cli.run("result", "import", str(results), "--issuer", "tmcb", "--partial")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout == (
        "recorded 1 rows, skipped 0 already recorded, 2 problems; 1 awards made\n"
    )
    assert kept.stderr.splitlines() == rejected.stderr.splitlines()[1:]
    wrong_columns = tmp_path / "wrong.csv"
    wrong_columns.write_text("student,exam\nada,ebola-exam\n")
    bad = cli.run("result", "import", str(wrong_columns), "--issuer", "tmcb")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "error: row 1: unknown column 'student'" in bad.stderr


def test_record_refuses_ambiguous_or_bad_input_in_one_line(cli: Cli) -> None:
    both = cli.run(
        "result", "record", "--issuer", "tmcb", "--learner", "ada", "--assessment",
        "ebola-exam", "--score", "30", "--rubric", "overall=3",
    )  # fmt: skip
    assert (both.returncode, both.stderr) == (
        1, "error: give exactly one of --score, --answers FILE.json or --rubric CRITERION=SCORE\n"
    )  # fmt: skip
    unproctored_by = cli.run(
        "result", "record", "--issuer", "tmcb", "--learner", "ada", "--assessment",
        "ebola-exam", "--score", "30", "--proctored-by", "Someone",
    )  # fmt: skip
    assert (unproctored_by.returncode, unproctored_by.stderr) == (
        1, "error: a proctor is named but the attempt is recorded as unproctored\n",
    )  # fmt: skip
    passed = cli.ok(
        "result", "record", "--issuer", "tmcb", "--learner", "ada", "--assessment",
        "ebola-exam", "--score", "36", "--sat-at", "2026-05-02T09:00:00+00:00", "--json",
    )  # fmt: skip
    assert '"achievement": "ebola-diagnosis"' in passed and '"percent": 90.0' in passed
    again = cli.run(
        "result", "record", "--issuer", "tmcb", "--learner", "ada", "--assessment",
        "ebola-exam", "--score", "38", "--sat-at", "2026-06-02T09:00:00+00:00",
    )  # fmt: skip
    assert (again.returncode, again.stderr) == (
        1,
        "error: ada may not sit ebola-exam on 2026-06-02: already passed; this assessment "
        "cannot be retaken after a pass\n",
    )
