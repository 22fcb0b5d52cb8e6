"""The real `credstack` command, in a subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
BROKEN = REPO / "tests" / "data" / "broken-catalogs"


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return Cli(tmp_path / "data", database_url)


def test_init_issuer_load_and_reload(cli: Cli) -> None:
    assert "initialised" in cli.ok("init")
    assert (cli.data_dir / "master.key").stat().st_mode & 0o777 == 0o600
    cli.ok(
        "issuer",
        "add",
        "northwind",
        "--name",
        "Northwind Data Academy",
        "--kind",
        "training-provider",
    )
    out = cli.ok(
        "catalog", "load", str(EXAMPLES / "northwind-data-academy.yaml"), "--issuer", "northwind"
    )
    assert "created junior-data-analyst" in out
    again = cli.ok(
        "catalog", "load", str(EXAMPLES / "northwind-data-academy.yaml"), "--issuer", "northwind"
    )
    assert "no changes (" in again
    assert "definitions unchanged)" in again
    assert cli.ok("issuer", "list").startswith("northwind\ttraining-provider")


def test_errors_are_one_line_with_a_nonzero_exit(cli: Cli) -> None:
    not_initialised = cli.run("issuer", "list")
    assert not_initialised.returncode == 1
    assert not_initialised.stderr.startswith("error: no master key")
    cli.ok("init")
    unknown = cli.run(
        "catalog", "load", str(EXAMPLES / "northwind-data-academy.yaml"), "--issuer", "nobody"
    )
    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines() == [
        "error: unknown issuer 'nobody': create it first with "
        "`credstack issuer add nobody --name NAME`"
    ]
    assert "Traceback" not in unknown.stderr
    bad_kind = cli.run("issuer", "add", "x", "--name", "X", "--kind", "wizard")
    assert bad_kind.returncode == 1 and "issuer kind 'wizard'" in bad_kind.stderr
    missing = cli.run("catalog", "load", "nope.yaml", "--issuer", "x")
    assert (missing.returncode, missing.stderr.strip()) == (1, "error: nope.yaml: no such file")
    usage = cli.run("catalog", "load")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_a_broken_catalog_is_not_loaded(cli: Cli) -> None:
    cli.ok("init")
    cli.ok("issuer", "add", "x", "--name", "X")
    result = cli.run("catalog", "load", str(BROKEN / "undefined-reference.yaml"), "--issuer", "x")
    assert result.returncode == 1
    assert "undefined-reference.yaml:10: achievement b: requirement names 'ghost'" in result.stderr
    assert cli.ok("learner", "list") == ""


def test_db_check_and_upgrade(cli: Cli) -> None:
    behind = cli.run("db", "check")
    assert behind.returncode == 1 and "run `credstack db upgrade`" in behind.stderr
    assert "database at revision" in cli.ok("db", "upgrade")
    assert "matches the models" in cli.ok("db", "check")


def test_validate_examples_and_broken(cli: Cli) -> None:
    out = cli.ok("catalog", "validate", *sorted(str(p) for p in EXAMPLES.glob("*.yaml")))
    assert out.count(": ok (") == len(list(EXAMPLES.glob("*.yaml")))
    result = cli.run("catalog", "validate", *sorted(str(p) for p in BROKEN.glob("*.yaml")))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= len(list(BROKEN.glob("*.yaml")))
    assert all(":" in line and "Traceback" not in line for line in lines)
