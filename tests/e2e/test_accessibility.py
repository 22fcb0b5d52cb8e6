"""Every page of the demo site has no serious or critical axe-core violation, and the sign-in
and share-link flows work from the keyboard alone, with a visible focus indicator.

The browser runs JavaScript here only so that axe can; the pages themselves use none.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.axe import axe_source, severe_violations
from tests.e2e.conftest import DemoSite
from tests.integration.mail.conftest import MailServer

pytestmark = pytest.mark.e2e

OB = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
REDIRECT = "https://client.example/callback"


@pytest.fixture(scope="module")
def site(mailing_site: DemoSite) -> DemoSite:
    return mailing_site


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 900})
    made.set_default_timeout(60_000)
    yield made
    made.close()


def _signin_link(mail: MailServer, to: str, seen: int) -> str:
    """The newest sign-in link sent to `to` after the first `seen` messages."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in list(mail.inbox.messages)[seen:]:
            if message["To"] == to and message["Subject"] == "Your sign-in link":
                part = message.get_body(("plain",))
                assert isinstance(part, EmailMessage)
                found = re.search(r"http://\S+/signin/[A-Za-z0-9_-]+", str(part.get_content()))
                assert found
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in link reached {to}")


def _check(page: Page, axe: str, found: dict[str, list[str]], label: str) -> None:
    violations = severe_violations(page, axe)
    if violations:
        found[f"{label} ({page.url})"] = violations


def _share_link(page: Page, site: DemoSite) -> str:
    page.goto(f"{site.url}/wallet")
    held = page.get_by_role("region", name="Your credentials")
    held.get_by_role("checkbox", name="Share GCP Essentials").check()
    held.get_by_role("checkbox", name="Share Informed Consent").check()
    page.get_by_role("button", name="Create share link").click()
    row = page.get_by_role("region", name="Your share links").locator("tr[data-state='live']")
    return row.first.locator("a.share-url").inner_text()


def test_no_serious_or_critical_violations_on_any_page(
    context: BrowserContext, browser: Browser, site: DemoSite, mail: MailServer, axe: str
) -> None:
    found: dict[str, list[str]] = {}
    page = context.new_page()
    ben = re.search(r"^(\S+)\s", site.cli.ok("award", "list", "--learner", "ben"), re.M)
    assert ben is not None
    for label, path in (
        ("home", "/"),
        ("issuer catalog", "/issuers/ccrb"),
        ("achievement", "/issuers/ccrb/achievements/ccrp"),
        ("verify", "/verify"),
        ("verify result", f"/verify?credential={ben.group(1)}"),
        ("employer", "/employer"),
        ("sign-in", "/signin"),
        ("login", "/login"),
        ("error page", "/issuers/no-such-issuer"),
        ("unknown share link", f"/share/{'x' * 32}"),
    ):
        page.goto(f"{site.url}{path}")
        _check(page, axe, found, label)

    page.goto(f"{site.url}/signin")
    page.get_by_label("E-mail address").fill("ben@example.org")
    seen = len(mail.inbox.messages)
    page.get_by_role("button", name="Send me a sign-in link").click()
    _check(page, axe, found, "sign-in link sent")
    link = _signin_link(mail, "ben@example.org", seen)
    page.goto(link)
    _check(page, axe, found, "sign-in button")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{site.url}/wallet")
    _check(page, axe, found, "wallet")
    page.goto(link)
    _check(page, axe, found, "sign-in link already used")

    share = _share_link(page, site)
    page.goto(f"{site.url}/wallet")
    _check(page, axe, found, "wallet with a share link")
    stranger = browser.new_context(viewport={"width": 1280, "height": 900})
    shown = stranger.new_page()
    shown.goto(share)
    _check(shown, axe, found, "share page")
    shown.goto(f"{share}/employer")
    _check(shown, axe, found, "employer bundle view")
    shown.goto(f"{site.url}/employer")
    shown.get_by_label("or paste credentials").fill(
        httpx.get(f"{site.url}/credentials/{ben.group(1)}", timeout=60).text
    )
    shown.get_by_role("button", name="Check together").click()
    _check(shown, axe, found, "employer result")
    stranger.close()

    registered = httpx.post(
        f"{site.url}/oauth/register",
        json={
            "client_name": "Wallet Example",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "scope": OB + "credential.readonly",
        },
        timeout=60,
    )
    assert registered.status_code == 201, registered.text
    query = {
        "response_type": "code",
        "client_id": registered.json()["client_id"],
        "redirect_uri": REDIRECT,
        "scope": OB + "credential.readonly",
        "state": "s1",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    page.goto(f"{site.url}/oauth/authorize?{httpx.QueryParams(query)}")
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    _check(page, axe, found, "consent")

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.goto(f"{site.url}/login?next=/learners/hana")
    desk.get_by_label("API token").fill(site.token)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(re.compile(r".*/learners/.+"))
    _check(desk, axe, found, "learner page")
    desk.goto(f"{site.url}/issuers/ccrb/analytics")
    _check(desk, axe, found, "analytics")
    for label, path in (
        ("console", "/console"),
        ("issuer console", "/console/issuers/ccrb"),
        ("console learners", "/console/issuers/ccrb/learners"),
        ("review queue", "/console/issuers/ccrb/review"),
        ("flagged awards", "/console/issuers/ccrb/flagged"),
        ("imports", "/console/issuers/ccrb/imports"),
    ):
        desk.goto(f"{site.url}{path}")
        expect(desk.locator("main h1")).to_be_visible()
        _check(desk, axe, found, label)
    desk.goto(f"{site.url}/console/issuers/ccrb/learners")
    desk.locator("main a[href*='/console/issuers/ccrb/learners/']").first.click()
    desk.wait_for_url(re.compile(r".*/console/issuers/ccrb/learners/.+"))
    _check(desk, axe, found, "console learner page with its forms")
    staff.close()

    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())


def _tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until `target` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def _focus_visible(page: Page) -> None:
    """The focused control draws an outline: a keyboard user sees where they are."""
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and float(style[1].removesuffix("px")) >= 2, style


def test_sign_in_and_share_from_the_keyboard(
    context: BrowserContext, site: DemoSite, mail: MailServer
) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/signin")
    _tab_to(page, page.get_by_label("E-mail address"))
    _focus_visible(page)
    page.keyboard.type("ana@example.org")
    _tab_to(page, page.get_by_role("button", name="Send me a sign-in link"))
    _focus_visible(page)
    seen = len(mail.inbox.messages)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")

    page.goto(_signin_link(mail, "ana@example.org", seen))
    _tab_to(page, page.get_by_role("button", name="Sign in", exact=True))
    _focus_visible(page)
    page.keyboard.press("Space")
    expect(page.get_by_text("Signed in as ana")).to_be_visible()
    page.goto(f"{site.url}/wallet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Alves")

    box = page.get_by_role("region", name="Your credentials").get_by_role("checkbox").first
    _tab_to(page, box)
    _focus_visible(page)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    _tab_to(page, page.get_by_role("button", name="Create share link"))
    _focus_visible(page)
    page.keyboard.press("Enter")
    links = page.get_by_role("region", name="Your share links")
    expect(links.locator("tr[data-state='live']")).to_have_count(1)
    _tab_to(page, links.locator("tr[data-state='live'] button"))
    _focus_visible(page)
    page.keyboard.press("Enter")
    expect(links.locator("tr[data-state='revoked']")).to_have_count(1)


def test_axe_sees_a_serious_violation(context: BrowserContext, axe: str) -> None:
    """Guards the page check from passing because axe went blind (not injected, not run)."""
    page = context.new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">faint</p></main></body></html>'
    )
    found = severe_violations(page, axe)
    assert any(v.startswith("critical image-alt") for v in found), found
    assert any(v.startswith("serious color-contrast") for v in found), found
