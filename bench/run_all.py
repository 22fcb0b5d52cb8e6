"""Every benchmark in bench/, in a quick mode: small sizes, one after another, figures printed.

`make bench` runs this. The sizes are chosen so that the whole run takes minutes and shows
that each benchmark works and what it prints; they are too small for figures worth quoting:
`docs/benchmarks.md` records full-size runs (each benchmark's own usage line). Each runs in a
process of its own, as when run alone (its own imports, memory and CPU figures), with a bound
on its time; one that fails is reported and the rest still run, and the exit status is 1 if
any failed. With CREDSTACK_TEST_POSTGRES_URL set, `bench_bulk_import.py` runs on PostgreSQL
too. After each, the CPU time of its process tree (the children this process waited for) and
its wall time are printed: on a shared machine the CPU time is the steadier figure.

Usage: python bench/run_all.py [--only bench_signing.py ...] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent

QUICK: dict[str, tuple[str, ...]] = {
    "bench_evaluator.py": ("--learners", "2000"),
    "bench_settle.py": ("--runs", "1"),
    "bench_signing.py": ("--iterations", "5", "--fast-iterations", "100"),
    "bench_bulk_import.py": ("--rows", "300"),
    "bench_reevaluate.py": ("--learners", "500", "--pathways", "4"),
    "bench_analytics.py": ("--learners", "200", "--pathways", "2", "--repeat", "10"),
    "bench_load.py": (
        "--workers",
        "1",
        "--concurrency",
        "4",
        "--seconds",
        "3",
        "--credentials",
        "200",
    ),
    "bench_change_marks.py": ("--rows", "500", "--rounds", "1"),
    "bench_body_ceiling.py": (),
    "bench_trust_pdf.py": (),
    "bench_hostile.py": (),
}
"""Each benchmark and its quick arguments; the last three have no size to make smaller."""


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(name: str, timeout: float) -> tuple[str, float, float]:
    """Run one benchmark, its output passed through; (outcome, CPU seconds, wall seconds)."""
    command = [sys.executable, str(BENCH / name), *QUICK[name]]
    print(f"\n=== {' '.join([name, *QUICK[name]])}", flush=True)
    cpu, wall = _children_cpu(), time.monotonic()
    try:
        done = subprocess.run(command, cwd=BENCH.parent, timeout=timeout, check=False)
        outcome = "ok" if done.returncode == 0 else f"failed (exit {done.returncode})"
    except subprocess.TimeoutExpired:
        outcome = f"stopped after {timeout:g} s"
    return outcome, _children_cpu() - cpu, time.monotonic() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", choices=sorted(QUICK), help="these benchmarks")
    parser.add_argument("--timeout", type=float, default=600.0, help="per benchmark, seconds")
    args = parser.parse_args(argv)
    print(
        f"bench/run_all.py (quick sizes) on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    results = {name: _run(name, args.timeout) for name in args.only or QUICK}
    print("\n| benchmark (quick) | outcome | CPU s (process tree) | wall s |\n|---|---|---|---|")
    for name, (outcome, cpu, wall) in results.items():
        print(f"| {name} | {outcome} | {cpu:.1f} | {wall:.1f} |")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0 if all(outcome == "ok" for outcome, _, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
