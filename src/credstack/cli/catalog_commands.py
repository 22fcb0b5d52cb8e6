"""Validating and loading catalog files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credstack.catalog.parse import parse_catalog
from credstack.cli.app import app, counted, installation, read_text, say
from credstack.service.catalog import load_catalog

__all__ = ["catalog_app"]

catalog_app = typer.Typer(no_args_is_help=True, help="Validate and load catalog files.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("validate")
def catalog_validate(
    files: Annotated[list[Path], typer.Argument(help="Catalog files (YAML).")],
) -> None:
    """Check catalog files; print every problem as FILE:LINE: message. Exit 1 if any."""
    failed = False
    for path in files:
        text = read_text(path)
        result = parse_catalog(text, str(path))
        if result.ok:
            assert result.catalog is not None
            say(f"{path}: ok ({counted(len(result.catalog.achievements), 'achievement')})")
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
    text = read_text(file)
    with installation() as runtime, runtime.uow() as uow:
        report = load_catalog(uow, issuer_key=issuer, text=text, source=str(file))
        uow.commit()
    if not report.changed:
        say(f"{file}: no changes ({counted(len(report.unchanged), 'definition')} unchanged)")
        return
    for key in report.created:
        say(f"created {key}")
    for key in report.new_versions:
        say(f"new version {key}")
    for line in report.other_changes:
        say(line)
    say(f"{len(report.unchanged)} unchanged")
