"""Setting up and running: init, serve, demo, and the database schema."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from credstack.cli.app import app, cli_settings, fail, say
from credstack.config import Settings
from credstack.service import demo as demo_service
from credstack.service.learners import plaintext_learner_count
from credstack.service.runtime import Runtime, initialise, open_runtime, seal_plaintext, units
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWorkFactory

__all__ = ["db_app"]

db_app = typer.Typer(no_args_is_help=True, help="Database schema (migrations).")
app.add_typer(db_app, name="db")


@app.command()
def init() -> None:
    """Create the data directory, the master key (encrypts signing keys) and the database."""
    settings = cli_settings()
    runtime = initialise(settings)
    runtime.close()
    say(f"initialised {settings.data_dir} (database: {_redact(settings.database_url)})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the REST API, the OB 3.0 API, DID documents and the pages."""
    _serve(cli_settings(), host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from credstack.server import create_app

    runtime = open_runtime(settings)
    try:
        say(f"credstack serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
        uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")
    finally:
        runtime.close()


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Set up, then exit.")] = False,
) -> None:
    """Initialise, load the example catalogs, seed learners and awards, then serve."""
    settings = cli_settings()
    if not settings.base_url_given:
        settings = replace(settings, base_url=f"http://{host}:{port}")
    runtime = initialise(settings)
    try:
        summary = demo_service.seed(runtime, demo_service.examples_dir())
    finally:
        runtime.close()
    for line in summary:
        say(line)
    if no_serve:
        return
    say(f"open http://{host}:{port}/")
    _serve(settings, host, port)


# --- db -------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied, then seal learners' data stored in clear."""
    settings = cli_settings()
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        say(f"database at revision {migrate.current_revision(engine)}")
        with UnitOfWorkFactory(engine)() as uow:
            waiting = plaintext_learner_count(uow)
        if waiting:
            # Migrations never see the master key, so sealing is this step's, after Alembic.
            master = MasterKey.load(settings.master_key_path)
            sealed = seal_plaintext(Runtime(settings, engine, units(engine, master), master))
            say(f"sealed the names and e-mail addresses of {sealed} learners")
    finally:
        engine.dispose()


@db_app.command("check")
def db_check() -> None:
    """Exit 1 if the database is behind the code or differs from the models."""
    engine = make_engine(cli_settings().database_url)
    try:
        current, head = migrate.current_revision(engine), migrate.head_revision()
        if current != head:
            fail(f"database at {current or 'nothing'}, code at {head}: run `credstack db upgrade`")
        differences = migrate.drift(engine)
        if differences:
            fail(f"the database differs from the models: {differences}")
        with UnitOfWorkFactory(engine)() as uow:
            waiting = plaintext_learner_count(uow)
        if waiting:
            fail(f"{waiting} learners have personal data in clear: run `credstack db upgrade`")
        say(f"database at {current}; matches the models")
    finally:
        engine.dispose()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
