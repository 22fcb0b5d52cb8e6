"""Issue 10: public catalog pages show 50 entries a page, however big the catalog behind them.

Before: a 250,000-achievement catalog made the home page take 3 s and an issuer page 40 s to
return 23 MB. Catalogs are now bounded (tests/unit/catalog/test_catalog_bounds.py) and lists
on public pages are paginated with ?page=N.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from credstack.config import Settings
from credstack.service.catalog import load_catalog
from credstack.service.people import add_issuer
from credstack.service.runtime import open_runtime
from tests.helpers import Cli, free_port, running_server

ACHIEVEMENTS = 120
ISSUERS = 55


def _set_up(cli: Cli) -> None:
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            keys = runtime.keys(uow)
            for n in range(ISSUERS):
                add_issuer(uow, keys, key=f"issuer-{n:02d}", name=f"Issuer {n:02d}")
            items = "".join(
                f"  - {{id: a{i:03d}, type: badge, name: Badge {i:03d}}}\n"
                for i in range(ACHIEVEMENTS)
            )
            text = f"format: credstack-catalog/1\nachievements:\n{items}"
            load_catalog(uow, issuer_key="issuer-00", text=text, source="big.yaml")
            uow.commit()
    finally:
        runtime.close()


def _entries(html: str) -> list[str]:
    return re.findall(r'href="/issuers/issuer-00/achievements/(a\d+)"', html)


def test_home_and_issuer_pages_are_paginated(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    _set_up(cli)
    with running_server(cli, "serve", port=port) as url:
        first = httpx.get(f"{url}/issuers/issuer-00", timeout=30)
        assert first.status_code == 200
        assert _entries(first.text) == [f"a{i:03d}" for i in range(50)]
        assert "page 1 of 3 (120 in all)" in first.text and 'href="?page=2"' in first.text
        assert len(first.content) < 40_000
        last = httpx.get(f"{url}/issuers/issuer-00", params={"page": 3}, timeout=30)
        assert _entries(last.text) == [f"a{i:03d}" for i in range(100, 120)]
        assert 'href="?page=2"' in last.text and "?page=4" not in last.text
        assert httpx.get(f"{url}/issuers/issuer-00?page=4", timeout=30).status_code == 404
        for bad in ("0", "-1", "x", "99999999999999999999"):
            answer = httpx.get(f"{url}/issuers/issuer-00", params={"page": bad}, timeout=30)
            assert answer.status_code == 422, bad

        home = httpx.get(url, timeout=30)
        shown = re.findall(r'href="/issuers/(issuer-\d+)"', home.text)
        assert shown == [f"issuer-{n:02d}" for n in range(50)]
        assert "page 1 of 2 (55 in all)" in home.text
        rest = httpx.get(url, params={"page": 2}, timeout=30)
        assert re.findall(r'href="/issuers/(issuer-\d+)"', rest.text) == [
            f"issuer-{n:02d}" for n in range(50, 55)
        ]
