"""Apply and check migrations from code, so `credstack db upgrade` needs no alembic.ini."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from credstack.store.models import Base

__all__ = ["current_revision", "downgrade", "drift", "head_revision", "upgrade"]


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("credstack.store") / "migrations"))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to an earlier revision (a benchmark comparing a migration with the one before)."""
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


QUEUE_PREFIX = "procrastinate_"
"""The job queue's tables (migration 0022_job_queue) belong to procrastinate, not the models."""


def _ours(_object: object, name: str | None, kind: str, _reflected: bool, _other: object) -> bool:
    return not (kind == "table" and (name or "").startswith(QUEUE_PREFIX))


def drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database; empty when they agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        return list(compare_metadata(context, Base.metadata))
