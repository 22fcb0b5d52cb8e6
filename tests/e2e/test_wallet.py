"""A learner with a browser (JavaScript off): the wallet, a share link for two credentials
that a stranger opens and sees verified, and revoking it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from credstack.config import Settings
from credstack.http.session import COOKIE_NAME
from credstack.service.runtime import open_runtime
from credstack.service.sessions import SessionPolicy, open_learner_session
from tests.e2e.conftest import DemoSite

pytestmark = pytest.mark.e2e


def _signed_in_as(page: Page, site: DemoSite, learner: str) -> None:
    """The session the e-mail sign-in link would open, as the browser's cookie."""
    cli = site.cli
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            row = uow.learners.by_key(learner)
            assert row is not None
            policy = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=1))
            session_id = open_learner_session(uow, row, policy)
            uow.commit()
    finally:
        runtime.close()
    page.context.add_cookies([{"name": COOKIE_NAME, "value": session_id, "url": site.url}])


def test_share_two_credentials_then_revoke_the_link(
    page: Page, browser: Browser, site: DemoSite
) -> None:
    page.goto(f"{site.url}/wallet")
    expect(page).to_have_url(f"{site.url}/signin?next=/wallet")
    _signed_in_as(page, site, "ben")
    page.goto(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Brooks")
    held = page.get_by_role("region", name="Your credentials")
    expect(held.get_by_role("link", name="PDF of GCP Essentials")).to_be_visible()
    expect(page.get_by_role("region", name="Continuing education")).to_contain_text("days left")

    held.get_by_role("checkbox", name="Share GCP Essentials").check()
    held.get_by_role("checkbox", name="Share Informed Consent").check()
    page.get_by_label("Share the ticked credentials for").fill("30")
    page.get_by_role("button", name="Create share link").click()
    links = page.get_by_role("region", name="Your share links")
    row = links.locator("tr[data-state='live']")
    expect(row).to_contain_text("Informed Consent, GCP Essentials")  # in the wallet's order
    url = row.locator("a.share-url").inner_text()
    assert re.fullmatch(rf"{re.escape(site.url)}/share/[A-Za-z0-9_-]+", url)

    stranger = browser.new_context(java_script_enabled=False)
    stranger.set_default_timeout(60_000)
    shown = stranger.new_page()
    shown.goto(url)
    shared = shown.locator("article.shared-credential")
    expect(shared).to_have_count(2)
    expect(shared.nth(0).get_by_role("heading", name="Verified")).to_be_visible()
    expect(shared.nth(1).get_by_role("heading", name="Verified")).to_be_visible()
    expect(shared.nth(0)).to_contain_text("Informed Consent")
    expect(shared.nth(1)).to_contain_text("GCP Essentials")

    page.reload()
    expect(links.locator("tr[data-state='live'] td.views")).to_have_text("1")
    links.get_by_role("button", name="Revoke the link to Informed Consent, GCP Essentials").click()
    expect(links.locator("tr[data-state='revoked']")).to_have_count(1)
    gone = shown.goto(url)
    assert gone is not None and gone.status == 410
    expect(shown.get_by_role("alert")).to_have_text("The holder has revoked this share link.")
    expect(shown.locator("article.shared-credential")).to_have_count(0)
    stranger.close()
