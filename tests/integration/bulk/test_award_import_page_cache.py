"""An import's roomy SQLite page cache is the import's alone: the pooled connection it ran on
goes back to the server with SQLite's usual cache, not 128 MiB of pages."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.pool import StaticPool

from credstack.service.actor import Actor
from credstack.service.bulk import run_job, submit_award_import
from credstack.service.bulk.runner import USUAL_PAGE_CACHE_KIB
from tests.integration.bulk.test_award_import_batch import HEADER, NORTHWIND, PATH, _runtime


def test_the_connection_gets_the_usual_page_cache_back(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path, f"sqlite:///{tmp_path / 'one.db'}", NORTHWIND)
    try:
        rows = "".join(f"l{i},,L {i},{PATH[i % 2]},2026-05-01,,,\n" for i in range(30))
        job = submit_award_import(
            runtime, Actor.operator(), issuer="northwind", text=HEADER + rows, source="a.csv"
        ).job.id
        # Every connection the run used is still pooled: look at each.
        seen: list[int] = []
        pool = runtime.engine.pool
        assert not isinstance(pool, StaticPool)
        assert run_job(runtime, Actor.operator(), job, batch_rows=7).job.done == 30
        held = [pool.connect() for _ in range(pool.checkedin())]
        try:
            for connection in held:
                cursor = connection.cursor()
                cursor.execute("PRAGMA cache_size")
                seen.append(cursor.fetchone()[0])
                cursor.close()
        finally:
            for connection in held:
                connection.close()
        assert seen and set(seen) == {-USUAL_PAGE_CACHE_KIB}
    finally:
        runtime.close()
