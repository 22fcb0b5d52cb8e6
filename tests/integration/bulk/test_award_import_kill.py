"""Exactly once: `credstack award import` killed with SIGKILL mid-way, run again, on both databases.

The process is killed from outside at a random moment after some rows are committed (so
almost always inside a batch's transaction), twice; the third run finishes the job. Every row
must then have exactly one award with one credential, the status-list indexes must be 0..N-1
with no gap or repeat, every award one e-mail and one audit entry, and a fourth run issues
nothing.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from credstack.service.bulk.runner import BATCH_ROWS
from tests.helpers import Cli
from tests.integration.bulk.bulk_helpers import award_csv, northwind_cli, query

ROWS = 2000
"""Four batches of `BATCH_ROWS`: enough that neither kill comes after the last row on a fast,
quiet machine (each kill waits for a batch to commit, then strikes inside the next). The
batches are fixed at that size (`CREDSTACK_IMPORT_BATCH_ROWS`): paced, they would grow on a
fast machine until one batch was the whole file."""


def _fixed_batches(cli: Cli) -> Cli:
    cli.settings["CREDSTACK_IMPORT_BATCH_ROWS"] = str(BATCH_ROWS)
    return cli


def _done(database_url: str) -> int:
    try:
        found = query(database_url, "SELECT done FROM jobs")
    except Exception:  # the database may be busy for a moment: poll again
        return 0
    return int(found[0][0]) if found else 0  # type: ignore[call-overload]


def _import_killed_after(cli: Cli, source: Path, database_url: str, rows_done: int) -> int:
    """Start the import, SIGKILL it at a random moment once `rows_done` rows are committed."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "credstack",
            "award",
            "import",
            str(source),
            "--issuer",
            "northwind",
        ],
        env=cli.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while _done(database_url) < rows_done:
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.05)
        time.sleep(random.uniform(0.0, 0.25))  # any moment
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    done = _done(database_url)
    assert done < ROWS, "the import finished before the kill: nothing was tested"
    return done


def test_killed_twice_then_finished_every_row_exactly_once(
    tmp_path: Path, database_url: str
) -> None:
    cli = _fixed_batches(northwind_cli(tmp_path / "data", database_url))
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(ROWS))

    first = _import_killed_after(cli, source, database_url, 1)
    second = _import_killed_after(cli, source, database_url, first + 1)
    assert first < second < ROWS

    finished = cli.run("award", "import", str(source), "--issuer", "northwind", "--json")
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)
    assert (summary["status"], summary["rows"], summary["failed"]) == ("done", ROWS, 0)
    assert summary["issued_before"] == second
    assert summary["issued"] == ROWS - second

    assert query(database_url, "SELECT count(*) FROM learners") == [(ROWS,)]
    per_learner = query(database_url, "SELECT learner_id, count(*) FROM awards GROUP BY 1")
    assert len(per_learner) == ROWS and {n for _, n in per_learner} == {1}
    assert query(database_url, "SELECT count(*) FROM awards WHERE credential IS NULL") == [(0,)]
    indexes = query(database_url, "SELECT status_list_index FROM awards ORDER BY 1")
    assert [i for (i,) in indexes] == list(range(ROWS))
    assert query(database_url, "SELECT count(*) FROM status_reservations") == [(0,)]
    assert query(
        database_url, "SELECT next_index FROM status_lists WHERE list_key = 'revocation-1'"
    ) == [(ROWS,)]
    mail = query(database_url, "SELECT count(*), count(DISTINCT award_id) FROM mail_outbox")
    assert mail == [(ROWS, ROWS)]
    issued = query(database_url, "SELECT count(*) FROM audit_events WHERE action = 'award.issued'")
    assert issued == [(ROWS,)]
    items = query(
        database_url, "SELECT state, count(*), count(DISTINCT award_id) FROM job_items GROUP BY 1"
    )
    assert items == [("done", ROWS, ROWS)]
    assert cli.ok("audit-trail", "verify").endswith("events, chain intact\n")

    again = json.loads(cli.ok("award", "import", str(source), "--issuer", "northwind", "--json"))
    assert (again["issued"], again["issued_before"]) == (0, ROWS)
    assert query(database_url, "SELECT count(*) FROM awards") == [(ROWS,)]


def test_killed_inside_a_batch_leaves_no_part_of_it(tmp_path: Path, database_url: str) -> None:
    """A batch's rows are issued together: killed while one is in flight, the database holds
    whole batches only, every count agreeing with the job's progress."""
    cli = _fixed_batches(northwind_cli(tmp_path / "data", database_url))
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(ROWS))
    done = _import_killed_after(cli, source, database_url, BATCH_ROWS)
    assert done % BATCH_ROWS == 0 and 0 < done < ROWS
    assert query(database_url, "SELECT count(*) FROM awards") == [(done,)]
    assert query(database_url, "SELECT count(*) FROM learners") == [(done,)]
    # On PostgreSQL the batch in flight may have reserved its indexes (they wait for its rows).
    [(reserved,)] = query(database_url, "SELECT count(*) FROM status_reservations")
    assert reserved in (0, BATCH_ROWS)
    assert query(
        database_url, "SELECT next_index FROM status_lists WHERE list_key = 'revocation-1'"
    ) == [(done + reserved,)]
    assert query(database_url, "SELECT count(*) FROM mail_outbox") == [(done,)]
    issued = query(database_url, "SELECT count(*) FROM audit_events WHERE action = 'award.issued'")
    assert issued == [(done,)]
    assert query(database_url, "SELECT count(*) FROM job_items WHERE state = 'done'") == [(done,)]
    assert cli.ok("audit-trail", "verify").endswith("events, chain intact\n")

    finished = json.loads(cli.ok("award", "import", str(source), "--issuer", "northwind", "--json"))
    assert (finished["issued_before"], finished["issued"]) == (done, ROWS - done)
    indexes = query(database_url, "SELECT status_list_index FROM awards ORDER BY 1")
    assert [i for (i,) in indexes] == list(range(ROWS))
    assert query(database_url, "SELECT count(*) FROM status_reservations") == [(0,)]
