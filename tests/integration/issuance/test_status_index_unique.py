"""No two awards hold one status-list index, on SQLite and PostgreSQL.

The allocator's lock hands each index out once; since migration 0033_status_index_unique the
database refuses a second holder too, whatever wrote it. The migration itself will not run
over a database where two awards already share an index: it names them and changes nothing,
because renumbering or dropping either would change what a signed credential points at.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import IntegrityError

from credstack.service.awards import grant_award
from credstack.service.people import add_learner
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.models import AwardRow
from tests.helpers import Cli
from tests.integration.bulk.bulk_helpers import EXAMPLES, northwind_runtime

CATALOG = (EXAMPLES / "northwind-data-academy.yaml").read_text()
BASE = "http://credstack.test"
MIGRATION = importlib.import_module("credstack.store.migrations.versions.0033_status_index_unique")


def _two_awards(data: Path, database_url: str) -> list[tuple[str, int, int]]:
    """Ada's two awards, issued as usual: (public id, list id, index) each."""
    runtime = northwind_runtime(data, database_url, CATALOG, BASE)
    try:
        with runtime.uow() as uow:
            issuer = uow.issuers.by_key("northwind")
            assert issuer is not None
            ada = add_learner(uow, key="ada", name="Ada Lovelace")
            for achievement in ("spreadsheets-fundamentals", "sql-querying"):
                grant_award(
                    uow,
                    issuer=issuer,
                    learner=ada,
                    achievement_key=achievement,
                    awarded_on=date(2026, 6, 1),
                    keys=runtime.keys(uow),
                )
            uow.commit()
    finally:
        runtime.close()
    return _indexes(make_engine(database_url))


def _indexes(engine: Engine) -> list[tuple[str, int, int]]:
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    AwardRow.public_id, AwardRow.status_list_id, AwardRow.status_list_index
                ).order_by(AwardRow.id)
            ).all()
    finally:
        engine.dispose()
    return [(public_id, list_id, index) for public_id, list_id, index in rows]


def _share_first_index(connection: Connection, awards: list[tuple[str, int, int]]) -> None:
    """The second award is given the first's index, as nothing but the constraint forbids."""
    (_, list_id, index), (second, _, _) = awards
    connection.execute(
        update(AwardRow)
        .where(AwardRow.public_id == second)
        .values(status_list_id=list_id, status_list_index=index)
    )


def test_a_second_award_on_a_held_index_is_refused(tmp_path: Path, database_url: str) -> None:
    awards = _two_awards(tmp_path / "data", database_url)
    assert [index for _, _, index in awards] == [0, 1]
    engine = make_engine(database_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _share_first_index(connection, awards)
    finally:
        engine.dispose()
    assert _indexes(make_engine(database_url)) == awards


def test_the_upgrade_stops_at_a_shared_index_names_its_awards_and_changes_nothing(
    tmp_path: Path, database_url: str
) -> None:
    awards = _two_awards(tmp_path / "data", database_url)
    engine = make_engine(database_url)
    try:
        # A database from before the constraint, where a second award was given a held index.
        with engine.begin() as connection:
            connection.execute(text(f"DROP INDEX {MIGRATION.INDEX}"))
            connection.execute(
                text("UPDATE alembic_version SET version_num = :before"),
                {"before": MIGRATION.down_revision},
            )
            _share_first_index(connection, awards)
    finally:
        engine.dispose()
    shared = _indexes(make_engine(database_url))

    cli = Cli(tmp_path / "data", database_url, base_url=BASE)
    refused = cli.run("db", "upgrade")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    (first, list_id, index), (second, _, _) = awards
    assert (
        f"awards share 1 of them (status list {list_id} index {index}: awards {first}, "
        f"{second}); nothing was changed"
    ) in refused.stderr.replace("\n", " ")
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) == MIGRATION.down_revision
    finally:
        engine.dispose()
    assert _indexes(make_engine(database_url)) == shared  # both awards kept as they were

    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:  # the operator gives the second award its own index
            connection.execute(
                update(AwardRow)
                .where(AwardRow.public_id == second)
                .values(status_list_index=awards[1][2])
            )
    finally:
        engine.dispose()
    upgraded = cli.run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert migrate.drift(engine) == []
    finally:
        engine.dispose()
