"""Benchmark the nightly re-evaluation (`credstack engine reevaluate`) over a database.

Generates N learners x M pathways straight into a fresh database (no engine, no signing; rows
are made as plain tuples in chunks of 5,000 learners and written with PostgreSQL `COPY`, or a
multi-row insert on SQLite): one issuer whose catalog has M achievements (three single-exam
microcredentials, then a certification stacking them (the modules are badges), repeated), and
for each learner 10 exam sittings (80% passed) with the awards they already earned. A few
learners have sittings nobody settled (the run awards them, signing each credential) and a few
hold an award whose last valid day has passed (the run expires it and queues the notice).
Then it runs the real use case once and again (the second run finds nothing to do), and
prints learners/s and peak memory (`resource.getrusage`). Asserts nothing.

Usage: python bench/bench_reevaluate.py [--learners 20000] [--pathways 20] [--workers 2]
           [--postgres postgresql://user@host:port/postgres]   (default: SQLite in a temp dir)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, create_engine, insert, text
from sqlalchemy.engine import make_url

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.learners import seal_profile
from credstack.service.people import add_issuer
from credstack.service.reevaluation import reevaluate
from credstack.service.runtime import Runtime, initialise
from credstack.store.models import Base, LearnerRow

AS_OF = date(2026, 6, 1)
FIRST_DAY = date(2024, 1, 1)
SITTINGS = 10
UNSETTLED = 0.01
"""Share of learners whose sittings were never settled: the run awards them."""
ENDED = 0.002
"""Share of learners holding an award whose last valid day has passed: the run expires it."""
CHUNK = 5_000
"""Learners generated and written per transaction (about 90,000 rows at 20 pathways)."""


def catalog(pathways: int) -> str:
    lines = [
        "format: credstack-catalog/1",
        "issuer: {id: bench, name: Bench Academy, kind: training-provider}",
        "achievements:",
    ]
    exams: list[str] = []
    for i in range(pathways):
        if i % 4 == 3:
            parts = ", ".join(f"m{j}" for j in range(i - 3, i))
            lines.append(
                f"  - {{id: c{i}, type: certification, name: Certificate {i}, "
                f"criteria: Hold the three, requirements: {{all: [{parts}]}}}}"
            )
        else:
            exams.append(f"e{i}")
            lines.append(
                f"  - {{id: m{i}, type: badge, name: Module {i}, "
                f"criteria: Pass exam {i}, requirements: {{assessment: e{i}}}}}"
            )
    lines.append("assessments:")
    lines += [
        f"  - {{id: {e}, title: Exam {e}, max_score: 100, cut_score: {{percent: 70}}}}"
        for e in exams
    ]
    return "\n".join(lines) + "\n"


LEARNER_COLUMNS = (
    "id",
    "key",
    "public_id",
    "identity_salt",
    "name_sealed",
    "identity_hash",
    "identity_type",
    "created_at",
)
ATTEMPT_COLUMNS = (
    "public_id",
    "learner_id",
    "issuer_id",
    "assessment_version_id",
    "source",
    "sat_at",
    "raw_score",
    "max_score",
    "percent",
    "passed",
    "proctoring",
    "created_at",
)
AWARD_COLUMNS = (
    "public_id",
    "learner_id",
    "issuer_id",
    "achievement_version_id",
    "awarded_on",
    "awarded_at",
    "awarded_offset",
    "valid_until",
    "status",
    "evidence",
    "counted",
    "origin",
    "created_at",
)
"""Every column without a server default, in the order the generator's tuples give them."""


class _Chunk:
    """One batch of learners' rows as plain tuples (`*_COLUMNS` order), written together."""

    def __init__(self) -> None:
        self.learners: list[tuple[Any, ...]] = []
        self.attempts: list[tuple[Any, ...]] = []
        self.awards: list[tuple[Any, ...]] = []

    def __len__(self) -> int:
        return len(self.learners) + len(self.attempts) + len(self.awards)


def generate(
    runtime: Runtime, learners: int, pathways: int, seed: int, unsettled: float | None = None
) -> None:
    """The catalog through the real loader; learners, sittings and awards as plain tuples in
    streaming chunks, written by PostgreSQL `COPY` (or a multi-row insert on SQLite)."""
    share = UNSETTLED if unsettled is None else unsettled
    with runtime.uow() as uow:
        keys = runtime.keys(uow)
        add_issuer(uow, keys, key="bench", name="Bench Academy", kind="training-provider")
        load_catalog(uow, issuer_key="bench", text=catalog(pathways), source="bench.yaml")
        uow.commit()
        issuer = uow.issuers.by_key("bench")
        assert issuer is not None
        micro: dict[str, tuple[str, int, int]] = {}  # exam -> (achievement, version, exam ver)
        stacks: list[tuple[int, list[str]]] = []
        for achievement in uow.achievements.all(issuer.id):
            version = uow.achievements.issuable(achievement)
            assert version is not None
            if achievement.key.startswith("m"):
                exam = f"e{achievement.key[1:]}"
                row = uow.assessments.by_key(issuer.id, exam)
                assert row is not None
                exam_version = uow.assessments.current(row)
                assert exam_version is not None
                micro[exam] = (achievement.key, version.id, exam_version.id)
            else:
                n = int(achievement.key[1:])
                stacks.append((version.id, [f"e{j}" for j in range(n - 3, n)]))
        issuer_id = issuer.id
    rng = random.Random(seed)
    exams = sorted(micro)
    days = [FIRST_DAY + timedelta(days=d) for d in range((AS_OF - FIRST_DAY).days)]
    nine = {day: datetime(day.year, day.month, day.day, 9, tzinfo=UTC) for day in days}
    midnight = {day: datetime(day.year, day.month, day.day, tzinfo=UTC) for day in days}
    salt = secrets.token_hex(16)
    tag = secrets.token_hex(4)  # public ids unique across runs on one database
    now = datetime.now(UTC)
    with runtime.engine.begin() as connection:
        first = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM learners")).scalar_one()

    def chunks() -> Iterator[_Chunk]:
        """Names sealed as `set_profile` seals them (on a row never added to a session); no
        addresses, so no e-mail is queued and none needs a lookup."""
        with runtime.uow(write=False) as uow:
            chunk, serial = _Chunk(), 0
            for n in range(learners):
                learner_id = first + n + 1
                row = LearnerRow(key=f"l{n}", public_id=f"{tag}{n:x}", identity_salt=salt)
                seal_profile(uow, row, name=f"Learner {n}", email=None)
                chunk.learners.append(
                    (
                        learner_id,
                        row.key,
                        row.public_id,
                        salt,
                        row.name_sealed,
                        row.identity_hash,
                        row.identity_type,
                        now,
                    )
                )
                settled = rng.random() >= share
                passed_on: dict[str, date] = {}
                for _ in range(SITTINGS):
                    exam = rng.choice(exams)
                    on = rng.choice(days)
                    passed = rng.random() < 0.8
                    score = 85 if passed else 40
                    serial += 1
                    chunk.attempts.append(
                        (
                            f"{tag}-t{serial:x}",
                            learner_id,
                            issuer_id,
                            micro[exam][2],
                            "external",
                            nine[on],
                            score,
                            100,
                            score,
                            passed,
                            "unproctored",
                            now,
                        )
                    )
                    if passed and (exam not in passed_on or on < passed_on[exam]):
                        passed_on[exam] = on
                if settled:
                    ends = rng.random() < ENDED
                    held = [(micro[e][1], on) for e, on in sorted(passed_on.items())]
                    held += [
                        (version_id, max(passed_on[e] for e in needs))
                        for version_id, needs in stacks
                        if all(e in passed_on for e in needs)
                    ]
                    for version_id, on in held:
                        until = AS_OF - timedelta(days=1) if ends else None
                        ends = False
                        serial += 1
                        chunk.awards.append(
                            (
                                f"{tag}-a{serial:x}",
                                learner_id,
                                issuer_id,
                                version_id,
                                on,
                                midnight[on],
                                0,
                                until,
                                "active",
                                "[]",
                                "[]",
                                "automatic",
                                now,
                            )
                        )
                if len(chunk.learners) >= CHUNK:
                    yield chunk
                    chunk = _Chunk()
            if chunk.learners:
                yield chunk

    started = time.perf_counter()
    rows = done = 0
    postgres = runtime.engine.dialect.name == "postgresql"
    write = _copy if postgres else _insert
    rebuild = _set_aside(runtime) if postgres else []
    for chunk in chunks():
        with runtime.engine.begin() as connection:
            write(connection, "learners", LEARNER_COLUMNS, chunk.learners)
            write(connection, "assessment_attempts", ATTEMPT_COLUMNS, chunk.attempts)
            write(connection, "awards", AWARD_COLUMNS, chunk.awards)
        rows, done = rows + len(chunk), done + len(chunk.learners)
        if done % (CHUNK * 20) == 0:
            print(f"  ... {done:,} learners, {rows:,} rows, {time.perf_counter() - started:.0f} s")
    if postgres:
        built = time.perf_counter()
        with runtime.engine.begin() as connection:
            for statement in rebuild:
                connection.execute(text(statement))
        print(f"  indexes and foreign keys rebuilt in {time.perf_counter() - built:.1f} s")
        with runtime.engine.begin() as connection:  # the ids above were given, not drawn
            sequence = "pg_get_serial_sequence('learners', 'id')"
            connection.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM learners"))
            connection.execute(text("ANALYZE"))
    spent = time.perf_counter() - started
    print(f"generated {rows:,} rows in {spent:.1f} s ({rows / spent:,.0f} rows/s)")


LOADED = ("learners", "assessment_attempts", "awards")


def _set_aside(runtime: Runtime) -> list[str]:
    """Drop the loaded tables' secondary indexes, unique constraints and foreign keys (as
    PostgreSQL's manual advises for a bulk load: one index build over all rows costs a fraction
    of keeping it up row by row, and re-adding a constraint checks every row at once); the
    statements that put them back, read from the database's own definitions."""
    tables = {"t": list(LOADED)}
    with runtime.engine.begin() as connection:
        constraints = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype IN ('f', 'u') "
                "AND conrelid::regclass::text = ANY(:t) ORDER BY contype"
            ),
            tables,
        ).all()
        indexes = connection.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(:t) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ),
            tables,
        ).all()
        for table, name, _kind, _definition in constraints:  # foreign keys first
            connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _definition in indexes:
            connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, kind, definition in sorted(constraints, key=lambda c: c[2] != "u")
    ]


def _copy(
    connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL's `COPY ... FROM STDIN` through psycopg: one statement for the chunk."""
    if not rows:
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _insert(
    connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """SQLite: one prepared insert, executed for the chunk's rows by the driver."""
    if not rows:
        return
    model = Base.metadata.tables[table]
    documents = {c for c in columns if isinstance(model.c[c].type, JSON)}  # given as JSON text
    connection.execute(
        insert(model),
        [
            {c: json.loads(v) if c in documents else v for c, v in zip(columns, row, strict=True)}
            for row in rows
        ],
    )


def _cpu_seconds() -> float:
    """This process's CPU time and its finished workers': on a shared machine, wall time also
    counts others' work (the database server's CPU, a separate process for PostgreSQL, is not
    in it)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _peak_mib() -> float:
    """The largest RSS of this process or of any one worker (each worker's own peak)."""
    return (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )


def _postgres(admin: str) -> tuple[str, str]:
    name = f"cs_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False), name


def _drop(admin: str, name: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--pathways", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="create a database here")
    parser.add_argument("--workers", type=int, default=1, help="processes (one per core)")
    parser.add_argument(
        "--unsettled", type=float, default=UNSETTLED, help="share of learners never settled"
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it goes
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    with tempfile.TemporaryDirectory() as where:
        data = Path(where)
        url, dropped = f"sqlite:///{data / 'bench.db'}", None
        if args.postgres:
            url, dropped = _postgres(args.postgres)
        runtime = initialise(Settings(data, url, "http://bench.invalid"))
        try:
            backend = make_url(url).get_backend_name()
            print(f"{backend}: {args.learners:,} learners x {args.pathways} pathways")
            generate(runtime, args.learners, args.pathways, args.seed, args.unsettled)
            print(f"peak memory after generating: {_peak_mib():,.0f} MiB")
            for label in ("first run", "second run"):
                cpu = _cpu_seconds()
                done = reevaluate(
                    runtime, Actor.operator(), issuer=None, as_of=AS_OF, workers=args.workers
                )
                cpu = _cpu_seconds() - cpu
                print(
                    f"{label}: {done.learners:,} learners in {done.seconds:.1f} s "
                    f"({done.learners_per_second:,.0f} learners/s; this process used {cpu:.1f} "
                    f"CPU s, {done.learners / cpu:,.0f} learners per CPU s); "
                    f"granted {done.granted}, "
                    f"expired {done.expired}, cycles closed {done.cycles_closed}, "
                    f"reminders {done.reminders_queued}; peak memory {_peak_mib():,.0f} MiB"
                )
        finally:
            runtime.close()
            if dropped is not None:
                _drop(args.postgres, dropped)


if __name__ == "__main__":
    main()
