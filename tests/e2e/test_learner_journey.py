"""Issue 12's acceptance flow, end to end, in a real browser (JavaScript off): a registrar
awards a learner a credential through the API; the server's own background sender delivers the
"credential awarded" e-mail to a real SMTP server; its link leads to the sign-in page, whose
one-time link (a second e-mail) signs the learner in to a wallet showing the credential; they
share it, a stranger sees it verified (and as an employer), they revoke the link and the
stranger gets the 410 page. Another learner's wallet, record and downloads stay refused."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DemoSite
from tests.integration.mail.conftest import MailServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(mailing_site: DemoSite) -> DemoSite:
    return mailing_site


LEARNER = "dana@example.org"  # the demo learner who holds nothing yet


def _mail(mail: MailServer, to: str, subject: str) -> str:
    """The plain-text body of the first message to `to` with `subject`, once it arrives."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in list(mail.inbox.messages):
            if message["To"] == to and message["Subject"] == subject:
                part = message.get_body(("plain",))
                assert isinstance(part, EmailMessage)
                return str(part.get_content())
        time.sleep(0.2)
    raise AssertionError(f"no message {subject!r} reached {to}")


def _link(body: str, path: str) -> str:
    found = re.search(rf"http://\S+{path}", body)
    assert found is not None, body
    return found.group(0)


def test_awarded_signed_in_shared_verified_and_revoked(
    page: Page, browser: Browser, site: DemoSite, mail: MailServer
) -> None:
    # A registrar records the award (the demo's admin token, the API).
    made = httpx.post(
        f"{site.url}/api/v1/issuers/ccrb/awards",
        headers={"Authorization": f"Bearer {site.token}"},
        json={"learner": "dana", "achievement": "gcp-essentials"},
        timeout=60,
    )
    assert made.status_code == 201, made.text
    award_id = made.json()["award"]["id"]

    # The server's sender delivers the news; its link is the sign-in page, never a one-time link.
    news = _mail(mail, LEARNER, "You have earned GCP Essentials")
    assert "Clinical Research Certification Board has awarded you GCP Essentials." in news
    page.goto(_link(news, "/signin"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("E-mail address").fill(LEARNER)
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")

    page.goto(_link(_mail(mail, LEARNER, "Your sign-in link"), "/signin/[A-Za-z0-9_-]+"))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Diaz")
    held = page.get_by_role("region", name="Your credentials")
    expect(held.get_by_role("link", name="PDF of GCP Essentials")).to_be_visible()

    held.get_by_role("checkbox", name="Share GCP Essentials").check()
    page.get_by_label("Share the ticked credentials for").fill("7")
    page.get_by_role("button", name="Create share link").click()
    links = page.get_by_role("region", name="Your share links")
    row = links.locator("tr[data-state='live']")
    expect(row).to_contain_text("GCP Essentials")
    url = row.locator("a.share-url").inner_text()

    stranger = browser.new_context(java_script_enabled=False)
    stranger.set_default_timeout(60_000)
    shown = stranger.new_page()
    shown.goto(url)
    shared = shown.locator("article.shared-credential")
    expect(shared).to_have_count(1)
    expect(shared.get_by_role("heading", name="Verified")).to_be_visible()
    expect(shared).to_contain_text("GCP Essentials")
    shown.get_by_role("link", name="Check as an employer").click()
    expect(shown).to_have_url(f"{url}/employer")
    expect(shown.locator("ul.checks li.pass")).to_contain_text("GCP Essentials")

    links.get_by_role("button", name="Revoke the link to GCP Essentials").click()
    expect(links.locator("tr[data-state='revoked']")).to_have_count(1)
    gone = shown.goto(url)
    assert gone is not None and gone.status == 410
    expect(shown.get_by_role("alert")).to_have_text("The holder has revoked this share link.")
    expect(shown.locator("article.shared-credential")).to_have_count(0)
    stranger.close()

    # Nobody else's wallet, record or downloads.
    listed = site.cli.ok("award", "list", "--learner", "ben")
    ben_award = re.search(r"^(\S+)\s", listed, re.MULTILINE)
    assert ben_award is not None and ben_award.group(1) != award_id, listed
    page.goto(f"{site.url}/learners/ben")
    expect(page).to_have_url(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Diaz")
    for name in ("credential.json", "certificate.pdf"):
        refused = page.request.get(f"{site.url}/wallet/credentials/{ben_award.group(1)}/{name}")
        assert refused.status == 404, name
    own = page.request.get(f"{site.url}/wallet/credentials/{award_id}/credential.json")
    assert own.status == 200 and "GCP Essentials" in own.text()
