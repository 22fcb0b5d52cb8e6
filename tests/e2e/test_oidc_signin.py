"""A learner signs in with their institution in a real browser (JavaScript off): from the
sign-in page's button, through a real OpenID Connect provider's own sign-in form, to their
wallet, against a real server seeded by `credstack demo`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoSite
from tests.helpers import Cli, free_port, running_server
from tests.integration.signin.provider import identity_provider, person

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with identity_provider([person("ben", "ben@example.org")]) as provider:
        data = tmp_path_factory.mktemp("e2e-oidc")
        port = free_port()
        settings = {
            "CREDSTACK_OIDC_ISSUER": provider,
            "CREDSTACK_OIDC_CLIENT_ID": "credstack-e2e",
            "CREDSTACK_OIDC_CLIENT_SECRET": "e2e-secret",
            "CREDSTACK_OIDC_NAME": "Example University",
        }
        cli = Cli(data, f"sqlite:///{data / 'credstack.db'}", f"http://127.0.0.1:{port}", settings)
        seeded = cli.ok("demo", "--no-serve")
        found = re.search(r"(cst_\S+)", seeded)
        assert found is not None, seeded
        with running_server(cli, "serve", port=port) as url:
            yield DemoSite(url, found.group(1), cli)


def test_a_learner_signs_in_with_their_institution_and_sees_their_wallet(
    page: Page, site: DemoSite
) -> None:
    page.goto(f"{site.url}/wallet")
    expect(page).to_have_url(f"{site.url}/signin?next=/wallet")
    page.get_by_role("link", name="Sign in with Example University").click()

    # The provider's own page: who signs in (its form for tests), then back to credstack.
    page.locator('input[name="sub"]').fill("ben")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Brooks")
    expect(page.get_by_text("Signed in as ben")).to_be_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["credstack_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Lax"
    assert "credstack_oidc" not in cookies  # the flow is over
