"""The root Typer app, what every command shares, and `main` (errors as one clear line)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from credstack.config import Settings, debug_requested, load_settings
from credstack.errors import CredstackError
from credstack.service import clock
from credstack.service.runtime import Runtime, open_runtime
from credstack.store.models import IssuerRow

__all__ = [
    "app",
    "cli_settings",
    "fail",
    "installation",
    "main",
    "parse_date",
    "read_text",
    "say",
]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="credstack: stackable microcredentials as Open Badges 3.0.",
)

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


def cli_settings() -> Settings:
    return load_settings(_state["data_dir"])


@contextmanager
def installation() -> Iterator[Runtime]:
    opened = open_runtime(cli_settings())
    try:
        yield opened
    finally:
        opened.close()


def say(message: str) -> None:
    typer.echo(message)


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def read_text(path: Path) -> str:
    """A file's text, or a one-line error naming the file (`-` reads standard input)."""
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except IsADirectoryError:
        fail(f"{path}: is a directory")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text")
    except OSError as exc:
        fail(f"{path}: {exc.strerror}")


def parse_date(text: str | None, what: str, issuer: IssuerRow | None = None) -> date:
    """A YYYY-MM-DD option, today in the issuer's zone (UTC without one) when absent; a bad or
    out-of-range one is a one-line error."""
    if text is None:
        return clock.as_of(None, issuer)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        fail(f"{what} {text!r} is not a date (YYYY-MM-DD)")
    try:
        return clock.check_day(day, what, past=False)
    except CredstackError as exc:
        fail(exc.message)


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
        if debug_requested():
            raise
        typer.echo(
            f"internal error ({exc.__class__.__name__}): {exc}. This is a bug; rerun with "
            "CREDSTACK_DEBUG=1 for details.",
            err=True,
        )
        sys.exit(70)
    sys.exit(outcome if isinstance(outcome, int) else 0)
