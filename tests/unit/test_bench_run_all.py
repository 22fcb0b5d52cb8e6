"""`make bench` (bench/run_all.py) runs every benchmark in bench/: a new one is not left out."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_run_all_knows_every_benchmark_and_no_other() -> None:
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    assert spec is not None and spec.loader is not None
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    assert set(run_all.QUICK) == {path.name for path in BENCH.glob("bench_*.py")}
