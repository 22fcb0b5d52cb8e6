"""Setting up and running: init, serve, demo, and the database schema."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import partial
from typing import Annotated

import typer

from credstack.cli.app import app, cli_settings, say
from credstack.config import Settings
from credstack.limits import MAX_SERVE_WORKERS, VERIFY_WORKERS
from credstack.service import demo as demo_service
from credstack.service.mail.sender import MailSender
from credstack.service.runtime import check_database, initialise, open_runtime, upgrade_database

__all__ = ["db_app"]

_STARTUP_SECONDS = 120

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
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_SERVE_WORKERS,
            help="Server processes sharing the port (background jobs run once, in the parent).",
        ),
    ] = 1,
) -> None:
    """Serve the REST API, the OB 3.0 API, DID documents and the pages."""
    _serve(cli_settings(), host, port, workers)


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from credstack.server import background_work, create_app, worker_app

    runtime = open_runtime(settings)
    try:
        say(f"credstack serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
        if workers == 1:
            uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")
            return
        from uvicorn.supervisors import Multiprocess

        from credstack.http.verify_pool import Supervisor

        # The verification workers are the installation's, started here and shared by the
        # server processes: a verification queues once, whichever process took its request.
        verifiers = Supervisor(settings, VERIFY_WORKERS)
        try:
            # Each process builds its app (and opens its runtime) itself: uvicorn starts them
            # with spawn, so nothing of this process (threads, connections) is copied into them.
            config = uvicorn.Config(
                partial(worker_app, settings, verifiers.paths),
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
                # A new process answers the supervisor's health check only once it has
                # imported credstack: seconds, or tens of seconds on a busy machine, and
                # uvicorn's 5 s default then restarts it over and over.
                timeout_worker_healthcheck=_STARTUP_SECONDS,
            )
            say(
                f"{workers} server processes and {VERIFY_WORKERS} verification workers; the "
                f"background worker runs in this one ({os.getpid()})"
            )
            with background_work(runtime):
                # SIGTERM or SIGINT: the supervisor stops every process, then returns.
                Multiprocess(config, sockets=[config.bind_socket()]).run()
        finally:
            verifiers.close()
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
        if not no_serve and settings.smtp is None:
            # With no mail server every message is written to the log: send the seeded
            # awards' now, so that they scroll past before the admin token, not after it.
            MailSender(runtime.units, runtime.settings).deliver_due()
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
    upgraded = upgrade_database(cli_settings())
    say(f"database at revision {upgraded.revision}")
    if upgraded.sealed:
        say(f"sealed the names and e-mail addresses of {upgraded.sealed} learners")


@db_app.command("check")
def db_check() -> None:
    """Exit 1 if the database is behind the code or differs from the models."""
    current = check_database(cli_settings())
    say(f"database at {current}; matches the models")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
