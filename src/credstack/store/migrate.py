"""Apply and check migrations from code, so `credstack db upgrade` needs no alembic.ini."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from credstack.store.models import Base

if TYPE_CHECKING:
    from alembic.config import Config

# alembic is imported where a migration runs or the schema is compared. Opening an
# installation only asks which revision the database is at and which the code needs: two
# lines of each version file and one row, read here, which spares every CLI command and worker
# importing alembic and every migration script (a sixth of their start-up).

__all__ = ["current_revision", "downgrade", "drift", "head_revision", "upgrade"]

VERSION_TABLE = "alembic_version"
_ASSIGNMENT = re.compile(
    r"^(?P<name>down_revision|revision)(?:\s*:[^=\n]*)?\s*=\s*"
    r"(?:None|\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')\s*$",
    re.MULTILINE,
)


def _config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("credstack.store") / "migrations"))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to an earlier revision (a benchmark comparing a migration with the one before)."""
    from alembic import command

    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def head_revision() -> str | None:
    """The revision the code needs: the one no version file names as its `down_revision`.
    A file this reading does not understand (a merge's tuple of parents), or more than one
    head, is left to alembic, which says what is wrong."""
    scanned = _scanned_head()
    if scanned is not None:
        return scanned
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def _scanned_head() -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (files("credstack.store") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        found: dict[str, str | None] = {}
        for match in _ASSIGNMENT.finditer(script.read_text(encoding="utf-8")):
            found[match["name"]] = match["double"] or match["single"]
        if "revision" not in found or "down_revision" not in found or found["revision"] is None:
            return None
        revisions.add(found["revision"])
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The database's revision: alembic's one row, None before the first migration."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        if len(rows) > 1:
            from alembic.migration import MigrationContext

            return MigrationContext.configure(connection).get_current_revision()  # raises
        return str(rows[0][0]) if rows else None


QUEUE_PREFIX = "procrastinate_"
"""The job queue's tables (migration 0022_job_queue) belong to procrastinate, not the models."""


def _ours(_object: object, name: str | None, kind: str, _reflected: bool, _other: object) -> bool:
    return not (kind == "table" and (name or "").startswith(QUEUE_PREFIX))


def drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database; empty when they agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        return list(compare_metadata(context, Base.metadata))
