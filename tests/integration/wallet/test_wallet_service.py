"""The wallet and share links as use cases, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from credstack.errors import Conflict, Forbidden, InvalidInput, NotFound
from credstack.service import clock
from credstack.service.actor import ANONYMOUS
from credstack.service.credentials import CredentialForm, holder_credential_file, share_credential
from credstack.service.learners import erase_learner
from credstack.service.runtime import Runtime
from credstack.service.share_links import create_share_link, revoke_share_link
from credstack.service.share_page import shared_page
from credstack.service.sharing import ShareLinks
from credstack.service.verification import verifier_for
from credstack.service.wallet import wallet
from credstack.store.models import AwardEventRow, ShareLinkRow
from tests.integration.wallet.conftest import seed
from tests.stories.driver import BASE


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_the_wallet_shows_the_learners_own_record_and_nobody_elses(runtime: Runtime) -> None:
    s = seed(runtime)
    mine = wallet(runtime, s.ben)
    assert mine.name == "Benedikt Brandt"
    assert {a.id for a in mine.awards} == {s.gcp, s.consent, s.ccrp}
    assert s.ana_gcp not in {a.id for a in mine.awards}
    held = next(a for a in mine.awards if a.id == s.ccrp)
    assert held.state == "active" and held.signed and held.issuer.name
    assert held.valid_until is not None and held.valid_until > held.awarded_on
    assert dict(held.links) == {
        "JSON": f"/wallet/credentials/{s.ccrp}/credential.json",
        "VC-JWT": f"/wallet/credentials/{s.ccrp}/credential.jwt",
        "Badge PNG": f"/wallet/credentials/{s.ccrp}/badge.png",
        "Badge SVG": f"/wallet/credentials/{s.ccrp}/badge.svg",
        "PDF": f"/wallet/credentials/{s.ccrp}/certificate.pdf",
        "Verify": f"/verify?credential={s.ccrp}",
    }
    # CE: the CCRP's first three-year cycle, counted in days from today.
    (cycle,) = mine.ce
    assert cycle.credential == "Certified Clinical Research Professional"
    assert cycle.cycle_start == s.ccrp_on and not cycle.compliant
    assert cycle.days_left == (cycle.cycle_end - clock.utc_today()).days
    assert cycle.required == "30" and cycle.hours == "0"
    # Progress: holding the CCRP starts the oncology specialist path; the next step is named.
    oncology = next(p for p in mine.progress if p.key == "ccrp-oncology-specialist")
    assert oncology.next and oncology.why_not and 0 < oncology.percent < 100
    ana = wallet(runtime, s.ana)
    assert [a.id for a in ana.awards] == [s.ana_gcp]
    assert ana.ce == ()
    for outsider in (s.admin, ANONYMOUS):
        with pytest.raises(Forbidden):
            wallet(runtime, outsider)


def test_a_learner_downloads_only_their_own_credentials(runtime: Runtime) -> None:
    s = seed(runtime)
    for form in CredentialForm:
        own = holder_credential_file(runtime, s.ben, s.gcp, form)
        assert own.data
    pdf = holder_credential_file(runtime, s.ben, s.gcp, CredentialForm.PDF)
    assert pdf.media_type == "application/pdf" and pdf.data.startswith(b"%PDF")
    for who, theirs in ((s.ben, s.ana_gcp), (s.ana, s.gcp), (s.admin, s.gcp), (ANONYMOUS, s.gcp)):
        with pytest.raises(NotFound):
            holder_credential_file(runtime, who, theirs, CredentialForm.JSON)


def test_share_a_bundle_count_views_and_revoke(runtime: Runtime) -> None:
    s = seed(runtime)
    link = create_share_link(runtime, s.ben, [s.gcp, s.ccrp], valid_days=30)
    assert link.state == "live" and link.views == 0
    assert link.credentials == ("GCP Essentials", "Certified Clinical Research Professional")
    assert link.url.startswith(f"{BASE}/share/")
    page = shared_page(runtime, _token(link.url))
    assert page is not None and page.state == "live"
    assert [c.id for c in page.credentials] == [s.gcp, s.ccrp]
    assert shared_page(runtime, _token(link.url)) is not None
    (listed,) = wallet(runtime, s.ben).shares
    assert listed.id == link.id and listed.views == 2 and listed.last_viewed_at is not None
    assert listed.expires_on is not None
    assert wallet(runtime, s.ana).shares == ()
    with pytest.raises(NotFound):
        revoke_share_link(runtime, s.ana, link.id)
    revoked = revoke_share_link(runtime, s.ben, link.id)
    assert revoked.state == "revoked"
    with pytest.raises(Conflict):
        revoke_share_link(runtime, s.ben, link.id)
    gone = shared_page(runtime, _token(link.url))
    assert gone is not None and gone.state == "revoked" and gone.credentials == ()
    assert wallet(runtime, s.ben).shares[0].views == 2  # a revoked link counts no more views
    assert shared_page(runtime, "x" * 32) is None


def test_a_link_ends_on_its_expiry_day(runtime: Runtime) -> None:
    s = seed(runtime)
    link = create_share_link(runtime, s.ben, [s.gcp], valid_days=1)
    with runtime.uow() as uow:
        row = uow.session.scalars(
            select(ShareLinkRow).where(ShareLinkRow.public_id == link.id)
        ).one()
        row.expires_on = clock.utc_today() - timedelta(days=2)
        uow.commit()
    page = shared_page(runtime, _token(link.url))
    assert page is not None and page.state == "expired"
    assert wallet(runtime, s.ben).shares[0].state == "expired"


def test_what_a_link_may_hold_is_bounded(runtime: Runtime) -> None:
    s = seed(runtime)
    for days in (0, -1, 3651):
        with pytest.raises(InvalidInput, match="1 to 3650 days"):
            create_share_link(runtime, s.ben, [s.gcp], valid_days=days)
    with pytest.raises(InvalidInput, match="at least one"):
        create_share_link(runtime, s.ben, [], valid_days=7)
    with pytest.raises(InvalidInput, match="twice"):
        create_share_link(runtime, s.ben, [s.gcp, s.gcp], valid_days=7)
    with pytest.raises(InvalidInput, match="at most 20"):
        create_share_link(runtime, s.ben, [s.gcp] * 21, valid_days=7)
    with pytest.raises(NotFound):  # someone else's credential is not theirs to share
        create_share_link(runtime, s.ben, [s.gcp, s.ana_gcp], valid_days=7)
    with pytest.raises(NotFound):
        create_share_link(runtime, s.ben, ["no-such-credential"], valid_days=7)
    with pytest.raises(Forbidden):
        create_share_link(runtime, ANONYMOUS, [s.gcp], valid_days=7)


def test_staff_links_are_records_the_learner_sees_and_a_verifier_follows(
    runtime: Runtime,
) -> None:
    s = seed(runtime)
    made = share_credential(runtime, s.admin, s.gcp, valid_days=10)
    assert made.expires_on is not None
    (listed,) = wallet(runtime, s.ben).shares
    assert listed.url == made.url and listed.credentials == ("GCP Essentials",)
    bundle = create_share_link(runtime, s.ben, [s.gcp, s.consent], valid_days=10)
    with runtime.uow(write=False) as uow:
        events = uow.session.scalars(
            select(AwardEventRow).where(AwardEventRow.kind == "shared")
        ).all()
        assert len(events) == 3  # one per credential per link, for the issuer to see
        verifier = verifier_for(runtime, uow, now=clock.now())
        assert verifier.verify_url(made.url).verified
        with pytest.raises(InvalidInput):  # a bundle is not one credential to verify
            verifier.verify_url(bundle.url)
    revoke_share_link(runtime, s.ben, listed.id)  # the learner ends a link staff made for them
    with runtime.uow(write=False) as uow:
        verifier = verifier_for(runtime, uow, now=clock.now())
        with pytest.raises(InvalidInput):
            verifier.verify_url(made.url)


def test_erasing_the_learner_ends_their_share_links(runtime: Runtime) -> None:
    s = seed(runtime)
    link = create_share_link(runtime, s.ben, [s.gcp], valid_days=30)
    with runtime.uow() as uow:
        ben = uow.learners.by_key("ben")
        assert ben is not None
        erase_learner(
            uow, ben, reason="asked to be forgotten", actor="operator", keys=runtime.keys(uow)
        )
        uow.commit()
    page = shared_page(runtime, _token(link.url))
    assert page is not None and page.state == "revoked" and page.credentials == ()


def test_the_page_of_an_older_hmac_link_still_shows_its_credential(runtime: Runtime) -> None:
    s = seed(runtime)
    with runtime.uow(write=False) as uow:
        award = uow.awards.by_public_id(s.gcp)
        assert award is not None
        old = ShareLinks(runtime.master).token(award)
    page = shared_page(runtime, old)
    assert page is not None and page.state == "live" and page.credentials[0].id == s.gcp
    assert shared_page(runtime, old[:-2] + ("AA" if old[-2:] != "AA" else "BB")) is None


def test_the_linkedin_link_carries_the_certification_fields(runtime: Runtime) -> None:
    s = seed(runtime)
    link = create_share_link(runtime, s.ben, [s.ccrp], valid_days=30)
    page = shared_page(runtime, _token(link.url))
    assert page is not None
    (shown,) = page.credentials
    url = urlsplit(shown.linkedin_url)
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    fields = {k: v[0] for k, v in parse_qs(url.query, strict_parsing=True).items()}
    assert shown.valid_until is not None
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Certified Clinical Research Professional",
        "organizationName": shown.issuer,
        "issueYear": str(s.ccrp_on.year),
        "issueMonth": str(s.ccrp_on.month),
        "expirationYear": str(shown.valid_until.year),
        "expirationMonth": str(shown.valid_until.month),
        "certUrl": link.url,
        "certId": s.ccrp,
    }
    assert shown.image_url == f"{BASE}/credentials/{s.ccrp}/badge.png"
