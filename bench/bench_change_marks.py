"""Benchmark what the analytics change-mark triggers cost a writer, per row: migration
`0032_change_marks` (head) against `0030_analytics_marks` (the database downgraded to
`0031_free_indexes`, which keeps 0030's triggers).

Data: `bench_reevaluate.generate` (one issuer, N learners x 3 pathways, 10 sittings each).
Measured statements, each inside a transaction that is rolled back: one `INSERT ... SELECT`
copying N existing assessment attempts (new public ids), and one `UPDATE` of N attempts (a
regrading), each with the table's triggers and with them dropped (in the same rolled-back
transaction). The statements run inside the database, so the figure is the database's CPU:
this process's (`time.process_time`) for SQLite, the PostgreSQL backend's (`/proc/PID/stat`,
so only for a server on this machine). The difference divided by N is the triggers' cost per
row. Asserts nothing.

Usage: python bench/bench_change_marks.py [--rows 20000] [--rounds 3]
           [--postgres postgresql://user@host:port/postgres]   (default: SQLite in a temp dir)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, text

from credstack.config import Settings
from credstack.service.runtime import Runtime, initialise
from credstack.store import migrate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_analytics import machine, scratch_database  # noqa: E402
from bench.bench_reevaluate import ATTEMPT_COLUMNS, generate  # noqa: E402

TABLE = "assessment_attempts"
PREVIOUS = "0031_free_indexes"
"""The revision before 0032: 0030's counter row and its per-row triggers."""

_COPIED = ", ".join(c if c != "public_id" else "public_id || '-c'" for c in ATTEMPT_COLUMNS)
STATEMENTS = {
    "insert": (
        f"INSERT INTO {TABLE} ({', '.join(ATTEMPT_COLUMNS)}) "
        f"SELECT {_COPIED} FROM {TABLE} ORDER BY id LIMIT :rows"
    ),
    "update": (
        f"UPDATE {TABLE} SET percent = percent "
        f"WHERE id IN (SELECT id FROM {TABLE} ORDER BY id LIMIT :rows)"
    ),
}


def _clock(connection: Connection) -> Callable[[], float] | None:
    """The CPU seconds of whatever runs the statements."""
    if connection.dialect.name == "sqlite":
        return time.process_time
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")

    def backend() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return backend


def _triggers(connection: Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        found = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": TABLE},
        )
        return [f"DROP TRIGGER {name}" for (name,) in found]
    found = connection.execute(
        text(
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal AND tgname LIKE 'analytics%'"
        ),
        {"t": TABLE},
    )
    return [f"DROP TRIGGER {name} ON {TABLE}" for (name,) in found]


def _once(runtime: Runtime, statement: str, rows: int, triggers: bool) -> float | None:
    with runtime.engine.connect() as connection, connection.begin() as transaction:
        clock = _clock(connection)
        if clock is None:
            return None
        if not triggers:
            for drop in _triggers(connection):
                connection.execute(text(drop))
        started = clock()
        connection.execute(text(statement), {"rows": rows})
        spent = clock() - started
        transaction.rollback()
        return spent


def per_row(runtime: Runtime, rows: int, rounds: int) -> dict[str, tuple[float, float] | None]:
    """Per statement: (microseconds per row with the triggers, the triggers' share)."""
    found: dict[str, tuple[float, float] | None] = {}
    for name, statement in STATEMENTS.items():
        with_, without = [], []
        for _ in range(rounds):  # paired, alternating
            a = _once(runtime, statement, rows, triggers=True)
            b = _once(runtime, statement, rows, triggers=False)
            if a is None or b is None:
                found[name] = None
                break
            with_.append(a)
            without.append(b)
        else:
            on, off = statistics.median(with_), statistics.median(without)
            found[name] = (on / rows * 1e6, (on - off) / rows * 1e6)
    return found


def _report(label: str, found: dict[str, tuple[float, float] | None]) -> None:
    for name, figures in found.items():
        if figures is None:
            print(f"  {label:>28} {name}: the server's CPU cannot be read from here")
            continue
        total, triggers = figures
        print(
            f"  {label:>28} {name}: {total:6.2f} us/row with the triggers, "
            f"of which the triggers {triggers:6.2f} us/row"
        )


def measure(url: str, data: Path, rows: int, rounds: int) -> None:
    runtime = initialise(Settings(data, url, "http://bench.invalid"))
    try:
        generate(runtime, learners=max(rows // 10, 1), pathways=3, seed=7, unsettled=0.0)
        print(f"{runtime.engine.dialect.name}: {rows:,} rows a statement, median of {rounds}")
        _report("0032_change_marks", per_row(runtime, rows, rounds))
        migrate.downgrade(runtime.engine, PREVIOUS)
        _report("0030_analytics_marks", per_row(runtime, rows, rounds))
        migrate.upgrade(runtime.engine)
    finally:
        runtime.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="create a database here")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(machine())
    with scratch_database(args.postgres) as (url, data):
        measure(url, data, args.rows, args.rounds)


if __name__ == "__main__":
    main()
