"""A demo server (example catalogs, learners, awards by the engine) and a headless Chromium.

One server per module: the pages only read, except the sign-in cookie, which lives in each
test's own browser context. Debian's Chromium is used as installed (never `playwright
install`), so the tests need `apt-get install chromium`; without it they fail, not skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.helpers import Cli, free_port, running_server
from tests.integration.mail.conftest import MailServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class DemoSite:
    url: str
    token: str
    cli: Cli


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    data = tmp_path_factory.mktemp("e2e")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cli = Cli(data, f"sqlite:///{data / 'credstack.db'}", base_url=base)
    seeded = cli.ok("demo", "--no-serve")
    found = re.search(r"(cst_\S+)", seeded)
    assert found is not None, seeded
    with running_server(cli, "serve", port=port) as url:
        yield DemoSite(url, found.group(1), cli)


@pytest.fixture(scope="module")
def mail() -> Iterator[MailServer]:
    """A real SMTP server (aiosmtpd) that keeps what it is sent."""
    server = MailServer()
    server.up()
    try:
        yield server
    finally:
        server.down()


@pytest.fixture(scope="module")
def mailing_site(tmp_path_factory: pytest.TempPathFactory, mail: MailServer) -> Iterator[DemoSite]:
    """The demo site whose background sender delivers its outbox to `mail`, as in production."""
    data = tmp_path_factory.mktemp("e2e-mail")
    port = free_port()
    smtp = {"CREDSTACK_SMTP_URL": f"smtp://127.0.0.1:{mail.port}"}
    cli = Cli(data, f"sqlite:///{data / 'credstack.db'}", f"http://127.0.0.1:{port}", smtp)
    seeded = cli.ok("demo", "--no-serve")
    found = re.search(r"(cst_\S+)", seeded)
    assert found is not None, seeded
    with running_server(cli, "serve", port=port) as url:
        yield DemoSite(url, found.group(1), cli)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
