"""Exactly once with two worker processes on one job (PostgreSQL: SQLite has one writer).

Two processes issue the same job side by side (`award import`, then `jobs retry` on its job),
both are killed with SIGKILL at a random moment, and two processes finish the job. Every row
must then have exactly one award, the status-list indexes must be 0..N-1 (the indexes a killed
batch reserved are used by whoever issues its rows), no reservation may be left, and the audit
trail's chain must be intact.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import DatabaseFactory
from tests.helpers import Cli
from tests.integration.bulk.bulk_helpers import award_csv, northwind_cli, query

ROWS = 3000


def _done(database_url: str) -> int:
    try:
        found = query(database_url, "SELECT done FROM jobs")
    except Exception:  # the database may be busy for a moment: poll again
        return 0
    return int(found[0][0]) if found else 0  # type: ignore[call-overload]


def _start(cli: Cli, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "credstack", *args],
        env=cli.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(what: str, until: float, condition: Callable[[], bool]) -> None:
    while not condition():
        assert time.monotonic() < until, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_workers_killed_then_resumed_issue_every_row_exactly_once(tmp_path: Path) -> None:
    factory = DatabaseFactory("postgresql", tmp_path)
    database_url = factory.create()
    try:
        _run(tmp_path, database_url)
    finally:
        factory.drop_all()


def _run(tmp_path: Path, database_url: str) -> None:
    cli = northwind_cli(tmp_path / "data", database_url)
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(ROWS))
    deadline = time.monotonic() + 600
    first = _start(cli, "award", "import", str(source), "--issuer", "northwind")
    processes = [first]
    try:
        _wait_for("the first batch", deadline, lambda: _done(database_url) >= 1)
        [(job,)] = query(database_url, "SELECT public_id FROM jobs")
        processes.append(_start(cli, "jobs", "retry", str(job)))
        started = _done(database_url)
        _wait_for("a batch after both started", deadline, lambda: _done(database_url) > started)
        time.sleep(random.uniform(0.0, 0.5))  # any moment
        for process in processes:
            process.send_signal(signal.SIGKILL)
    finally:
        for process in processes:
            process.wait(timeout=60)
    assert [p.returncode for p in processes] == [-signal.SIGKILL] * 2
    killed_at = _done(database_url)
    assert killed_at < ROWS, "the import finished before the kill: nothing was tested"

    finishing = [_start(cli, "jobs", "retry", str(job)) for _ in range(2)]
    for process in finishing:
        assert process.wait(timeout=600) == 0

    per_learner = query(database_url, "SELECT learner_id, count(*) FROM awards GROUP BY 1")
    assert len(per_learner) == ROWS and {n for _, n in per_learner} == {1}
    assert query(database_url, "SELECT count(*) FROM awards WHERE credential IS NULL") == [(0,)]
    indexes = query(database_url, "SELECT status_list_index FROM awards ORDER BY 1")
    assert [i for (i,) in indexes] == list(range(ROWS))
    assert query(
        database_url, "SELECT next_index FROM status_lists WHERE list_key = 'revocation-1'"
    ) == [(ROWS,)]
    assert query(database_url, "SELECT count(*) FROM status_reservations") == [(0,)]
    signed = query(
        database_url,
        "SELECT count(*) FROM awards WHERE (credential -> 'credentialStatus' ->> "
        "'statusListIndex')::int = status_list_index",
    )
    assert signed == [(ROWS,)]  # each credential carries the index its award holds
    items = query(
        database_url, "SELECT state, count(*), count(DISTINCT award_id) FROM job_items GROUP BY 1"
    )
    assert items == [("done", ROWS, ROWS)]
    mail = query(database_url, "SELECT count(*), count(DISTINCT award_id) FROM mail_outbox")
    assert mail == [(ROWS, ROWS)]
    issued = query(database_url, "SELECT count(*) FROM audit_events WHERE action = 'award.issued'")
    assert issued == [(ROWS,)]
    assert cli.ok("audit-trail", "verify").endswith("events, chain intact\n")
