"""Pages speak to people: durations in words, names not ids, the credential's own dates."""

from __future__ import annotations

import html
import re

import httpx

from tests.e2e.conftest import DemoSite
from tests.helpers import sign_in


def text_of(site: DemoSite, path: str) -> str:
    with httpx.Client(base_url=site.url, follow_redirects=True) as browser:
        sign_in(browser, site.token)
        response = browser.get(path)
    assert response.status_code == 200, response.text
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_validity_is_a_duration_in_words(site: DemoSite) -> None:
    page = text_of(site, "/issuers/wcb/achievements/wound-care-nurse")
    assert "Valid for 5 years from the award date" in page
    assert "P5Y" not in page and "ISO 8601" not in page


def test_credit_sources_are_named_not_ids(site: DemoSite) -> None:
    page = text_of(site, "/issuers/lakeside/achievements/ms-data-science")
    assert "from Harbor College, Lakeside University" in page
    assert "harbor-college" not in page.replace("/issuers/harbor-college", "")
    assert "within 6 years" in page


def test_valid_until_on_the_learner_page_is_the_credentials(site: DemoSite) -> None:
    awards = httpx.get(
        f"{site.url}/api/v1/learners/hana/awards",
        headers={"authorization": f"Bearer {site.token}"},
    ).json()
    wcn = next(a for a in awards if a["name"] == "Wound Care Nurse")
    credential = httpx.get(f"{site.url}/credentials/{wcn['id']}").json()
    until = credential["validUntil"][:10]
    assert until.startswith("2031-01-")
    page = text_of(site, "/learners/hana")
    assert f"valid until {until}" in page
    assert page.count("valid until") == 1  # her other awards do not expire
