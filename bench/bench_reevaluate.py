"""Benchmark the nightly re-evaluation (`credstack engine reevaluate`) over a database.

Generates N learners x M pathways straight into a fresh database (no engine, no signing; rows
are made as plain tuples in chunks of 5,000 learners and written with PostgreSQL `COPY`, or a
multi-row insert on SQLite): one issuer whose catalog has M achievements (three single-exam
microcredentials, then a certification stacking them (the modules are badges), repeated), and
for each learner 10 exam sittings (80% passed) with the awards they already earned. A few
learners have sittings nobody settled (the run awards them, signing each credential) and a few
hold an award whose last valid day has passed (the run expires it and queues the notice).
Then it runs the real use case once and again (the second run finds nothing to do), and
prints learners/s, CPU time (its own and, on a local PostgreSQL, the server's), the load
average and peak memory (`resource.getrusage`). Asserts nothing.

A generated PostgreSQL database can be kept (`--keep NAME`) and run on again later without
generating it (`--reuse NAME`): a million learners take a quarter of an hour or more to make.
A reused database holds what earlier runs did, so its first run is already the steady state.

Usage: python bench/bench_reevaluate.py [--learners 20000] [--pathways 20] [--workers 2]
           [--postgres postgresql://user@host:port/postgres]   (default: SQLite in a temp dir)
           [--keep NAME | --reuse NAME] [--runs 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, create_engine, insert, text
from sqlalchemy.engine import make_url

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.learners import sealed_profile
from credstack.service.people import add_issuer
from credstack.service.reevaluation import reevaluate
from credstack.service.runtime import Runtime, initialise
from credstack.store.models import Base

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
    runtime: Runtime,
    learners: int,
    pathways: int,
    seed: int,
    unsettled: float | None = None,
    workers: int = 1,
) -> None:
    """The catalog through the real loader; learners, sittings and awards as plain tuples in
    chunks, each drawn from its own seeded generator (so the data do not depend on who makes
    which chunk) and written by PostgreSQL `COPY` (or a multi-row insert on SQLite). On
    PostgreSQL `workers` forked processes make and write chunks side by side."""
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
    with runtime.engine.begin() as connection:
        first = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM learners")).scalar_one()
    maker = _Maker(
        runtime,
        learners,
        seed,
        share,
        issuer_id,
        micro,
        stacks,
        first,
        # public ids unique across runs on one database
        tag=secrets.token_hex(4),
        salt=secrets.token_hex(16),
    )
    started = time.perf_counter()
    rows = done = 0
    postgres = runtime.engine.dialect.name == "postgresql"
    rebuild = _set_aside(runtime) if postgres else []
    chunks = range(-(-learners // CHUNK))
    made = _made_in_processes(maker, chunks, workers) if postgres and workers > 1 else None
    for count, size in made if made is not None else map(maker.write, chunks):
        rows, done = rows + size, done + count
        if done % (CHUNK * 20) == 0:
            print(f"  ... {done:,} learners, {rows:,} rows, {time.perf_counter() - started:.0f} s")
    if postgres:
        built = time.perf_counter()
        with runtime.engine.begin() as connection:
            # Each index is built by one sort: with the default 64 MB it spills to disk in runs.
            connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            for statement in rebuild:
                connection.execute(text(statement))
        print(f"  indexes and foreign keys rebuilt in {time.perf_counter() - built:.1f} s")
        with runtime.engine.begin() as connection:  # the ids above were given, not drawn
            sequence = "pg_get_serial_sequence('learners', 'id')"
            connection.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM learners"))
            connection.execute(text("ANALYZE"))
    spent = time.perf_counter() - started
    print(f"generated {rows:,} rows in {spent:.1f} s ({rows / spent:,.0f} rows/s)")


class _Maker:
    """Makes and writes chunk k: learners k * CHUNK onwards, from a generator seeded by
    (seed, k), so any process can make any chunk and the data are the same."""

    def __init__(
        self,
        runtime: Runtime,
        learners: int,
        seed: int,
        share: float,
        issuer_id: int,
        micro: dict[str, tuple[str, int, int]],
        stacks: list[tuple[int, list[str]]],
        first: int,
        *,
        tag: str,
        salt: str,
    ) -> None:
        self.runtime, self.learners, self.seed, self.share = runtime, learners, seed, share
        self.issuer_id, self.micro, self.stacks, self.first = issuer_id, micro, stacks, first
        self.tag, self.salt = tag, salt
        self.exams = sorted(micro)
        self.days = [FIRST_DAY + timedelta(days=d) for d in range((AS_OF - FIRST_DAY).days)]
        # For COPY every value is given as its text, worked out once where it repeats; SQLite's
        # insert takes the values themselves.
        self.copy = runtime.engine.dialect.name == "postgresql"
        as_text = _field if self.copy else _same
        self.on = {d: as_text(d) for d in self.days}
        self.nine = {d: as_text(datetime(d.year, d.month, d.day, 9, tzinfo=UTC)) for d in self.days}
        self.midnight = {
            d: as_text(datetime(d.year, d.month, d.day, tzinfo=UTC)) for d in self.days
        }
        self.now = as_text(datetime.now(UTC))
        self.passed = {True: as_text(True), False: as_text(False)}
        self.open_ended, self.last_day = as_text(None), as_text(AS_OF - timedelta(days=1))
        self.bytes = as_text
        self.ended = ENDED  # read when made: a test may change the module's shares
        self.forked = False

    def write(self, k: int) -> tuple[int, int]:
        """Chunk k in one transaction; (learners, rows) written."""
        chunk = self.make(k)
        write = _copy if self.copy else _insert
        with self.runtime.engine.begin() as connection:
            write(connection, "learners", LEARNER_COLUMNS, chunk.learners)
            write(connection, "assessment_attempts", ATTEMPT_COLUMNS, chunk.attempts)
            write(connection, "awards", AWARD_COLUMNS, chunk.awards)
        return len(chunk.learners), len(chunk)

    def make(self, k: int) -> _Chunk:
        """Names sealed as `set_profile` seals them; no addresses, so no e-mail is queued and
        none needs a lookup."""
        rng = random.Random(self.seed * 1_000_003 + k)
        draw = rng.random
        exams, days, micro, tag, salt, now = (
            self.exams,
            self.days,
            self.micro,
            self.tag,
            self.salt,
            self.now,
        )
        chunk, serial = _Chunk(), 0
        with self.runtime.uow(write=False) as uow:
            for n in range(k * CHUNK, min((k + 1) * CHUNK, self.learners)):
                learner_id = self.first + n + 1
                key, public_id = f"l{n}", f"{tag}{n:x}"
                sealed = sealed_profile(
                    uow, key=key, public_id=public_id, salt=salt, name=f"Learner {n}", email=None
                )
                chunk.learners.append(
                    (
                        learner_id,
                        key,
                        public_id,
                        salt,
                        self.bytes(sealed["name_sealed"]),
                        sealed["identity_hash"],
                        sealed["identity_type"],
                        now,
                    )
                )
                settled = draw() >= self.share
                passed_on: dict[str, date] = {}
                for _ in range(SITTINGS):
                    exam = exams[int(draw() * len(exams))]
                    on = days[int(draw() * len(days))]
                    passed = draw() < 0.8
                    score = 85 if passed else 40
                    serial += 1
                    chunk.attempts.append(
                        (
                            f"{tag}-t{k:x}-{serial:x}",
                            learner_id,
                            self.issuer_id,
                            micro[exam][2],
                            "external",
                            self.nine[on],
                            score,
                            100,
                            score,
                            self.passed[passed],
                            "unproctored",
                            now,
                        )
                    )
                    if passed and (exam not in passed_on or on < passed_on[exam]):
                        passed_on[exam] = on
                if settled:
                    ends = draw() < self.ended
                    held = [(micro[e][1], on) for e, on in sorted(passed_on.items())]
                    held += [
                        (version_id, max(passed_on[e] for e in needs))
                        for version_id, needs in self.stacks
                        if all(e in passed_on for e in needs)
                    ]
                    for version_id, on in held:
                        until = self.last_day if ends else self.open_ended
                        ends = False
                        serial += 1
                        chunk.awards.append(
                            (
                                f"{tag}-a{k:x}-{serial:x}",
                                learner_id,
                                self.issuer_id,
                                version_id,
                                self.on[on],
                                self.midnight[on],
                                0,
                                until,
                                "active",
                                "[]",
                                "[]",
                                "automatic",
                                now,
                            )
                        )
        return chunk


_MAKER: _Maker | None = None
"""The maker a forked generating process uses: inherited by fork, never pickled."""


def _made_in_processes(maker: _Maker, chunks: range, workers: int) -> Iterator[tuple[int, int]]:
    global _MAKER
    _MAKER = maker
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            yield from pool.map(_write_forked, chunks)
    finally:
        _MAKER = None


def _write_forked(k: int) -> tuple[int, int]:
    maker = _MAKER
    assert maker is not None
    if not maker.forked:  # the parent's pooled connections stay its own
        maker.runtime.engine.dispose(close=False)
        maker.forked = True
    return maker.write(k)


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
        triggers = connection.execute(
            text(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(:t)"
            ),
            tables,
        ).all()
        for table, name, _kind, _definition in constraints:  # foreign keys first
            connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _definition in indexes:
            connection.execute(text(f'DROP INDEX "{name}"'))
        # The analytics change marks' row triggers look up the learner's other awards for
        # every row; without the indexes that is a scan of the table per row loaded.
        for table, name in triggers:
            connection.execute(text(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"'))
    return (
        [definition for _name, definition in indexes]
        + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, kind, definition in sorted(constraints, key=lambda c: c[2] != "u")
        ]
        + [f'ALTER TABLE {table} ENABLE TRIGGER "{name}"' for table, name in triggers]
        # What the triggers would have done: mark every issuer's analytics changed.
        + ["SELECT analytics_change(id) FROM issuers" for _ in triggers[:1]]
    )


def _copy(
    connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL's `COPY ... FROM STDIN` through psycopg, the chunk's rows as one text block:
    psycopg's own per-row writer was most of the generator's CPU."""
    if not rows:
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # rows of str and int
        copy.write("".join(["\t".join(map(str, row)) + "\n" for row in rows]))


def _same(value: Any) -> Any:
    return value


def _field(value: Any) -> str:
    """A value in COPY's text format (the generator's rows hold these, ints and strings). Its
    strings (keys, hex ids, fixed words, JSON '[]') hold no tab, newline or backslash, so they
    need no escaping."""
    kind = type(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is bytes:
        return "\\\\x" + value.hex()  # bytea's hex form, its backslash escaped for COPY
    return value.isoformat()  # type: ignore[no-any-return]  # date, datetime


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


NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""A kept database's name: a plain PostgreSQL identifier, so it needs no quoting rules."""


def _postgres(admin: str, name: str | None = None, *, create: bool = True) -> tuple[str, str]:
    """The URL of the bench's database on the server of `admin`: a new one (named `name`, or
    a throwaway name), or the existing `name` when not `create`."""
    name = name or f"cs_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            there = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if create and there:
                raise SystemExit(f"error: database {name} exists (--reuse {name} runs on it)")
            if not create and not there:
                raise SystemExit(f"error: no database {name} (make it with --keep {name})")
            if create:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False), name


def _drop(admin: str, name: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _server_pid(url: str) -> int | None:
    """The PostgreSQL postmaster's pid when the server runs on this machine and its data
    directory is readable (a throwaway test server), else None."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            where = connection.execute(text("SHOW data_directory")).scalar_one()
        first = (Path(where) / "postmaster.pid").read_text().split("\n", 1)[0]
        return int(first) if Path(f"/proc/{first}").exists() else None
    except Exception:  # not a superuser, another machine, no /proc: no server figure
        return None
    finally:
        engine.dispose()


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (live ones from /proc; exited ones are in
    its cumulative children's time), as a server's backends come and go."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    times: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own = int(entry.name)
        children.setdefault(int(fields[1]), []).append(own)
        times[own] = (int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14]))
    total, todo = 0, [pid]
    while todo:
        one = todo.pop()
        mine, reaped = times.get(one, (0, 0))
        total += mine + reaped
        todo += children.get(one, [])
    return total / tick


class _Load:
    """The 1-minute load average, sampled every few seconds while a run goes on: on a shared
    machine it says how much of the wall time was others' work."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)

    def _sample(self, every: float) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(every):
                return

    def __enter__(self) -> _Load:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def __str__(self) -> str:
        return f"load average {min(self.samples):.1f}-{max(self.samples):.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--pathways", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="create a database here")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", metavar="NAME", help="name the new database and keep it")
    kept.add_argument("--reuse", metavar="NAME", help="run on a kept database, no generating")
    parser.add_argument("--runs", type=int, default=2, help="runs of the use case (0 to 10)")
    parser.add_argument("--workers", type=int, default=1, help="processes (one per core)")
    parser.add_argument(
        "--unsettled", type=float, default=UNSETTLED, help="share of learners never settled"
    )
    args = parser.parse_args(argv)
    name = args.keep or args.reuse
    if name is not None and not args.postgres:
        parser.error("--keep and --reuse name a database on --postgres ADMIN_URL")
    if name is not None and not NAME.fullmatch(name):
        parser.error(f"database name {name!r}: use lower-case letters, digits and _ (max 63)")
    if not 0 <= args.runs <= 10:
        parser.error(f"--runs {args.runs}: use 0 to 10")
    # A kept database's learners are sealed with the master key of the data directory that made
    # it, and its issuer's signing key too: the directory is kept beside it, or a later run can
    # open neither (it used to be a temporary directory, so `--reuse` failed at its first grant).
    kept_data = Path(tempfile.gettempdir()) / f"credstack-bench-{name}" if name else None
    if args.reuse and kept_data is not None and not kept_data.is_dir():
        parser.error(f"--reuse {name}: no {kept_data} (its master key); make it with --keep")
    if args.keep and kept_data is not None and kept_data.exists():
        parser.error(f"--keep {name}: {kept_data} exists already; remove it or choose a name")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it goes
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}"
    )
    with (
        contextlib.nullcontext(str(kept_data)) if kept_data else tempfile.TemporaryDirectory()
    ) as where:
        data = Path(where)
        url, dropped = f"sqlite:///{data / 'bench.db'}", None
        if args.postgres:
            url, made = _postgres(args.postgres, name, create=args.reuse is None)
            dropped = None if name else made
        server = _server_pid(url) if args.postgres else None
        runtime = initialise(Settings(data, url, "http://bench.invalid"))
        try:
            backend = make_url(url).get_backend_name()
            if args.reuse:
                with runtime.engine.connect() as connection:
                    count = connection.execute(text("SELECT count(*) FROM learners")).scalar()
                print(f"{backend}: reusing {args.reuse}, {count:,} learners")
            else:
                print(f"{backend}: {args.learners:,} learners x {args.pathways} pathways")
                generate(
                    runtime,
                    args.learners,
                    args.pathways,
                    args.seed,
                    args.unsettled,
                    args.workers,
                )
                print(f"peak memory after generating: {_peak_mib():,.0f} MiB")
            for run in range(1, args.runs + 1):
                cpu = _cpu_seconds()
                served = _tree_cpu(server) if server else 0.0
                with _Load() as load:
                    done = reevaluate(
                        runtime, Actor.operator(), issuer=None, as_of=AS_OF, workers=args.workers
                    )
                cpu = _cpu_seconds() - cpu
                server_cpu = (
                    f", the server {_tree_cpu(server) - served:.1f} CPU s" if server else ""
                )
                print(
                    f"run {run}: {done.learners:,} learners in {done.seconds:.1f} s "
                    f"({done.learners_per_second:,.0f} learners/s; this process and its "
                    f"{done.workers} worker(s) used {cpu:.1f} CPU s, "
                    f"{done.learners / max(cpu, 1e-6):,.0f} learners per CPU s{server_cpu}); "
                    f"granted {done.granted}, "
                    f"expired {done.expired}, cycles closed {done.cycles_closed}, "
                    f"reminders {done.reminders_queued}; peak memory {_peak_mib():,.0f} MiB; "
                    f"{load}"
                )
        finally:
            runtime.close()
            if dropped is not None:
                _drop(args.postgres, dropped)
            elif name is not None:
                print(
                    f"kept database {name} and its data directory {kept_data} "
                    f"(--reuse {name} runs on them again)"
                )


if __name__ == "__main__":
    main()
