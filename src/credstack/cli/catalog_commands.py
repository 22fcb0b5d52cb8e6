"""Validating and loading catalog files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from credstack.catalog.parse import parse_catalog
from credstack.cli.app import app, cli_settings, counted, fail, installation, read_text, say
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog_as
from credstack.service.catalog_export import ExportFormat, export_catalog
from credstack.service.published_catalog import export_published

__all__ = ["catalog_app"]

catalog_app = typer.Typer(no_args_is_help=True, help="Validate, load and export catalog files.")
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
    with installation() as runtime:
        report = load_catalog_as(
            runtime, Actor.operator(), issuer_key=issuer, text=text, source=str(file)
        )
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


@catalog_app.command("export")
def catalog_export(
    file: Annotated[
        Path | None,
        typer.Argument(help="Catalog file (YAML); `-` reads standard input.", show_default=False),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer",
            help="Instead of a file: the issuer's published catalog in this installation.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="ctdl: Credential Engine CTDL JSON-LD; ob3: an Open Badges 3.0 Achievement list.",
        ),
    ] = ExportFormat.CTDL,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Where this installation is published (default: $CREDSTACK_BASE_URL); "
            "identifiers in the export are URLs under it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export a catalog file (before it is loaded) or, with --issuer, what an issuer publishes
    here, for other systems: JSON to stdout or -o FILE."""
    if (file is None) == (issuer is None):
        fail("give a catalog FILE or --issuer ISSUER (one of the two)", code=2)
    if issuer is not None:
        if base_url is not None:
            fail(
                "--base-url is for a file; an issuer's catalog is exported under this "
                "installation's base URL",
                code=2,
            )
        with installation() as runtime:
            document = export_published(runtime, issuer, fmt)
    else:
        assert file is not None
        text = read_text(file)
        base = base_url or cli_settings().base_url
        document = export_catalog(text, str(file), fmt, base_url=base)
    rendered = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(rendered, nl=False)
        return
    try:
        output.write_text(rendered, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}")
    nodes = document.get("@graph", [])
    say(f"wrote {output}: {fmt.value} export, {len(nodes)} resources")
