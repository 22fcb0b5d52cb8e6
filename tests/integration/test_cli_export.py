"""`credstack catalog export`: the real command, to stdout or a file, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "examples" / "northwind-data-academy.yaml"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    # Exporting never opens the database; the URL only has to be well formed.
    return Cli(tmp_path / "data", f"sqlite:///{tmp_path / 'unused.db'}", "https://creds.example")


def test_ctdl_to_stdout_uses_the_installation_base_url(cli: Cli) -> None:
    document = json.loads(cli.ok("catalog", "export", str(CATALOG)))
    assert document["@context"][0] == "https://credreg.net/ctdl/schema/context/json"
    org = document["@graph"][0]
    assert org["@type"] == "ceterms:CredentialOrganization"
    assert org["@id"] == "https://creds.example/issuers/northwind"
    assert not (cli.data_dir / "credstack.db").exists()


def test_ob3_to_a_file_with_an_explicit_base_url(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "achievements.json"
    args = ["catalog", "export", str(CATALOG), "--format", "ob3", "-o", str(out)]
    result = cli.run(*args, "--base-url", "https://badges.example.org/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: ob3 export, ")
    document = json.loads(out.read_text())
    assert document["@graph"][0]["id"].startswith("https://badges.example.org/api/v1/issuers/")


def test_catalog_from_standard_input(cli: Cli) -> None:
    result = cli.run("catalog", "export", "-", stdin=CATALOG.read_text())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["@graph"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "xml"], 2, "'xml' is not one of 'ctdl', 'ob3'"),
        (["--base-url", "ftp://x"], 1, "error: the base URL 'ftp://x' must start with https://"),
        (["-o", "/nonexistent/dir/out.json"], 1, "error: /nonexistent/dir/out.json: No such"),
    ],
)
def test_bad_arguments_are_one_clear_error(
    cli: Cli, args: list[str], code: int, message: str
) -> None:
    result = cli.run("catalog", "export", str(CATALOG), *args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_or_broken_catalogs_are_refused(cli: Cli, tmp_path: Path) -> None:
    missing = cli.run("catalog", "export", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: credstack-catalog/1\nachievements: []\n")
    result = cli.run("catalog", "export", str(broken))
    assert result.returncode == 1
    assert "the catalog has problems; fix them first" in result.stderr
    assert f"{broken}:2: " in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
