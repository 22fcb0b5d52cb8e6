"""Shared fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from `CREDSTACK_TEST_POSTGRES_URL` (`make test` starts a throwaway server and
sets it). Without it, PostgreSQL tests fail rather than skip, so a missing database never
passes silently; deselect them on purpose with `-m "not postgres"`.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx._config
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.secrets import MasterKey, PersonalData
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory
from tests.liveness import HANG

# Tests talk to real servers on a machine that other suites may load: httpx's default 5 s read
# timeout turned a slow first page into a failure (a console page under load average 9). A
# test's bound on a call is a hang, not a duration (`tests/liveness.py`), so every httpx call
# that names no timeout of its own waits as long as `HANG`. Calls that test a time-out pass
# their own.
_DEFAULT_TIMEOUT = httpx._config.DEFAULT_TIMEOUT_CONFIG
_DEFAULT_TIMEOUT.connect = _DEFAULT_TIMEOUT.read = HANG
_DEFAULT_TIMEOUT.write = _DEFAULT_TIMEOUT.pool = HANG

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
REPO = Path(__file__).resolve().parents[1]
MASTER_KEY = MasterKey(b"k" * 32)
"""The master key of the `units` fixture's learners' data and of `master_key`."""


def postgres_admin_url() -> str:
    url = os.environ.get("CREDSTACK_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "CREDSTACK_TEST_POSTGRES_URL is not set: run the suite with `make test` "
            '(it starts PostgreSQL), or deselect with -m "not postgres"'
        )
    return url


class DatabaseFactory:
    """Creates empty databases of one backend and drops them afterwards."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self._created: list[str] = []

    def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of ``template`` (a database URL of this backend
        that nobody is connected to), which is cheaper than building the same content again."""
        name = f"cs_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            path = self.tmp / (name + ".db")
            if template is not None:
                source, copy = (
                    sqlite3.connect(make_url(template).database or ""),
                    sqlite3.connect(path),
                )
                try:
                    source.backup(copy)
                finally:
                    source.close()
                    copy.close()
            return f"sqlite:///{path}"
        admin = postgres_admin_url()
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        copied = f' TEMPLATE "{make_url(template).database}"' if template is not None else ""
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
        engine.dispose()
        self._created.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self._created:
            return
        engine = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def databases(backend: str, tmp_path: Path) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(backend, tmp_path)
    yield factory
    factory.drop_all()


@pytest.fixture
def database_url(databases: DatabaseFactory) -> str:
    """A new, empty database of the current backend (for CLI and server tests)."""
    return databases.create()


class MigratedDatabases:
    """One migrated database per backend and test process, created when first asked for."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._engines: dict[str, Engine] = {}
        self._factories: list[DatabaseFactory] = []

    def engine(self, backend: str) -> Engine:
        if backend not in self._engines:
            factory = DatabaseFactory(backend, self._tmp.mktemp("db"))
            self._factories.append(factory)
            engine = make_engine(factory.create())
            migrate.upgrade(engine)
            self._engines[backend] = engine
        return self._engines[backend]

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        for factory in self._factories:
            factory.drop_all()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    databases = MigratedDatabases(tmp_path_factory)
    yield databases
    databases.close()


@pytest.fixture
def units(backend: str, migrated: MigratedDatabases) -> Iterator[UnitOfWorkFactory]:
    """Units of work inside one outer transaction that is rolled back after the test."""
    engine = migrated.engine(backend)
    connection = engine.connect()
    outer = connection.begin()
    try:
        yield UnitOfWorkFactory(engine, bind=connection, personal=PersonalData.derive(MASTER_KEY))
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def uow(units: UnitOfWorkFactory) -> Iterator[UnitOfWork]:
    with units() as unit:
        yield unit


@pytest.fixture
def master_key() -> MasterKey:
    return MASTER_KEY
