"""Engines for the embedded default (SQLite, WAL) and for PostgreSQL, from one URL.

SQLite allows one writer at a time. A transaction that reads first and writes later must upgrade
its lock, and in WAL mode that upgrade fails at once (no busy wait) if anyone else wrote in
between — the "database is locked" 500s of issue 10. So a unit of work that may write asks for
the write lock when it begins (``BEGIN IMMEDIATE``) and waits for it up to the busy timeout;
read-only units use plain deferred transactions and never take the lock.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["BUSY_TIMEOUT_SECONDS", "WRITE_OPTION", "is_lock_timeout", "make_engine"]

BUSY_TIMEOUT_SECONDS = 5.0
"""How long a writer waits for SQLite's lock before the request is answered 503."""
WRITE_OPTION = "credstack_write"
"""Execution option marking a connection whose transactions begin with the write lock."""
_PRIVATE_FILE = stat.S_IRUSR | stat.S_IWUSR


def _sqlite_files(database: str) -> list[Path]:
    main = Path(database)
    return [main, Path(f"{main}-wal"), Path(f"{main}-shm")]


def _make_private(database: str | None) -> None:
    """Database files hold learners' records: readable by the owner only (0600, data dir 0700)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    main = Path(database)
    main.parent.mkdir(parents=True, exist_ok=True)
    if not main.exists():
        os.close(os.open(main, os.O_WRONLY | os.O_CREAT, _PRIVATE_FILE))
    for path in _sqlite_files(database):
        if path.exists():
            path.chmod(_PRIVATE_FILE)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """One engine per process; SQLite gets WAL, foreign keys, a busy timeout and write locks.

    WAL lets the server read while a CLI command writes; foreign keys are off by default in
    SQLite and we rely on them for tenant isolation by construction.
    """
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        _make_private(parsed.database)
        engine = create_engine(parsed, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # We emit BEGIN ourselves (below): pysqlite's own lazy BEGIN is always deferred.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            cursor.close()
            _make_private(parsed.database)  # -wal and -shm appear with the first connection

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            write = connection.get_execution_options().get(WRITE_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether a database error means "busy, try again" rather than a bug."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(
        marker in text
        for marker in (
            "database is locked",
            "database table is locked",
            "lock timeout",
            "could not obtain lock",
            "deadlock detected",
            "could not serialize access",
        )
    )
