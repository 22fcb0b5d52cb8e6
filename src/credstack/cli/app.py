"""The root Typer app, what every command shares, and `main` (errors as one clear line)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

from credstack.config import Settings, debug_requested, load_settings
from credstack.domain.quantities import show
from credstack.errors import CredstackError
from credstack.service import clock
from credstack.service.jobs import deliver_on_commit
from credstack.service.runtime import Runtime, open_runtime

__all__ = [
    "app",
    "cli_settings",
    "command_tree",
    "counted",
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


def _print_version(value: bool) -> None:
    if value:
        try:
            installed = version("credstack")
        except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
            installed = "unknown (not installed)"
        typer.echo(f"credstack {installed}")
        raise typer.Exit()


@app.callback()
def _root(
    data_dir: DataDir = None,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the installed version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    _state["data_dir"] = data_dir


# Typer labels values with Python types (`<str>`, `<list[str]>`) and required arguments with
# braces (`{learner}`); people read LEARNER, TEXT and PATH, as in every other Unix command.
_VALUE_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH", "Path": "PATH"}


def _value_word(label: str) -> str:
    inner = label.strip("<>")
    many = inner.startswith("list[")
    if many:
        inner = inner[len("list[") : -1]
    word = _VALUE_WORDS.get(inner, inner)
    return f"{word}..." if many else word


class _Argument(TyperArgument):
    @property
    def display_name_raw(self) -> str:
        return (self.metavar or self.name or "value").upper()

    def display_type_rich(self, ctx: Any) -> str | None:  # typer's own click Context
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return f"{name}..." if self.nargs != 1 else name


class _Option(TyperOption):
    def display_type_rich(self, ctx: Any) -> str | None:  # typer's own click Context
        if self.metavar is not None:
            return self.metavar
        if self.is_flag:
            return None
        return _value_word(self.display_type(ctx))


def _plain_words(command: TyperGroup) -> TyperGroup:
    """Give every parameter of the command tree, `--help` too, the plain help words above."""
    groups = [command]
    while groups:
        group = groups.pop()
        for sub in [group, *group.commands.values()]:
            # `--help` is made on first use: make it now, so it gets the plain words too.
            for param in [*sub.params, sub.get_help_option(typer.Context(sub))]:
                if isinstance(param, TyperArgument):
                    param.__class__ = _Argument
                elif isinstance(param, TyperOption):
                    param.__class__ = _Option
            if isinstance(sub, TyperGroup) and sub is not group:
                groups.append(sub)
    return command


def command_tree() -> TyperGroup:
    """The click command of the whole CLI, as people see it (also walked by the help tests)."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    return _plain_words(root)


def cli_settings() -> Settings:
    return load_settings(_state["data_dir"])


@contextmanager
def installation() -> Iterator[Runtime]:
    opened = open_runtime(cli_settings())
    deliver_on_commit(opened)  # PostgreSQL: a command's new mail is queued for the workers
    try:
        yield opened
    finally:
        opened.close()


def counted(n: Decimal | int, noun: str) -> str:
    """`1 achievement`, `3 achievements`, `1.5 hours`: a count people read without wincing
    (exact digits, never binary-float noise or an exponent)."""
    return f"{show(n)} {noun}" if n == 1 else f"{show(n)} {noun}s"


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


def parse_date(text: str | None, what: str) -> date:
    """A YYYY-MM-DD option, today (UTC) when absent; a bad or out-of-range one is a one-line
    error. A question about one issuer's day passes None on to the service, which counts
    today in that issuer's zone."""
    if text is None:
        return clock.utc_today()
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
        outcome = command_tree().main(args=argv, prog_name="credstack", standalone_mode=False)
    except CredstackError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: shown as Typer always shows them
        show_usage = getattr(exc, "show", None)
        if callable(show_usage):
            show_usage()
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
