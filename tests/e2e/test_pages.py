"""A person with a browser (JavaScript off): catalog, sign-in, learner record, verification,
and the employer's group check, against a real server seeded by `credstack demo`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoSite
from tests.helpers import form_csrf
from tests.helpers import sign_in as sign_in_by_form

pytestmark = pytest.mark.e2e

BEN_MICROCREDENTIALS = (
    "GCP Essentials",
    "Informed Consent",
    "Adverse Event Reporting",
    "Study Close-Out",
)


def sign_in(page: Page, site: DemoSite, token: str, then: str) -> None:
    page.goto(f"{site.url}{then}")
    expect(page).to_have_url(f"{site.url}/signin?next={then}")
    page.get_by_role("link", name="sign in with the token").click()
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_browse_from_home_to_an_achievement_and_its_stack(page: Page, site: DemoSite) -> None:
    page.goto(site.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stackable credentials you can check")
    page.get_by_role("link", name="Clinical Research Certification Board").click()
    expect(page.get_by_role("heading", name="Certifications")).to_be_visible()
    expect(page.get_by_role("heading", name="Competency frameworks")).to_be_visible()
    expect(page.get_by_text("Good Clinical Practice (ICH E6)")).to_be_visible()

    page.get_by_role("link", name="Certified Clinical Research Professional").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CCRP")
    tree = page.locator("ul.tree")
    expect(tree).to_contain_text("CCRP stack: all of these")
    for name in BEN_MICROCREDENTIALS:
        expect(tree.get_by_role("link", name=f"Hold {name}")).to_be_visible()
    expect(page.get_by_text("3 years from the award date")).to_be_visible()

    tree.get_by_role("link", name="Hold GCP Essentials").click()
    expect(page.locator("ul.tree")).to_contain_text(
        "Pass GCP Essentials, proctored examination — proctored, identity verified, cut score 70%"
    )
    stacks = page.get_by_role("region", name="Stacks into")
    expect(
        stacks.get_by_role("link", name="Certified Clinical Research Professional")
    ).to_be_visible()
    versions = page.get_by_role("table")
    expect(versions).to_contain_text("published")


def test_unknown_issuer_is_a_page_not_json(page: Page, site: DemoSite) -> None:
    response = page.goto(f"{site.url}/issuers/no-such-board")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("unknown issuer 'no-such-board'")


def test_learner_record_needs_sign_in_and_shows_awards_and_progress(
    page: Page, site: DemoSite
) -> None:
    sign_in(page, site, "cst_not-a-real-token", "/learners/ben")
    expect(page.get_by_role("alert")).to_have_text("That API token is unknown or revoked.")

    sign_in(page, site, site.token, "/learners/ben")
    # the registrar's key redirects to the learner's opaque URL
    expect(page).to_have_url(re.compile(rf"^{re.escape(site.url)}/learners/[A-Za-z0-9_-]{{22}}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Brooks")
    held = page.get_by_role("region", name="Credentials held")
    ccrp = held.locator("li.award", has_text="Certified Clinical Research Professional")
    expect(ccrp.locator(".status")).to_have_text("active")
    expect(ccrp).to_contain_text("valid until")
    for label in ("JSON", "Badge PNG", "PDF", "Verify"):
        expect(ccrp.get_by_role("link", name=f"{label} of Certified Clinical")).to_be_visible()

    progress = page.get_by_role("region", name="In progress")
    specialist = progress.locator("article", has_text="CCRP Oncology Specialist")
    expect(specialist.locator(".steps")).to_have_text("1 of 4 requirements")
    expect(specialist.locator(".next")).to_contain_text("Next step:")
    expect(specialist.locator("details")).to_contain_text("not yet earned")

    cookie = next(c for c in page.context.cookies() if c["name"] == "credstack_session")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["value"] != site.token  # a server-side session id, not the API token

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site.url}/learners/ben")
    expect(page).to_have_url(f"{site.url}/signin?next=/learners/ben")
    copied = httpx.get(f"{site.url}/learners/ben", cookies={"credstack_session": cookie["value"]})
    assert copied.status_code == 303  # signing out ended the session on the server too


@pytest.mark.parametrize(
    ("page_path", "action", "fields"),
    [
        ("/login", "/login", {"token": "cst_not-a-token", "next": "/"}),
        ("/verify", "/verify", {"url": "https://example.org/nothing"}),
        ("/employer", "/employer", {"pasted": "{}"}),
    ],
)
def test_every_form_needs_its_csrf_token(
    site: DemoSite, page_path: str, action: str, fields: dict[str, str]
) -> None:
    # A generous read timeout: this is about CSRF, and an accepted /verify starts the server's
    # verification workers, which on a loaded CI machine can outlast httpx's default 5 s.
    with httpx.Client(base_url=site.url, timeout=60) as browser:
        csrf = form_csrf(browser, page_path)
        for forged in ({}, {"csrf": "forged"}):
            refused = browser.post(action, data={**fields, **forged})
            assert refused.status_code == 403, (action, forged)
            assert "did not come from this site" in refused.text
        accepted = browser.post(action, data={**fields, "csrf": csrf})
        assert accepted.status_code != 403 or "unknown or revoked" in accepted.text
    with httpx.Client(base_url=site.url, timeout=60) as other:  # another browser's token is no good
        other.get(page_path)
        assert other.post(action, data={**fields, "csrf": csrf}).status_code == 403


def test_sign_out_needs_the_csrf_token_and_ends_the_session(site: DemoSite) -> None:
    with httpx.Client(base_url=site.url) as browser:
        assert sign_in_by_form(browser, site.token, "/learners/ben").status_code == 303
        by_key = browser.get("/learners/ben")
        assert by_key.status_code == 303  # to the opaque address: no learner key in the history
        record = by_key.headers["location"]
        assert record.startswith("/learners/") and record != "/learners/ben"
        assert browser.get(record).status_code == 200
        refused = browser.post("/logout", data={"csrf": "forged"})
        assert refused.status_code == 403
        assert "did not come from this site" in refused.text
        assert browser.get(record).status_code == 200  # still signed in
        session = browser.cookies["credstack_session"]
        signed_out = browser.post("/logout", data={"csrf": form_csrf(browser, record)})
        assert signed_out.status_code == 303
    replayed = httpx.get(f"{site.url}{record}", cookies={"credstack_session": session})
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/signin?next=")


def _ben_credentials(site: DemoSite) -> dict[str, str]:
    awards = httpx.get(
        f"{site.url}/api/v1/learners/ben/awards",
        headers={"authorization": f"Bearer {site.token}"},
    ).json()
    return {a["name"]: a["id"] for a in awards}


def _download(site: DemoSite, public_id: str, folder: Path, name: str) -> Path:
    response = httpx.get(f"{site.url}/credentials/{public_id}")
    assert response.status_code == 200
    path = folder / name
    path.write_bytes(response.content)
    return path


def test_verify_a_credential_file_by_upload(page: Page, site: DemoSite, tmp_path: Path) -> None:
    ids = _ben_credentials(site)
    path = _download(site, ids["GCP Essentials"], tmp_path, "gcp.json")
    page.goto(f"{site.url}/verify")
    page.get_by_label("Credential file").set_input_files(path)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".headline")).to_have_attribute("data-verified", "true")
    expect(page.get_by_role("heading", name="Verified", exact=True)).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("GCP Essentials")


def test_employer_sees_that_four_microcredentials_make_the_certification(
    page: Page, site: DemoSite, tmp_path: Path
) -> None:
    ids = _ben_credentials(site)
    files = [
        _download(site, ids[name], tmp_path, f"{n}.json")
        for n, name in enumerate(BEN_MICROCREDENTIALS)
    ]
    page.goto(site.url)
    page.get_by_role("link", name="Employer view").click()
    page.get_by_label("Credential files").set_input_files(files)
    page.get_by_role("button", name="Check together").click()
    finding = page.locator("ul.findings li", has_text="Certified Clinical Research Professional")
    expect(finding).to_have_attribute("data-met", "true")
    expect(finding).to_contain_text("satisfy the requirements")
    each = page.get_by_role("region", name="Each credential").locator("li.pass")
    expect(each).to_have_count(4)


def test_learner_record_exports_as_a_signed_clr_that_verifies(site: DemoSite) -> None:
    signed_out = httpx.get(f"{site.url}/learners/ben/clr")
    assert signed_out.status_code == 303
    with httpx.Client(base_url=site.url) as browser:
        sign_in_by_form(browser, site.token)
        response = browser.get("/learners/ben/clr", follow_redirects=True)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["issuer"]["id"].endswith(":issuers:ccrb")  # ccrb issued all of Ben's awards
    wrapped = record["credentialSubject"]["verifiableCredential"]
    ids = _ben_credentials(site)
    assert {c["id"].rsplit("/", 1)[-1] for c in wrapped} == set(ids.values())
    parts = {
        (a["sourceId"].rsplit("/", 1)[-1], a["targetId"].rsplit("/", 1)[-1])
        for a in record["credentialSubject"]["association"]
    }
    ccrp = ids["Certified Clinical Research Professional"]
    assert {(ids[name], ccrp) for name in BEN_MICROCREDENTIALS} <= parts
    verified = httpx.post(f"{site.url}/api/v1/verify", content=response.content)
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True, verified.json()
