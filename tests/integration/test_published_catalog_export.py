"""Exporting what an issuer publishes here: `credstack catalog export --issuer X` and
`GET /api/v1/issuers/{issuer}/catalog?format=`, on a real server on each backend.

The export of a loaded catalog must say what the file's export says (the same CTIDs, the same
condition profiles), checked against CTDL's schema encodings like the file exports; and only
published versions leave."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from credstack.catalog.ctdl import export_ctdl
from credstack.catalog.parse import parse_catalog
from credstack.config import Settings
from credstack.domain.catalog import Catalog
from credstack.service.runtime import open_runtime
from credstack.store.models import AchievementRow, AchievementVersionRow, IssuerRow
from tests.conftest import BACKENDS, DatabaseFactory
from tests.helpers import Cli, free_port, running_server
from tests.unit.catalog import ctdl_schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LOADED = {"northwind": "northwind-data-academy.yaml", "lakeside": "lakeside-university.yaml"}


@dataclass
class Site:
    url: str
    cli: Cli


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("published")
    databases = DatabaseFactory(str(request.param), tmp)
    port = free_port()
    cli = Cli(tmp / "data", databases.create(), base_url=f"http://127.0.0.1:{port}")
    try:
        cli.ok("init")
        for key, name in LOADED.items():
            issuer = _parsed(name).issuer
            assert issuer is not None and issuer.url is not None
            # Registered as the file describes it, so the two exports can be compared whole.
            cli.ok(
                "issuer",
                "add",
                key,
                "--name",
                issuer.name,
                "--kind",
                issuer.kind,
                "--url",
                issuer.url,
            )
            cli.ok("catalog", "load", str(EXAMPLES / name), "--issuer", key)
        with running_server(cli, "serve", port=port) as url:
            yield Site(url, cli)
    finally:
        databases.drop_all()


def _parsed(name: str) -> Catalog:
    result = parse_catalog((EXAMPLES / name).read_text(), name)
    assert result.catalog is not None
    return result.catalog


def _by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in document["@graph"]}


def _as_sets(node: dict[str, Any]) -> dict[str, Any]:
    """JSON-LD arrays are unordered sets: the database lists an issuer's achievements and
    competencies by id, the file in the author's order; compare references as sets."""
    return {
        key: sorted(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value)
        else value
        for key, value in node.items()
    }


@pytest.mark.parametrize("issuer", sorted(LOADED))
def test_the_published_catalog_says_what_the_file_says(site: Site, issuer: str) -> None:
    answer = httpx.get(f"{site.url}/api/v1/issuers/{issuer}/catalog", params={"format": "ctdl"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/ld+json")
    published = answer.json()
    assert ctdl_schema.problems(published) == []
    expected = _by_id(export_ctdl(_parsed(LOADED[issuer]), base_url=site.url))
    found = _by_id(published)
    assert found.keys() == expected.keys()
    for node_id, node in expected.items():
        assert _as_sets(found[node_id]) == _as_sets(node), node_id


def test_the_cli_exports_the_same_document(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "northwind.json"
    result = site.cli.run("catalog", "export", "--issuer", "northwind", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: ctdl export, ")
    over_http = httpx.get(f"{site.url}/api/v1/issuers/northwind/catalog").json()
    assert json.loads(out.read_text()) == over_http
    ob3 = json.loads(site.cli.ok("catalog", "export", "--issuer", "lakeside", "--format", "ob3"))
    assert ob3 == httpx.get(f"{site.url}/api/v1/issuers/lakeside/catalog?format=ob3").json()
    assert {a["achievementType"] for a in ob3["@graph"]} >= {"Degree", "Certificate", "Course"}


def test_a_version_not_yet_published_is_not_offered(site: Site) -> None:
    """While an achievement's only version is in review, it is left out, and what requires it
    keeps its condition in words (no reference to a node the document lacks)."""
    runtime = open_runtime(
        Settings(site.cli.data_dir.resolve(), site.cli.database_url, site.cli.base_url)
    )
    try:
        with runtime.uow() as uow:
            version = uow.session.scalars(
                select(AchievementVersionRow)
                .join(AchievementRow)
                .join(IssuerRow)
                .where(IssuerRow.key == "lakeside", AchievementRow.key == "de-pipelines")
            ).one()
            version.status = "in-review"
            uow.commit()
        document = httpx.get(f"{site.url}/api/v1/issuers/lakeside/catalog").json()
        ids = set(_by_id(document))
        assert f"{site.url}/issuers/lakeside/achievements/de-pipelines" not in ids
        assert ctdl_schema.problems(document) == []
        ob3 = httpx.get(f"{site.url}/api/v1/issuers/lakeside/catalog?format=ob3").json()
        assert not any(a["id"].endswith("/de-pipelines") for a in ob3["@graph"])
    finally:
        with runtime.uow() as uow:
            uow.session.execute(
                AchievementVersionRow.__table__.update()
                .where(AchievementVersionRow.status == "in-review")
                .values(status="published")
            )
            uow.commit()
        runtime.close()


def test_unknown_issuers_and_bad_arguments_are_clear_errors(site: Site) -> None:
    missing = httpx.get(f"{site.url}/api/v1/issuers/nobody/catalog")
    assert missing.status_code == 404 and "nobody" in missing.json()["error"]
    bad = httpx.get(f"{site.url}/api/v1/issuers/northwind/catalog", params={"format": "xml"})
    assert bad.status_code == 422
    for args, code, message in (
        (["--issuer", "nobody"], 1, "nobody"),
        ([], 2, "give a catalog FILE or --issuer ISSUER"),
        ([str(EXAMPLES / LOADED["northwind"]), "--issuer", "northwind"], 2, "one of the two"),
        (["--issuer", "northwind", "--base-url", "https://x.example"], 2, "--base-url is for"),
    ):
        result = site.cli.run("catalog", "export", *args)
        assert result.returncode == code, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""
