"""Binding a DID from the wallet page, and the exchange's refusals, through a real server."""

from __future__ import annotations

import html
import json
import re

import httpx

from credstack.service import clock
from credstack.vc.dataintegrity import sign
from credstack.vc.keys import generate_signing_key
from tests.helpers import Cli, form_csrf
from tests.integration.wallet import test_wallet_pages as pages
from tests.integration.wallet.conftest import Seeded

served = pages.served
"""The wallet pages' real server, seeded with Ben's and Ana's credentials."""


def _field(page: str, element_id: str) -> str:
    found = re.search(rf'<code id="{element_id}">([^<]+)</code>', page)
    assert found, page
    return html.unescape(found.group(1))


def test_a_learner_binds_a_did_from_the_wallet_page(served: tuple[str, Seeded, Cli]) -> None:
    url, s, cli = served
    key = generate_signing_key("did:key")
    with pages._learner(url, cli, s.ben_id) as browser:
        csrf = form_csrf(browser, "/wallet")
        asked = browser.post("/wallet/holder-did/challenge", data={"csrf": csrf})
        assert asked.status_code == 200, asked.text
        challenge, domain = _field(asked.text, "challenge"), _field(asked.text, "domain")
        assert domain == url
        presentation = sign(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "holder": key.controller,
            },
            key,
            created=clock.now(),
            proof_purpose="authentication",
            challenge=challenge,
            domain=domain,
        )
        form = {"csrf": csrf, "challenge": challenge, "domain": domain}
        wrong = dict(presentation, holder="did:web:elsewhere.example")
        refused = browser.post(
            "/wallet/holder-did", data={**form, "presentation": json.dumps(wrong)}
        )
        assert refused.status_code == 422
        assert "holder DID" in html.unescape(refused.text)
        assert challenge in refused.text  # the same challenge, to try again
        garbled = browser.post("/wallet/holder-did", data={**form, "presentation": "{"})
        assert garbled.status_code == 422 and "not JSON" in garbled.text
        bound = browser.post(
            "/wallet/holder-did", data={**form, "presentation": json.dumps(presentation)}
        )
        assert bound.status_code == 303 and bound.headers["location"] == "/wallet#holder"
        assert key.controller in browser.get("/wallet").text
        again = browser.post(
            "/wallet/holder-did", data={**form, "presentation": json.dumps(presentation)}
        )
        assert again.status_code == 422 and "already been used" in again.text

    exchanges = f"{url}/api/v1/exchanges"
    unknown = httpx.post(f"{exchanges}/{'x' * 43}", json={})
    assert unknown.status_code == 422 and "not one this server issued" in unknown.json()["error"]
    garbage = httpx.post(f"{exchanges}/abc", content=b"{not json", timeout=60)
    assert garbage.status_code == 422
    huge = httpx.post(f"{exchanges}/abc", content=b" " * (65 * 1024), timeout=60)
    assert huge.status_code == 413
    # The binding challenge was spent; an exchange would not take a binding one anyway.
    assert httpx.post(f"{exchanges}/{challenge}", json={}).status_code == 410
