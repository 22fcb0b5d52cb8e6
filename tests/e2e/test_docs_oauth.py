"""The API docs' *Authorize* runs the OAuth 2.0 code flow in a real browser: Swagger UI sends
the learner to the consent page with PKCE, comes back at its redirect page, exchanges the code
and calls the OB 3.0 API with the token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import DemoSite
from tests.e2e.test_wallet import _signed_in_as

pytestmark = pytest.mark.e2e

READ = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"


@pytest.fixture
def scripted(browser: Browser) -> Iterator[Page]:
    """Swagger UI is a script, so this browser runs JavaScript."""
    context: BrowserContext = browser.new_context()
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_swagger_ui_authorises_with_the_code_flow_and_calls_the_api(
    scripted: Page, site: DemoSite
) -> None:
    registered = httpx.post(
        f"{site.url}/oauth/register",
        json={
            "client_name": "API docs",
            "redirect_uris": [f"{site.url}/docs/oauth2-redirect"],
            "scope": READ,
        },
    )
    assert registered.status_code == 201, registered.text
    client = registered.json()
    page = scripted
    _signed_in_as(page, site, "ben")
    refused: list[str] = []
    page.context.on("console", lambda m: refused.append(m.text) if "violates" in m.text else None)

    page.goto(f"{site.url}/docs")
    page.locator("button.authorize").first.click()
    dialog = page.locator(".dialog-ux")
    dialog.locator("#client_id_authorizationCode").fill(client["client_id"])
    dialog.locator("#client_secret_authorizationCode").fill(client["client_secret"])
    dialog.locator(f"label[for='{READ}-authorizationCode-checkbox-OAuth2ACG']").click()
    with page.expect_popup() as opened:
        dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
    consent = opened.value
    expect(consent.get_by_text("API docs").first).to_be_visible()
    assert "code_challenge_method=S256" in consent.url
    consent.get_by_role("button", name="Allow").click()
    if not consent.is_closed():  # it may have closed while the click was handled
        consent.wait_for_event("close")
    expect(dialog.get_by_role("button", name="Apply given OAuth2 credentials")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
    dialog.locator("button.btn-done").first.click()

    path = page.locator("[data-path='/ims/ob/v3p0/credentials']")
    operation = page.locator("div.opblock", has=path)
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tr.response .response-col_status").first
    expect(status).to_have_text("200")
    assert refused == []
