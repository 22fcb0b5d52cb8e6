"""A serving process's start-up objects, kept out of the garbage collector's full passes.

A full (generation 2) collection walks every object the process holds: in a server process,
the application, its routes, SQLAlchemy's mappers and the imported modules, about 120 ms
during which the event loop answers nothing. Under load that stalled every connection of the
process once every few seconds: the 99th percentile of `POST /api/v1/verify` in
``bench/bench_load.py`` was that pause (issue 14; docs/benchmarks.md). What exists once a
process has started lives as long as the process, so it is moved out of the collector's
generations (`gc.freeze`) and later full passes walk only what came after.
"""

from __future__ import annotations

import gc

__all__ = ["settle_heap"]


def settle_heap() -> None:
    """Collect what start-up left as garbage, then freeze the rest; once, when the process
    is ready to serve (a server's lifespan, a verification worker's warm-up)."""
    gc.collect()
    gc.freeze()
