"""`credstack ...`: the command line. A thin layer over `service`; errors are one clear line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from credstack.catalog.parse import parse_catalog
from credstack.config import Settings, load_settings
from credstack.errors import CredstackError
from credstack.service import demo as demo_service
from credstack.service.catalog import load_catalog
from credstack.service.people import (
    ISSUER_KINDS,
    add_issuer,
    add_learner,
    add_user,
    grant_role,
    issue_token,
    require_issuer,
)
from credstack.service.runtime import Runtime, initialise, open_runtime
from credstack.store import migrate
from credstack.store.db import make_engine

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="credstack: stackable microcredentials as Open Badges 3.0.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema (migrations).")
catalog_app = typer.Typer(no_args_is_help=True, help="Validate and load catalog files.")
issuer_app = typer.Typer(no_args_is_help=True, help="Issuers (organisations) and their keys.")
user_app = typer.Typer(no_args_is_help=True, help="Users, roles and API tokens.")
learner_app = typer.Typer(no_args_is_help=True, help="Learners.")
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")
app.add_typer(issuer_app, name="issuer")
app.add_typer(user_app, name="user")
app.add_typer(learner_app, name="learner")

_state: dict[str, Path | None] = {"data_dir": None}

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory (default: $CREDSTACK_DATA_DIR or ./var).",
        show_default=False,
    ),
]


@app.callback()
def _root(data_dir: DataDir = None) -> None:
    _state["data_dir"] = data_dir


def _settings() -> Settings:
    return load_settings(_state["data_dir"])


@contextmanager
def _runtime() -> Iterator[Runtime]:
    runtime = open_runtime(_settings())
    try:
        yield runtime
    finally:
        runtime.close()


def _say(message: str) -> None:
    typer.echo(message)


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


# --- setup ----------------------------------------------------------------------------------


@app.command()
def init() -> None:
    """Create the data directory, the master key (encrypts signing keys) and the database."""
    settings = _settings()
    runtime = initialise(settings)
    runtime.close()
    _say(f"initialised {settings.data_dir} (database: {_redact(settings.database_url)})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the REST API, the OB 3.0 API, DID documents and the pages."""
    _serve(_settings(), host, port)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from credstack.api.app import create_app

    runtime = open_runtime(settings)
    try:
        _say(f"credstack serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
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
    settings = _settings()
    if "CREDSTACK_BASE_URL" not in os.environ:
        settings = Settings(settings.data_dir, settings.database_url, f"http://{host}:{port}")
    runtime = initialise(settings)
    try:
        summary = demo_service.seed(runtime, demo_service.examples_dir())
    finally:
        runtime.close()
    for line in summary:
        _say(line)
    if no_serve:
        return
    _say(f"open http://{host}:{port}/")
    _serve(settings, host, port)


# --- db -------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    engine = make_engine(_settings().database_url)
    try:
        migrate.upgrade(engine)
        _say(f"database at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@db_app.command("check")
def db_check() -> None:
    """Exit 1 if the database is behind the code or differs from the models."""
    engine = make_engine(_settings().database_url)
    try:
        current, head = migrate.current_revision(engine), migrate.head_revision()
        if current != head:
            _fail(f"database at {current or 'nothing'}, code at {head}: run `credstack db upgrade`")
        differences = migrate.drift(engine)
        if differences:
            _fail(f"the database differs from the models: {differences}")
        _say(f"database at {current}; matches the models")
    finally:
        engine.dispose()


# --- catalog ----------------------------------------------------------------------------------


@catalog_app.command("validate")
def catalog_validate(
    files: Annotated[list[Path], typer.Argument(help="Catalog files (YAML).")],
) -> None:
    """Check catalog files; print every problem as FILE:LINE: message. Exit 1 if any."""
    failed = False
    for path in files:
        text = _read(path)
        result = parse_catalog(text, str(path))
        if result.ok:
            assert result.catalog is not None
            _say(f"{path}: ok ({len(result.catalog.achievements)} achievements)")
        else:
            failed = True
            for problem in result.problems:
                typer.echo(str(problem), err=True)
    if failed:
        raise typer.Exit(1)


@catalog_app.command("load")
def catalog_load(
    file: Annotated[Path, typer.Argument(help="Catalog file (YAML).")],
    issuer: Annotated[str, typer.Option("--issuer", help="Issuer id to load into.")],
) -> None:
    """Load a catalog into an issuer, all or nothing; the same file again changes nothing."""
    text = _read(file)
    with _runtime() as runtime, runtime.uow() as uow:
        report = load_catalog(uow, issuer_key=issuer, text=text, source=str(file))
        uow.commit()
    if not report.changed:
        _say(f"{file}: no changes ({len(report.unchanged)} definitions unchanged)")
        return
    for key in report.created:
        _say(f"created {key}")
    for key in report.new_versions:
        _say(f"new version {key}")
    for line in report.other_changes:
        _say(line)
    _say(f"{len(report.unchanged)} unchanged")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except UnicodeDecodeError:
        _fail(f"{path}: not UTF-8 text")
    except OSError as exc:
        _fail(f"{path}: {exc.strerror}")


# --- people -----------------------------------------------------------------------------------


@issuer_app.command("add")
def issuer_add(
    key: Annotated[str, typer.Argument(help="Issuer id, e.g. northwind.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(ISSUER_KINDS)}.")] = "other",
    url: Annotated[str | None, typer.Option(help="Home page.")] = None,
) -> None:
    """Create an issuer and its first signing key."""
    with _runtime() as runtime, runtime.uow() as uow:
        add_issuer(uow, runtime.keys(uow), key=key, name=name, kind=kind, url=url)
        uow.commit()
    _say(f"issuer {key} created")


@issuer_app.command("list")
def issuer_list() -> None:
    """List issuers."""
    with _runtime() as runtime, runtime.uow() as uow:
        for issuer in uow.issuers.all():
            _say(f"{issuer.key}\t{issuer.kind}\t{issuer.name}")


@issuer_app.command("rotate-key")
def issuer_rotate_key(key: Annotated[str, typer.Argument(help="Issuer id.")]) -> None:
    """New signing key; the old one stays in the DID document so old credentials still verify."""
    with _runtime() as runtime, runtime.uow() as uow:
        row = runtime.keys(uow).create(require_issuer(uow, key))
        uow.commit()
    _say(f"issuer {key} now signs with key {row.key_id}")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="Email address.")],
    name: Annotated[str, typer.Option(help="Display name.")],
) -> None:
    """Create a user."""
    with _runtime() as runtime, runtime.uow() as uow:
        add_user(uow, email=email, name=name)
        uow.commit()
    _say(f"user {email} created")


@user_app.command("grant")
def user_grant(
    email: Annotated[str, typer.Argument(help="Email address.")],
    issuer: Annotated[str, typer.Option(help="Issuer id.")],
    role: Annotated[str, typer.Option(help="admin, reviewer, assessor, mentor or registrar.")],
    scope: Annotated[str, typer.Option(help="Program the role is limited to.")] = "",
) -> None:
    """Give a user a role at an issuer (optionally limited to one program)."""
    with _runtime() as runtime, runtime.uow() as uow:
        user = uow.users.by_email(email)
        if user is None:
            _fail(f"unknown user {email}")
        grant_role(uow, user=user, issuer=require_issuer(uow, issuer), role=role, scope=scope)
        uow.commit()
    _say(f"{email} is now {role} at {issuer}" + (f" for {scope}" if scope else ""))


@user_app.command("token")
def user_token(
    email: Annotated[str, typer.Argument(help="Email address.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token; it is shown once and only its hash is stored."""
    with _runtime() as runtime, runtime.uow() as uow:
        user = uow.users.by_email(email)
        if user is None:
            _fail(f"unknown user {email}")
        token = issue_token(uow, user=user, name=name)
        uow.commit()
    _say(token)


@learner_app.command("add")
def learner_add(
    key: Annotated[str, typer.Argument(help="Learner id.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
) -> None:
    """Create a learner."""
    with _runtime() as runtime, runtime.uow() as uow:
        add_learner(uow, key=key, name=name, email=email)
        uow.commit()
    _say(f"learner {key} created")


@learner_app.command("list")
def learner_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List learners."""
    with _runtime() as runtime, runtime.uow() as uow:
        rows = [(lr.key, lr.name) for lr in uow.learners.all()]
    if as_json:
        _say(json.dumps([{"id": k, "name": n} for k, n in rows]))
    else:
        for key, name in rows:
            _say(f"{key}\t{name}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a CredstackError is one line on stderr, anything else a short bug report."""
    try:
        outcome = app(args=argv, standalone_mode=False)
    except CredstackError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: shown as Typer always shows them
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except Exception as exc:  # last resort: no traceback reaches the user
        if os.environ.get("CREDSTACK_DEBUG"):
            raise
        typer.echo(
            f"internal error ({exc.__class__.__name__}): {exc}. This is a bug; rerun with "
            "CREDSTACK_DEBUG=1 for details.",
            err=True,
        )
        sys.exit(70)
    sys.exit(outcome if isinstance(outcome, int) else 0)
