"""Benchmark the nightly re-evaluation (`credstack engine reevaluate`) over a database.

Generates N learners x M pathways straight into a fresh database with bulk inserts (no engine,
no signing): one issuer whose catalog has M achievements (three single-exam microcredentials,
then a certification stacking them (the
modules are badges), repeated), and for each learner 10 exam sittings (80%
passed) with the awards they already earned. A few learners have sittings nobody settled (the
run awards them, signing each credential) and a few hold an award whose last valid day has
passed (the run expires it and queues the notice). Then it runs the real use case once and
again (the second run finds nothing to do), and prints learners/s and peak memory
(`resource.getrusage`). Asserts nothing.

Usage: python bench/bench_reevaluate.py [--learners 20000] [--pathways 20] [--workers 2]
           [--postgres postgresql://user@host:port/postgres]   (default: SQLite in a temp dir)
"""

from __future__ import annotations

import argparse
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

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.learners import set_profile
from credstack.service.people import add_issuer
from credstack.service.reevaluation import reevaluate
from credstack.service.runtime import Runtime, initialise
from credstack.store.models import (
    AssessmentAttemptRow,
    AwardRow,
    LearnerRow,
)

AS_OF = date(2026, 6, 1)
FIRST_DAY = date(2024, 1, 1)
SITTINGS = 10
UNSETTLED = 0.01
"""Share of learners whose sittings were never settled: the run awards them."""
ENDED = 0.002
"""Share of learners holding an award whose last valid day has passed: the run expires it."""
CHUNK = 5_000


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


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def generate(
    runtime: Runtime, learners: int, pathways: int, seed: int, unsettled: float | None = None
) -> None:
    """The catalog through the real loader; learners, sittings and awards by bulk insert."""
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
    days = (AS_OF - FIRST_DAY).days
    salt = secrets.token_hex(16)
    with runtime.engine.begin() as connection:
        first = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM learners")).scalar_one()

    def learner_rows() -> Iterator[dict[str, Any]]:
        """Names sealed as `set_profile` seals them (on a row never added to a session); no
        addresses, so no e-mail is queued and none needs a lookup."""
        with runtime.uow(write=False) as uow:
            for n in range(learners):
                row = LearnerRow(key=f"l{n}", public_id=uuid.uuid4().hex[:22], identity_salt=salt)
                set_profile(uow, row, name=f"Learner {n}", email=None)
                yield {
                    "id": first + n + 1,
                    "key": row.key,
                    "public_id": row.public_id,
                    "identity_salt": salt,
                    "name_sealed": row.name_sealed,
                    "identity_hash": row.identity_hash,
                    "identity_type": row.identity_type,
                }

    def record_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for n in range(learners):
            learner_id = first + n + 1
            settled = rng.random() >= share
            passed_on: dict[str, date] = {}
            for _ in range(SITTINGS):
                exam = rng.choice(exams)
                on = FIRST_DAY + timedelta(days=rng.randrange(days))
                passed = rng.random() < 0.8
                at = datetime(on.year, on.month, on.day, 9, tzinfo=UTC)
                yield (
                    "attempt",
                    {
                        "public_id": uuid.uuid4().hex,
                        "learner_id": learner_id,
                        "issuer_id": issuer_id,
                        "assessment_version_id": micro[exam][2],
                        "source": "external",
                        "sat_at": at,
                        "raw_score": 85 if passed else 40,
                        "max_score": 100,
                        "percent": 85 if passed else 40,
                        "passed": passed,
                        "proctoring": "unproctored",
                    },
                )
                if passed and (exam not in passed_on or on < passed_on[exam]):
                    passed_on[exam] = on
            if not settled:
                continue
            ends = rng.random() < ENDED
            for exam, on in sorted(passed_on.items()):
                until = AS_OF - timedelta(days=1) if ends else None
                ends = False
                yield "award", _award(learner_id, issuer_id, micro[exam][1], on, until)
            for version_id, needs in stacks:
                if all(e in passed_on for e in needs):
                    on = max(passed_on[e] for e in needs)
                    yield "award", _award(learner_id, issuer_id, version_id, on, None)

    started = time.perf_counter()
    rows = 0
    with runtime.engine.begin() as connection:
        for chunk in _chunks(learner_rows()):
            connection.execute(insert(LearnerRow), chunk)
            rows += len(chunk)
    attempts: list[dict[str, Any]] = []
    awards: list[dict[str, Any]] = []
    with runtime.engine.begin() as connection:
        for kind, row in record_rows():
            (attempts if kind == "attempt" else awards).append(row)
            if len(attempts) >= CHUNK:
                connection.execute(insert(AssessmentAttemptRow), attempts)
                rows, attempts = rows + len(attempts), []
            if len(awards) >= CHUNK:
                connection.execute(insert(AwardRow), awards)
                rows, awards = rows + len(awards), []
        for model, left in ((AssessmentAttemptRow, attempts), (AwardRow, awards)):
            if left:
                connection.execute(insert(model), left)
                rows += len(left)
    spent = time.perf_counter() - started
    print(f"generated {rows:,} rows in {spent:.1f} s ({rows / spent:,.0f} rows/s)")


def _award(
    learner_id: int, issuer_id: int, version_id: int, on: date, until: date | None
) -> dict[str, Any]:
    return {
        "public_id": str(uuid.uuid4()),
        "learner_id": learner_id,
        "issuer_id": issuer_id,
        "achievement_version_id": version_id,
        "awarded_on": on,
        "awarded_at": datetime(on.year, on.month, on.day, tzinfo=UTC),
        "awarded_offset": 0,
        "valid_until": until,
        "status": "active",
        "evidence": [],
        "counted": [],
        "origin": "automatic",
    }


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
