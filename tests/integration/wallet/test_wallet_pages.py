"""The wallet and the share page through a real server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from credstack.config import Settings
from credstack.http.session import COOKIE_NAME
from credstack.service.learners import set_profile
from credstack.service.runtime import open_runtime
from credstack.service.sessions import SessionPolicy, open_learner_session
from credstack.store.models import LearnerRow
from tests.helpers import Cli, form_csrf, free_port, running_server, sign_in
from tests.integration.wallet.conftest import Seeded, seed
from tests.stories.driver import Story

POLICY = SessionPolicy(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


class _Tags(HTMLParser):
    """The page's <meta> tags and the links whose class names them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.linkedin: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and "content" in found:
            self.meta[found.get("property") or found.get("name", "")] = found["content"]
        if tag == "a" and found.get("class") == "linkedin":
            self.linkedin.append(found["href"])


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[str, Seeded, Cli]]:
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        seeded = seed(runtime)
    finally:
        runtime.close()
    with running_server(cli, "serve", port=port) as url:
        yield url, seeded, cli


def _learner(url: str, cli: Cli, public_id: str) -> httpx.Client:
    """A browser signed in as the learner (as the e-mail sign-in link would leave it)."""
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            learner = uow.session.query(LearnerRow).filter_by(public_id=public_id).one()
            session_id = open_learner_session(uow, learner, POLICY)
            uow.commit()
    finally:
        runtime.close()
    client = httpx.Client(base_url=url, timeout=60)
    client.cookies.set(COOKIE_NAME, session_id)
    return client


def test_the_wallet_is_the_signed_in_learners_own(served: tuple[str, Seeded, Cli]) -> None:
    url, s, cli = served
    signed_out = httpx.get(f"{url}/wallet")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/signin?next=/wallet"
    assert httpx.get(f"{url}/wallet/credentials/{s.gcp}/badge.png").status_code == 303
    staff = httpx.Client(base_url=url, timeout=60)
    assert sign_in(staff, s.admin_token).status_code == 303
    refused = staff.get("/wallet")
    assert refused.status_code == 403 and "learner page" in refused.text
    assert staff.get(f"/learners/{s.ben_id}").status_code == 200  # staff keep their page
    staff.close()

    ben = _learner(url, cli, s.ben_id)
    page = ben.get("/wallet")
    assert page.status_code == 200, page.text
    for shown in ("Benedikt Brandt", "GCP Essentials", "Certified Clinical Research Professional"):
        assert shown in page.text
    assert "days left" in page.text and "CCRP Oncology Specialist" in page.text
    assert "Why not yet" in page.text and "Next step:" in page.text
    assert f"/wallet/credentials/{s.ccrp}/badge.svg" in page.text
    assert f'src="/credentials/{s.ccrp}/badge.png"' in page.text
    assert s.ana_gcp not in page.text and "Ana Lima" not in page.text
    for name, media in (
        ("credential.json", "application/ld+json"),
        ("credential.jwt", "application/vc+jwt"),
        ("badge.png", "image/png"),
        ("badge.svg", "image/svg+xml"),
        ("certificate.pdf", "application/pdf"),
    ):
        got = ben.get(f"/wallet/credentials/{s.gcp}/{name}")
        assert got.status_code == 200, name
        assert got.headers["content-type"].startswith(media)
        assert got.headers["content-disposition"] == f'attachment; filename="{s.gcp}-{name}"'
        assert ben.get(f"/wallet/credentials/{s.ana_gcp}/{name}").status_code == 404
    assert ben.get(f"/wallet/credentials/{s.gcp}/secrets.txt").status_code == 404
    clr = ben.get(f"/learners/{s.ben_id}/clr")
    assert clr.status_code == 200 and "ClrCredential" in clr.text
    assert ben.get(f"/learners/{s.ana_id}/clr").status_code == 404
    assert ben.get(f"/learners/{s.ana_id}").status_code == 303  # to their own wallet
    # The public credential URLs are as they were for everyone.
    assert httpx.get(f"{url}/credentials/{s.ana_gcp}/badge.png").status_code == 200
    ben.close()


def test_share_view_and_revoke_through_the_pages(served: tuple[str, Seeded, Cli]) -> None:
    url, s, cli = served
    ben = _learner(url, cli, s.ben_id)
    forged = ben.post("/wallet/share-links", data={"credential": [s.gcp], "days": "7"})
    assert forged.status_code == 403
    csrf = form_csrf(ben, "/wallet")
    too_long = ben.post(
        "/wallet/share-links", data={"credential": [s.gcp], "days": "5000", "csrf": csrf}
    )
    assert too_long.status_code == 422 and "1 to 3650 days" in too_long.text
    theirs = ben.post(
        "/wallet/share-links", data={"credential": [s.ana_gcp], "days": "7", "csrf": csrf}
    )
    assert theirs.status_code == 404
    made = ben.post(
        "/wallet/share-links",
        data={"credential": [s.gcp, s.ccrp], "days": "30", "csrf": csrf},
    )
    assert made.status_code == 303 and made.headers["location"] == "/wallet#shares"
    listed = ben.get("/wallet").text
    share_url = listed.split('class="share-url">', 1)[1].split("<", 1)[0]
    assert share_url.startswith(f"{url}/share/")

    shown = httpx.get(share_url, timeout=60)
    assert shown.status_code == 200
    assert shown.text.count('data-verified="true"') == 2
    tags = _tags(shown.text)
    assert tags.meta["og:title"] == "2 credentials"
    assert "GCP Essentials" in tags.meta["og:description"]
    assert tags.meta["og:image"] == f"{url}/credentials/{s.gcp}/badge.png"
    assert tags.meta["og:url"] == share_url
    assert tags.meta["twitter:card"] == "summary"
    assert tags.meta["twitter:image"] == tags.meta["og:image"]
    assert len(tags.linkedin) == 2
    fields = parse_qs(urlsplit(tags.linkedin[1]).query)
    assert fields["startTask"] == ["CERTIFICATION_NAME"]
    assert fields["name"] == ["Certified Clinical Research Professional"]
    assert fields["certId"] == [s.ccrp] and fields["certUrl"] == [share_url]
    assert fields["issueYear"] == [str(s.ccrp_on.year)]
    assert fields["issueMonth"] == [str(s.ccrp_on.month)]
    assert "expirationYear" in fields and "organizationName" in fields

    wallet = ben.get("/wallet").text
    assert '<td class="views">1</td>' in wallet
    link_id = wallet.split('data-share="', 1)[1].split('"', 1)[0]
    other = _learner(url, cli, s.ana_id)
    other_csrf = form_csrf(other, "/wallet")
    stolen = other.post(f"/wallet/share-links/{link_id}/revoke", data={"csrf": other_csrf})
    assert stolen.status_code == 404
    assert httpx.get(share_url, timeout=60).status_code == 200
    revoked = ben.post(f"/wallet/share-links/{link_id}/revoke", data={"csrf": csrf})
    assert revoked.status_code == 303
    gone = httpx.get(share_url, timeout=60)
    assert gone.status_code == 410 and "revoked" in gone.text
    assert "og:image" not in _tags(gone.text).meta
    assert 'data-state="revoked"' in ben.get("/wallet").text
    assert httpx.get(f"{url}/share/{'x' * 32}").status_code == 404
    ben.close()
    other.close()


CCRP_PARTS = ("gcp-essentials", "informed-consent", "adverse-event-reporting", "study-close-out")


def _share(client: httpx.Client, *credentials: str) -> str:
    """A share link the learner makes in their wallet: its URL, as the wallet lists it."""
    csrf = form_csrf(client, "/wallet")
    made = client.post(
        "/wallet/share-links", data={"credential": list(credentials), "days": "30", "csrf": csrf}
    )
    assert made.status_code == 303, made.text
    return client.get("/wallet").text.split('class="share-url">', 1)[1].split("<", 1)[0]


def test_a_bundle_link_opens_the_employer_view_filled_in(
    served: tuple[str, Seeded, Cli],
) -> None:
    url, s, cli = served
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:  # Cleo earns the CCRP's four microcredentials (the engine then awards the CCRP)
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            cleo = story.learner("cleo")
            set_profile(uow, cleo, name="Cleo Park", email="cleo@example.org")
            four = [story.award("cleo", "ccrb", key, s.ccrp_on).public_id for key in CCRP_PARTS]
            cleo_id = cleo.public_id
            uow.commit()
    finally:
        runtime.close()
    cleo_wallet = _learner(url, cli, cleo_id)
    share_url = _share(cleo_wallet, *four)

    shown = httpx.get(share_url, timeout=60).text
    assert f'href="{share_url}/employer">Check as an employer</a>' in shown
    checked = httpx.get(f"{share_url}/employer", timeout=60)
    assert checked.status_code == 200, checked.text
    page = checked.text
    assert f'<a href="{share_url}">{share_url}</a>' in page
    assert page.count('<span class="mark">Pass</span>') == 4
    assert 'class="fail"' not in page
    for name in ("GCP Essentials", "Informed Consent", "Adverse Event Reporting"):
        assert f"<strong>{name}</strong>: " in page
    met = page.split('data-met="true"', 1)[1].split("</li>", 1)[0]
    assert "Certified Clinical Research Professional" in met and "(4 of 4 requirements)" in met
    assert 'data-holder="mismatch"' not in page
    # the check reads the credentials; it is not a view of the link the learner counts
    assert '<td class="views">1</td>' in cleo_wallet.get("/wallet").text

    only_two = _share(cleo_wallet, *four[:2])
    partly = httpx.get(f"{only_two}/employer", timeout=60).text
    assert 'data-met="false"' in partly and "still missing" in partly
    assert "(2 of 4 requirements)" in partly.split('data-met="false"', 1)[1]

    link_id = cleo_wallet.get("/wallet").text.split('data-share="', 1)[1].split('"', 1)[0]
    revoked = cleo_wallet.post(
        f"/wallet/share-links/{link_id}/revoke", data={"csrf": form_csrf(cleo_wallet, "/wallet")}
    )
    assert revoked.status_code == 303
    gone = [httpx.get(f"{u}/employer", timeout=60) for u in (share_url, only_two)]
    assert sorted(g.status_code for g in gone) == [200, 410]
    ended = next(g for g in gone if g.status_code == 410)
    assert "The holder has revoked this share link." in ended.text and "Pass" not in ended.text
    unknown = httpx.get(f"{url}/share/{'x' * 32}/employer", timeout=60)
    assert unknown.status_code == 404 and "not valid" in unknown.text
    cleo_wallet.close()


def test_the_employer_page_does_not_combine_two_holders(
    served: tuple[str, Seeded, Cli],
) -> None:
    url, s, _ = served
    employer = httpx.Client(base_url=url, timeout=60)
    documents = [employer.get(f"/credentials/{c}").text for c in (s.consent, s.ana_gcp)]
    answer = employer.post(
        "/employer",
        data={"pasted": "\n\n".join(documents), "csrf": form_csrf(employer, "/employer")},
    )
    assert answer.status_code == 200, answer.text
    assert answer.text.count('<span class="mark">Pass</span>') == 2
    assert 'data-holder="mismatch"' in answer.text
    assert "not shown to belong to one person" in answer.text
    assert "data-met=" not in answer.text  # nothing combined, so no stack satisfied or partly
    employer.close()
