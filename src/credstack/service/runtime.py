"""Everything a command or the server needs at hand: settings, engine, units of work, keys,
and the caches that last as long as the process serves this installation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from credstack.config import Settings
from credstack.errors import CredstackError
from credstack.service.caches import Caches
from credstack.service.keys import KeyStore
from credstack.service.learners import plaintext_learner_count, seal_plaintext_learners
from credstack.store import migrate
from credstack.store.db import is_lock_timeout, make_engine
from credstack.store.secrets import MasterKey, PersonalData
from credstack.store.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "DatabaseUpgraded",
    "Runtime",
    "check_database",
    "initialise",
    "new_runtime",
    "open_runtime",
    "seal_plaintext",
    "units",
    "upgrade_database",
]


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    units: UnitOfWorkFactory
    master: MasterKey
    caches: Caches
    """This runtime's own; its units of work read `caches.decoded` (see `new_runtime`)."""

    def uow(self, *, write: bool = True) -> UnitOfWork:
        return self.units(write=write)

    def keys(self, uow: UnitOfWork) -> KeyStore:
        return KeyStore(uow, self.master, self.settings.base_url)

    def note(self, bookkeeping: Callable[[UnitOfWork], None]) -> None:
        """Bookkeeping that may be skipped (a token's or a session's "last used"): its own short
        write, given up when the database is busy rather than making a read wait."""
        try:
            with self.uow() as uow:
                bookkeeping(uow)
                uow.commit()
        except Exception as exc:
            if not is_lock_timeout(exc):
                raise

    def close(self) -> None:
        self.engine.dispose()


def units(engine: Engine, master: MasterKey, caches: Caches) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(engine, personal=PersonalData.derive(master), decoded=caches.decoded)


def new_runtime(settings: Settings, engine: Engine, master: MasterKey) -> Runtime:
    """A runtime with caches of its own, which its units of work share."""
    caches = Caches()
    return Runtime(settings, engine, units(engine, master, caches), master, caches)


def seal_plaintext(runtime: Runtime) -> int:
    """Seal learners' names and addresses that an older version stored in clear."""
    with runtime.uow() as uow:
        sealed = seal_plaintext_learners(uow)
        uow.commit()
    return sealed


def initialise(settings: Settings) -> Runtime:
    """Create the data directory, the master key and the schema; safe to run again."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.data_dir.chmod(0o700)  # the master key and the SQLite files live here
    master = MasterKey.load_or_create(settings.master_key_path, settings.master_key)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    made = new_runtime(settings, engine, master)
    seal_plaintext(made)
    return made


def open_runtime(settings: Settings) -> Runtime:
    """Open an initialised installation; refuse one whose schema is behind the code."""
    master = MasterKey.load(settings.master_key_path, settings.master_key)
    engine = make_engine(settings.database_url)
    try:
        current = migrate.current_revision(engine)
    except Exception as exc:
        engine.dispose()
        raise CredstackError(f"cannot open the database: {exc.__class__.__name__}: {exc}") from exc
    head = migrate.head_revision()
    if current != head:
        engine.dispose()
        raise CredstackError(
            f"the database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `credstack db upgrade` (or `credstack init`)"
        )
    return new_runtime(settings, engine, master)


@dataclass(frozen=True)
class DatabaseUpgraded:
    revision: str | None
    sealed: int
    """Learners whose name and address an older version kept in clear, sealed now."""


def upgrade_database(settings: Settings) -> DatabaseUpgraded:
    """Apply every migration not yet applied, then seal learners' data stored in clear.

    Migrations never see the master key, so sealing is this step's, after Alembic; the key is
    read only when there is something to seal (a fresh schema upgrade needs none)."""
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        revision = migrate.current_revision(engine)
        with UnitOfWorkFactory(engine)() as uow:
            waiting = plaintext_learner_count(uow)
        sealed = 0
        if waiting:
            master = MasterKey.load(settings.master_key_path)
            sealed = seal_plaintext(new_runtime(settings, engine, master))
        return DatabaseUpgraded(revision, sealed)
    finally:
        engine.dispose()


def check_database(settings: Settings) -> str | None:
    """The schema revision, if the database is at the code's head, matches the models and holds
    no personal data in clear; otherwise the error says which step puts it right."""
    engine = make_engine(settings.database_url)
    try:
        current, head = migrate.current_revision(engine), migrate.head_revision()
        if current != head:
            raise CredstackError(
                f"database at {current or 'nothing'}, code at {head}: run `credstack db upgrade`"
            )
        differences = migrate.drift(engine)
        if differences:
            raise CredstackError(f"the database differs from the models: {differences}")
        with UnitOfWorkFactory(engine)() as uow:
            waiting = plaintext_learner_count(uow)
        if waiting:
            raise CredstackError(
                f"{waiting} learners have personal data in clear: run `credstack db upgrade`"
            )
        return current
    finally:
        engine.dispose()
