"""A learner signs in by e-mail link in a real browser (JavaScript off), against a real
server seeded by `credstack demo` whose background sender delivers to a real SMTP server."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoSite
from tests.integration.mail.conftest import MailServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(mailing_site: DemoSite) -> DemoSite:
    return mailing_site


def _link_for(mail: MailServer, to: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in list(mail.inbox.messages):
            if message["To"] == to and message["Subject"] == "Your sign-in link":
                part = message.get_body(("plain",))
                assert isinstance(part, EmailMessage)
                found = re.search(r"http://\S+/signin/[A-Za-z0-9_-]+", str(part.get_content()))
                assert found
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in link reached {to}")


def test_a_learner_signs_in_by_e_mail_link_and_sees_their_record(
    page: Page, site: DemoSite, mail: MailServer
) -> None:
    page.goto(f"{site.url}/learners/ben")
    expect(page).to_have_url(f"{site.url}/signin?next=/learners/ben")
    page.get_by_label("E-mail address").fill("ben@example.org")
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.get_by_role("status")).to_have_text(
        "If this address belongs to an account, a sign-in link is on its way."
    )

    link = _link_for(mail, "ben@example.org")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert not [c for c in page.context.cookies() if c["name"] == "credstack_session"]
    page.get_by_role("button", name="Sign in", exact=True).click()

    # where the learner was going, their own record, is their wallet
    expect(page).to_have_url(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Brooks")
    expect(page.get_by_text("Signed in as ben")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "credstack_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    page.goto(f"{site.url}/learners/ana")  # nobody else's record: their own wallet instead
    expect(page).to_have_url(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Brooks")

    page.goto(link)  # the link is spent
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    page.goto(f"{site.url}/")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site.url}/learners/ben")
    expect(page).to_have_url(f"{site.url}/signin?next=/learners/ben")


def test_a_link_opened_in_another_browser_signs_nobody_in(
    page: Page, site: DemoSite, mail: MailServer
) -> None:
    page.goto(f"{site.url}/signin")
    page.get_by_label("E-mail address").fill("dana@example.org")
    page.get_by_role("button", name="Send me a sign-in link").click()
    link = _link_for(mail, "dana@example.org")
    page.context.clear_cookies()  # as if opened on another device
    response = page.goto(link)
    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("only in the browser where")
    expect(page.get_by_role("button", name="Send me a new sign-in link")).to_be_visible()
