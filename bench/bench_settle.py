"""Benchmark settling through the service layer: the demo's attempts and grades, recorded into
a fresh SQLite installation, each settled (and its awards signed) by the stacking engine.

Prints the wall time of recording and settling them and the SQL statements sent, median over
runs; asserts nothing. `bench_evaluator.py` measures the pure cascade; this measures what
the database round trips around it cost.

Usage: python bench/bench_settle.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from credstack.config import Settings
from credstack.service import demo
from credstack.service.runtime import initialise


def one_run() -> tuple[float, int]:
    """Only the records' part of the seed is measured: catalogs, keys and people are not."""
    with tempfile.TemporaryDirectory() as where:
        data = Path(where)
        settings = Settings(
            data_dir=data,
            database_url=f"sqlite:///{data / 'bench.db'}",
            base_url="http://bench.invalid",
        )
        runtime = initialise(settings)
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        spent = 0.0
        seed_records = demo._seed_records

        def timed(*args: Any) -> int:
            nonlocal spent
            event.listen(runtime.engine, "before_cursor_execute", count)
            started = time.perf_counter()
            try:
                return seed_records(*args)
            finally:
                spent = time.perf_counter() - started
                event.remove(runtime.engine, "before_cursor_execute", count)

        demo._seed_records = timed
        try:
            demo.seed(runtime, demo.examples_dir())
            return spent, statements
        finally:
            demo._seed_records = seed_records
            runtime.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = [one_run() for _ in range(args.runs)]
    seconds = statistics.median(r[0] for r in results)
    statements = statistics.median(r[1] for r in results)
    print(f"demo records settled: median {seconds * 1000:.0f} ms, {statements:.0f} SQL statements")


if __name__ == "__main__":
    main()
