"""`credstack worker` as real processes, on SQLite and PostgreSQL.

Imports queued with `--background` are issued exactly once by however many workers run
(PostgreSQL: procrastinate's queue; SQLite: the in-process worker); a worker killed with
SIGKILL leaves its job to the next one; a failing delivery waits for its backoff, shows in
`jobs list`, and `jobs retry` sends it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import Cli
from tests.integration.bulk.bulk_helpers import award_csv, execute, northwind_cli, query
from tests.integration.mail.conftest import MailServer, mail_server

__all__ = ["mail_server"]  # the fixture, shared with tests/integration/mail


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return northwind_cli(tmp_path / "data", database_url)


def _worker(cli: Cli, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "credstack", "worker", *args],
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str], timeout: float = 300) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"worker exited {process.returncode}: {out}\n{err}"
    assert "Traceback" not in err, err
    return out


def _done(database_url: str) -> int:
    try:
        found = query(database_url, "SELECT done FROM jobs")
    except Exception:  # busy for a moment: poll again
        return 0
    return int(found[0][0]) if found else 0  # type: ignore[call-overload]


def _issued_once(database_url: str, rows: int) -> None:
    assert query(database_url, "SELECT count(*), count(DISTINCT learner_id) FROM awards") == [
        (rows, rows)
    ]
    indexes = query(database_url, "SELECT status_list_index FROM awards ORDER BY 1")
    assert [i for (i,) in indexes] == list(range(rows))
    assert query(database_url, "SELECT count(*) FROM mail_outbox WHERE kind = 'award.issued'") == [
        (rows,)
    ]
    assert query(database_url, "SELECT status, done, failed FROM jobs") == [("done", rows, 0)]


def _queue(cli: Cli, source: Path) -> str:
    queued = json.loads(
        cli.ok("award", "import", str(source), "--issuer", "northwind", "--background", "--json")
    )
    assert (queued["status"], queued["pending"]) == ("pending", queued["rows"])
    return str(queued["job"])


def test_background_import_is_issued_once_by_the_workers(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    rows = 1200
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(rows))
    job = _queue(cli, source)
    assert query(database_url, "SELECT count(*) FROM awards") == [(0,)]  # only queued
    listed = json.loads(cli.ok("jobs", "list", "--json"))
    imports = [j for j in listed if j["kind"] == "award-import"]
    assert [(j["id"], j["status"], j["done"]) for j in imports] == [(job, "pending", 0)]
    tasks = [(j["kind"], j["state"]) for j in listed if j["kind"] != "award-import"]
    # PostgreSQL: the queue holds a run of the job; SQLite: the worker will find its rows.
    postgres = database_url.startswith("postgresql")
    assert tasks == ([(f"run_import({job})", "pending")] if postgres else [])

    # PostgreSQL: two workers share the queue; SQLite has one worker (a second would only queue
    # for the write lock).
    workers = [_worker(cli, "--until-idle", "--concurrency", "2") for _ in range(1 + postgres)]
    outs = [_finish(w) for w in workers]
    assert all(o.startswith("credstack worker on the ") for o in outs)
    _issued_once(database_url, rows)
    if postgres:  # succeeded tasks are deleted, none failed
        assert query(database_url, "SELECT count(*) FROM procrastinate_jobs") == [(0,)]
    # The same file again finds the job done: nothing is queued, nothing issued twice.
    again = json.loads(
        cli.ok("award", "import", str(source), "--issuer", "northwind", "--background", "--json")
    )
    assert (again["job"], again["status"], again["pending"]) == (job, "done", 0)
    _finish(_worker(cli, "--until-idle"))
    _issued_once(database_url, rows)


def test_a_worker_killed_mid_job_leaves_it_to_the_next(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    rows = 2000
    source = tmp_path / "graduates.csv"
    source.write_text(award_csv(rows))
    _queue(cli, source)
    victim = _worker(cli)  # works until stopped
    try:
        deadline = time.monotonic() + 300
        while _done(database_url) < 1:
            assert victim.poll() is None, victim.communicate()
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.wait(timeout=60)
        for stream in (victim.stdout, victim.stderr):
            if stream is not None:
                stream.close()
    assert victim.returncode == -signal.SIGKILL
    assert _done(database_url) < rows, "the job finished before the kill: nothing was tested"
    _finish(_worker(cli, "--until-idle"))
    _issued_once(database_url, rows)


def test_a_failing_delivery_backs_off_is_listed_and_retried(
    cli: Cli, tmp_path: Path, database_url: str, mail_server: MailServer
) -> None:
    cli.settings["CREDSTACK_SMTP_URL"] = f"smtp://127.0.0.1:{mail_server.port}"
    mail_server.down()
    source = tmp_path / "one.csv"
    source.write_text(award_csv(1))
    _queue(cli, source)
    before = datetime.now(UTC)
    _finish(_worker(cli, "--until-idle"))
    assert _done(database_url) == 1
    assert mail_server.inbox.messages == []
    [(due, attempts)] = query(database_url, "SELECT due_at, attempts FROM mail_outbox")
    assert attempts == 1
    due_at = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))  # SQLite: text
    assert (due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)) >= before + timedelta(
        seconds=29
    )

    failing = json.loads(cli.ok("jobs", "list", "--status", "retrying", "--json"))
    [delivery] = failing
    assert (delivery["kind"], delivery["state"], delivery["attempts"]) == (
        "mail:award.issued",
        "retrying",
        1,
    )
    assert delivery["id"].startswith("outbox-") and delivery["last_error"]
    line = cli.ok("jobs", "list").splitlines()[0]
    assert line.startswith(f"{delivery['id']}\tmail:award.issued\tretrying\t1 attempts\t")

    _finish(_worker(cli, "--until-idle"))  # not due yet: the backoff holds it
    assert mail_server.inbox.messages == []

    mail_server.up()
    assert cli.ok("jobs", "retry", delivery["id"]) == f"{delivery['id']}: queued again\n"
    _finish(_worker(cli, "--until-idle"))
    assert [m["To"] for m in mail_server.inbox.messages] == ["grad0@example.org"]
    assert cli.ok("jobs", "list", "--status", "retrying") == "no jobs\n"
    unknown = cli.run("jobs", "retry", delivery["id"])
    assert unknown.returncode == 1
    assert "to try again" in unknown.stderr and "Traceback" not in unknown.stderr


_REFUSE = {
    "postgresql": (
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$",
        "CREATE TRIGGER refuse BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION refuse()",
    ),
    "sqlite": (
        "CREATE TRIGGER refuse BEFORE UPDATE ON jobs "
        "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
    ),
}


def test_a_failing_task_shows_its_reason_and_retry_clears_it(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    source = tmp_path / "one.csv"
    source.write_text(award_csv(1))
    job = _queue(cli, source)
    # The database refuses to mark the job running: the run fails before issuing anything.
    backend = database_url.split(":", 1)[0]
    for statement in _REFUSE[backend]:
        execute(database_url, statement)
    failing = _worker(cli, "--until-idle")
    out, err = failing.communicate(timeout=120)
    assert _done(database_url) == 0
    if backend == "sqlite":
        # No queue: the worker stops, saying why; the job stays for the next worker.
        assert failing.returncode == 1, (out, err)
        assert "Traceback" not in err
        assert "error: the worker stopped: IntegrityError: refused for the test" in err
        execute(database_url, "DROP TRIGGER refuse")
        _finish(_worker(cli, "--until-idle"))
        _issued_once(database_url, 1)
        return
    assert failing.returncode == 0, (out, err)
    [task] = [t for t in json.loads(cli.ok("jobs", "list", "--json")) if t["id"] != job]
    assert (task["kind"], task["state"], task["attempts"]) == (f"run_import({job})", "retrying", 1)
    assert task["last_error"] == "RaiseException: refused for the test"
    [line] = [row for row in cli.ok("jobs", "list").splitlines() if row.startswith(task["id"])]
    assert line.startswith(
        f"{task['id']}\trun_import({job})\tretrying\t1 attempts\t"
        "RaiseException: refused for the test\t"
    )

    execute(database_url, "DROP TRIGGER refuse ON jobs")
    assert cli.ok("jobs", "retry", task["id"]) == f"{task['id']}: queued again\n"
    assert query(database_url, "SELECT count(*) FROM job_failures") == [(0,)]
    [again] = [t for t in json.loads(cli.ok("jobs", "list", "--json")) if t["id"] == task["id"]]
    assert (again["state"], again["attempts"], again["last_error"]) == ("pending", 0, None)
    _finish(_worker(cli, "--until-idle"))
    _issued_once(database_url, 1)
    assert query(database_url, "SELECT count(*) FROM procrastinate_jobs") == [(0,)]
    gone = cli.run("jobs", "retry", task["id"])  # succeeded, so deleted: nothing to retry
    assert gone.returncode == 1
    assert "no failed or retrying job" in gone.stderr and "Traceback" not in gone.stderr
