"""Benchmark bulk issuance: N rows of a CSV award import into a fresh installation.

Each row creates its learner and is issued as the import does it (award, signed OB 3.0
credential, status-list entry, audit trail, e-mail in the outbox, the row's done mark). Prints
rows/s for the check (every row validated) and for the issuance, the SQL statements issued per
row (an engine event listener counts them), and the issuing process's CPU time (a figure that
holds on a machine shared with other work); asserts nothing. Runs on SQLite, and on PostgreSQL
too when CREDSTACK_TEST_POSTGRES_URL is set (a throwaway database is created and dropped).
`--workers 2` runs the issuance in two processes side by side (on PostgreSQL; SQLite has one
writer).

Usage: python bench/bench_bulk_import.py [--rows 10000] [--workers 1] [--profile] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import multiprocessing
import os
import platform
import pstats
import resource
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.bulk import run_job, submit_award_import
from credstack.service.catalog import load_catalog
from credstack.service.people import add_issuer
from credstack.service.runtime import Runtime, initialise, open_runtime
from credstack.store.models import AwardRow
from credstack.vc import dataintegrity

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "northwind-data-academy.yaml"
ACHIEVEMENTS = ("spreadsheets-fundamentals", "sql-querying", "data-visualisation")


def rows_csv(rows: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "email", "name", "achievement", "date", "score"])
    for i in range(rows):
        writer.writerow(
            [
                f"learner-{i:07d}",
                f"learner{i}@example.org",
                f"Learner {i}",
                ACHIEVEMENTS[i % len(ACHIEVEMENTS)],
                "2026-06-01",
                "81.5",
            ]
        )
    return out.getvalue()


def settings_for(data: Path, database_url: str) -> Settings:
    return Settings(data_dir=data, database_url=database_url, base_url="http://bench.invalid")


def installation(settings: Settings) -> Runtime:
    runtime = initialise(settings)
    with runtime.uow() as uow:
        add_issuer(
            uow, runtime.keys(uow), key="northwind", name="Northwind", kind="training-provider"
        )
        load_catalog(uow, issuer_key="northwind", text=EXAMPLE.read_text(), source=EXAMPLE.name)
        uow.commit()
    return runtime


def _worker(settings: Settings, job: str) -> None:
    runtime = open_runtime(settings)
    try:
        run_job(runtime, Actor.operator(), job)
    finally:
        runtime.close()


def bench(database_url: str, data: Path, rows: int, workers: int, profile: bool) -> str:
    settings = settings_for(data, database_url)
    runtime = installation(settings)
    try:
        text_ = rows_csv(rows)
        started, check_cpu = time.perf_counter(), time.process_time()
        submitted = submit_award_import(
            runtime, Actor.operator(), issuer="northwind", text=text_, source="bench.csv"
        )
        checked, check_cpu = time.perf_counter() - started, time.process_time() - check_cpu
        statements = [0]

        def count(*_: object) -> None:
            statements[0] += 1

        event.listen(runtime.engine, "before_cursor_execute", count)
        started, cpu = time.perf_counter(), time.process_time()
        before = _usage()
        if workers > 1:
            processes = [
                multiprocessing.Process(target=_worker, args=(settings, submitted.job.id))
                for _ in range(workers)
            ]
            for process in processes:
                process.start()
            for process in processes:
                process.join()
            job = run_job(runtime, Actor.operator(), submitted.job.id).job
        elif profile:
            # CPU time, not wall time: on a shared machine a wall-clock profile charges each
            # function with the time it waited for a core.
            profiler = cProfile.Profile(time.process_time)
            job = profiler.runcall(run_job, runtime, Actor.operator(), submitted.job.id).job
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        else:
            job = run_job(runtime, Actor.operator(), submitted.job.id).job
        issued = time.perf_counter() - started
        cpu = time.process_time() - cpu
        user, system = (after - first for after, first in zip(_usage(), before, strict=True))
        event.remove(runtime.engine, "before_cursor_execute", count)
        signing = _signing_alone(runtime, min(rows, 1000))
    finally:
        runtime.close()
    assert job.done == rows, job
    return (
        f"{rows} rows: checked in {checked:.1f} s ({rows / checked:.0f} rows/s; "
        f"{check_cpu:.1f} s of CPU), "
        f"issued in {issued:.1f} s ({rows / issued:.0f} rows/s) with {workers} worker(s)"
        + (
            f"; {cpu:.2f} s of this process's CPU ({rows / cpu:.0f} rows per CPU second)"
            if workers == 1 and cpu > 0
            else ""
        )
        + (
            f"; the issuing processes' CPU {user + system:.2f} s (user {user:.2f}, "
            f"system {system:.2f}; {(user + system) * 1000 / rows:.3f} ms a row)"
        )
        + (f"; {statements[0] / rows:.2f} SQL statements a row" if workers == 1 else "")
        + f"; signing alone {signing * 1000:.2f} ms of CPU a credential"
    )


def _usage() -> tuple[float, float]:
    """User and system CPU seconds of this process and its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + workers.ru_utime, own.ru_stime + workers.ru_stime


def _signing_alone(runtime: Runtime, count: int) -> float:
    """CPU seconds to sign one of the issued credentials again (proof stripped), on average:
    the part of a row's cost that is signing, so the rest can be told apart."""
    with runtime.uow(write=False) as uow:
        issuer = uow.issuers.by_key("northwind")
        assert issuer is not None
        key = runtime.keys(uow).signing_key(issuer)
        documents = [
            {k: v for k, v in document.items() if k != "proof"}
            for document in uow.session.scalars(
                select(AwardRow.credential).where(AwardRow.credential.is_not(None)).limit(count)
            )
            if document is not None
        ]
    created = datetime.now(UTC)
    cpu = time.process_time()
    for document in documents:
        dataintegrity.sign(document, key, created=created)
    return (time.process_time() - cpu) / max(len(documents), 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="Only PostgreSQL.")
    args = parser.parse_args(argv)
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"started {_moment()}")
    with tempfile.TemporaryDirectory() as where:
        data = Path(where)
        url = f"sqlite:///{data / 'bench.db'}"
        if not args.no_sqlite:
            print("SQLite:     " + bench(url, data, args.rows, 1, args.profile))
        admin = os.environ.get("CREDSTACK_TEST_POSTGRES_URL")
        if admin:
            name = f"bench_{uuid.uuid4().hex[:10]}"
            engine = create_engine(admin, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            database = make_url(admin).set(database=name).render_as_string(hide_password=False)
            try:
                figure = bench(database, data / "pg", args.rows, args.workers, args.profile)
                print("PostgreSQL: " + figure)
            finally:
                with engine.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MiB")
    if args.workers > 1:
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of the largest worker process: {largest:.0f} MiB")
    print(f"finished {_moment()}")


def _moment() -> str:
    """When, and how busy the machine was (CPU figures are inflated on a shared machine)."""
    one, five, fifteen = os.getloadavg()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{when}, load average {one:.1f} {five:.1f} {fifteen:.1f}"


if __name__ == "__main__":
    main()
