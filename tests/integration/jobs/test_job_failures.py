"""Why a queued task failed, kept in credstack's `job_failures` on SQLite and PostgreSQL: one
row per task, replaced by a later failure, removed by success or a retry; and the reason is
one bounded line without a URL's password or SQLAlchemy's quoted statement."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from credstack.service.jobs.failures import MAX_REASON, reason
from credstack.service.jobs.queue import sweep_cron
from credstack.store.uow import UnitOfWork

AT = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def test_a_failure_is_kept_replaced_and_forgotten(uow: UnitOfWork) -> None:
    tasks = uow.queued_tasks
    assert tasks.failure(7) is None
    tasks.failed(7, "run_import", "ValueError: first", 1, AT)
    tasks.failed(7, "run_import", "ValueError: second", 2, AT)
    tasks.failed(8, "deliver_outbox", "OSError: down", 1, AT)
    kept = tasks.failure(7)
    assert kept is not None
    assert (kept.task, kept.error, kept.attempt, kept.failed_at) == (
        "run_import",
        "ValueError: second",
        2,
        AT,
    )
    tasks.forget(7)
    assert tasks.failure(7) is None
    assert tasks.failure(8) is not None


def test_a_reason_is_one_bounded_line_without_secrets(uow: UnitOfWork) -> None:
    said = reason(ValueError("cannot reach\npostgresql://app:s3cret@db.example/credstack"))
    assert said == "ValueError: cannot reach postgresql://…@db.example/credstack"
    long = reason(RuntimeError("x" * 5000))
    assert len(long) == MAX_REASON and long.startswith("RuntimeError: xxx")
    uow.session.execute(text("CREATE TABLE refusal (secret VARCHAR(20) PRIMARY KEY)"))
    uow.session.execute(text("INSERT INTO refusal VALUES ('learner-data')"))
    try:
        uow.session.execute(text("INSERT INTO refusal VALUES (:v)"), {"v": "learner-data"})
    except IntegrityError as exc:
        said = reason(exc)
    else:  # pragma: no cover - the database must refuse the duplicate
        raise AssertionError("no IntegrityError")
    assert said.startswith(("IntegrityError: ", "UniqueViolation: "))
    assert "learner-data" not in said and "INSERT" not in said and "\n" not in said


def test_the_sweep_runs_every_so_many_seconds_or_whole_minutes() -> None:
    assert sweep_cron(5) == "* * * * * */5"
    assert sweep_cron(59) == "* * * * * */59"
    assert sweep_cron(300) == "*/5 * * * *"
    assert sweep_cron(3600) == "0 * * * *"
