"""A registrar works in the console in a real browser (JavaScript off), against a real server
seeded by `credstack demo`: signs in, finds a learner, records a result that leads to an award,
and revokes the award with a reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoSite

pytestmark = pytest.mark.e2e

REGISTRAR = "registrar@northwind.example"


def _registrar_token(site: DemoSite) -> str:
    """Northwind's registrar, who is also its admin: only an admin may revoke."""
    site.cli.ok("user", "add", REGISTRAR, "--name", "Rita Registrar")
    for role in ("registrar", "admin"):
        site.cli.ok("user", "grant", REGISTRAR, "--issuer", "northwind", "--role", role)
    found = re.search(r"(cst_\S+)", site.cli.ok("user", "token", REGISTRAR))
    assert found is not None
    return found.group(1)


def test_a_registrar_records_a_result_that_awards_suspends_reinstates_and_revokes_it(
    site: DemoSite, page: Page
) -> None:
    token = _registrar_token(site)
    page.goto(f"{site.url}/console")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fconsole$"))
    page.goto(f"{site.url}/login?next=/console")
    page.fill("#token", token)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(f"{site.url}/console")
    expect(page.locator("main")).to_contain_text("you are administrator, registrar")

    page.click("main >> text=Northwind Data Academy")
    page.click("main h2 >> text=Learners")
    page.fill("#q", "ana@example.org")
    page.click("button:has-text('Search')")
    page.click("table.learners >> text=Ana Alves")
    expect(page.locator("h1")).to_have_text("Ana Alves")

    page.select_option("#assessment", label="Descriptive Statistics, online assessment")
    page.fill("#score", "75")
    page.click("button:has-text('Record result')")
    expect(page.locator(".flash")).to_contain_text("Result recorded: passed with 75%")
    award = page.locator("li.award", has_text="Descriptive Statistics")
    expect(award.locator(".status")).to_have_text("active")

    award.locator("summary", has_text="Suspend").click()
    award.locator("form[action$='/suspend'] textarea").fill("under investigation")
    award.locator("button:has-text('Suspend')").click()
    expect(page.locator(".flash")).to_contain_text("Award suspended until it is reinstated.")
    award = page.locator("li.award", has_text="Descriptive Statistics")
    expect(award.locator(".status")).to_have_text("suspended")
    expect(award.locator("summary", has_text="Suspend")).to_have_count(0)

    award.locator("summary", has_text="Reinstate").click()
    award.locator("form[action$='/reinstate'] textarea").fill("cleared")
    award.locator("button:has-text('Reinstate')").click()
    expect(page.locator(".flash")).to_contain_text("Award reinstated.")
    award = page.locator("li.award", has_text="Descriptive Statistics")
    expect(award.locator(".status")).to_have_text("active")

    award.locator("summary", has_text="Revoke").click()
    award.locator("form[action$='/revoke'] textarea").fill("exam sat by proxy")
    award.locator("button:has-text('Revoke')").click()
    expect(page.locator(".flash")).to_contain_text("Award revoked.")
    revoked = page.locator("li.award", has_text="Descriptive Statistics")
    expect(revoked.locator(".status")).to_have_text("revoked")
    expect(revoked.locator(".reason")).to_have_text("exam sat by proxy")
