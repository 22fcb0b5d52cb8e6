"""Benchmark an issuer's analytics request at growing numbers of learners: computed every time
(as before the figures were cached) and served from the runtime's cache under the issuer's
change mark, and once more after a write bumps the mark.

Data: `bench_reevaluate.generate` (one issuer, N learners x P pathways, 10 exam sittings each
with the awards earned), written straight into a fresh SQLite or PostgreSQL database. Each
figure is this process's CPU time per request (`time.process_time`, so other work on a loaded
machine does not count; PostgreSQL's own server CPU is not in it), the service call the API
and the page make (`issuer_analytics`), without HTTP. Asserts nothing.

Usage: python bench/bench_analytics.py [--learners 1000 100000] [--pathways 3] [--repeat 200]
           [--postgres postgresql://user@host:port/postgres]   (default: SQLite in a temp dir)
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.analytics import analytics, issuer_analytics
from credstack.service.runtime import Runtime, initialise
from credstack.store.models import AwardRow

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_reevaluate import _drop, _postgres, generate  # noqa: E402  # the same data

AS_OF = date(2026, 6, 1)
OPERATOR = Actor.operator()


def _cpu_per_call(call: object, repeat: int) -> float:
    assert callable(call)
    started = time.process_time()
    for _ in range(repeat):
        call()
    return (time.process_time() - started) / repeat


def _uncached(runtime: Runtime) -> None:
    with runtime.uow(write=False) as uow:
        issuer = uow.issuers.by_key("bench")
        assert issuer is not None
        analytics(uow, issuer, as_of=AS_OF)


def _served(runtime: Runtime) -> None:
    issuer_analytics(runtime, OPERATOR, issuer="bench", as_of=AS_OF)


def _revoke_one(runtime: Runtime) -> None:
    """A write the figures read (an award's status), committed: the next request recomputes."""
    with runtime.uow() as uow:
        award = uow.session.scalar(select(AwardRow.id).order_by(AwardRow.id).limit(1))
        uow.session.execute(update(AwardRow).where(AwardRow.id == award).values(status="revoked"))
        uow.commit()


def measure(url: str, data: Path, learners: int, pathways: int, repeat: int) -> None:
    runtime = initialise(Settings(data, url, "http://bench.invalid"))
    try:
        generate(runtime, learners, pathways, seed=7, unsettled=0.0)
        # Computing is the slow part: at 100k learners the first (missed) request is the only
        # computed one besides the one after the write.
        slow = min(repeat, 200_000 // max(learners, 1))
        computed = _cpu_per_call(lambda: _uncached(runtime), slow) if slow > 1 else None
        first = _cpu_per_call(lambda: _served(runtime), 1)
        cached = _cpu_per_call(lambda: _served(runtime), repeat)
        print(f"  first request {first * 1000:.1f} ms CPU, cached {cached * 1000:.3f} ms CPU")
        _revoke_one(runtime)
        after_write = _cpu_per_call(lambda: _served(runtime), 1)
        again = _cpu_per_call(lambda: _served(runtime), repeat)
        backend = make_url(url).get_backend_name()
        print(
            f"{backend}: {learners:>7,} learners x {pathways} pathways: "
            + (
                f"computed {computed * 1000:9.1f} ms CPU/request (mean of {slow}); "
                if computed is not None
                else ""
            )
            + f"cached: first {first * 1000:9.1f} ms, then {cached * 1000:6.3f} ms; "
            + f"after a revocation: {after_write * 1000:9.1f} ms, then {again * 1000:6.3f} ms"
        )
    finally:
        runtime.close()


def machine() -> str:
    """The line a benchmark prints first: the interpreter, the cores and the load now."""
    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


@contextmanager
def scratch_database(postgres: str | None) -> Iterator[tuple[str, Path]]:
    """A new database (SQLite in a temporary directory, or one created on the PostgreSQL
    server ``postgres`` and dropped afterwards) and a data directory."""
    with tempfile.TemporaryDirectory() as where:
        data = Path(where)
        url, dropped = f"sqlite:///{data / 'bench.db'}", None
        if postgres:
            url, dropped = _postgres(postgres)
        try:
            yield url, data
        finally:
            if postgres and dropped is not None:
                _drop(postgres, dropped)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--pathways", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="create databases here")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(machine())
    for learners in args.learners:
        with scratch_database(args.postgres) as (url, data):
            measure(url, data, learners, args.pathways, args.repeat)


if __name__ == "__main__":
    main()
