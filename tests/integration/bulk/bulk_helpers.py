"""A fresh installation with Northwind's catalog, and award-import files of any size."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import create_engine, text

from credstack.config import Settings
from credstack.service.catalog import load_catalog
from credstack.service.people import add_issuer
from credstack.service.runtime import Runtime, initialise
from tests.helpers import Cli

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
HEADER = ["learner", "email", "name", "achievement", "date", "score", "evidence_url", "narrative"]
ACHIEVEMENTS = ("spreadsheets-fundamentals", "sql-querying", "data-visualisation")


def northwind_cli(data_dir: Path, database_url: str) -> Cli:
    cli = Cli(data_dir, database_url)
    cli.ok("init")
    cli.ok("issuer", "add", "northwind", "--name", "Northwind Data Academy")
    cli.ok(
        "catalog", "load", str(EXAMPLES / "northwind-data-academy.yaml"), "--issuer", "northwind"
    )
    return cli


def northwind_runtime(data_dir: Path, database_url: str, catalog: str, base_url: str) -> Runtime:
    """A runtime whose one issuer, Northwind, has `catalog` (the example's, or a variant)."""
    runtime = initialise(Settings(data_dir=data_dir, database_url=database_url, base_url=base_url))
    with runtime.uow() as uow:
        add_issuer(
            uow, runtime.keys(uow), key="northwind", name="Northwind", kind="training-provider"
        )
        load_catalog(uow, issuer_key="northwind", text=catalog, source="northwind.yaml")
        uow.commit()
    return runtime


def award_csv(rows: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow(
            [
                f"grad-{i:05d}",
                f"grad{i}@example.org",
                f"Graduate {i}",
                ACHIEVEMENTS[i % len(ACHIEVEMENTS)],
                "2026-06-01",
                "88.5",
                f"https://northwind.example/records/{i}",
                "Passed the final assessment",
            ]
        )
    return out.getvalue()


def query(database_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def execute(database_url: str, sql: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


def someone_waits_on_a_lock(runtime: Runtime) -> bool:
    """Whether a PostgreSQL session of the test's database is waiting for a lock."""
    with runtime.engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar()
    return bool(waiting)
