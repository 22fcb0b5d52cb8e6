"""The flagged awards page: why each award was flagged, and an admin's decision on it."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.helpers import running_server
from tests.integration.console.console_helpers import (
    alert,
    batch,
    browser,
    csrf_of,
    installation,
    staff,
    tokens,
)

FLAGGED = "/console/issuers/ccrb/flagged"


def _ids(listing: str) -> list[str]:
    return [line.split("\t")[0] for line in listing.splitlines() if "\t" in line]


def test_an_admin_keeps_a_flagged_award(tmp_path: Path, database_url: str) -> None:
    cli, port, outputs = installation(
        tmp_path,
        database_url,
        ("demo", "--no-serve"),
        ("award", "list", "--achievement", "ccrb:gcp-essentials"),
        ("award", "list", "--achievement", "ccrb:ccrp"),
        *staff("ccrb", office="admin", reg="registrar", mo="mentor"),
    )
    gcp, ccrp = _ids(outputs[1])[0], _ids(outputs[2])[0]
    batch(cli, ("award", "revoke", gcp, "--reason", "exam sat by proxy"))
    people = tokens(outputs, "office", "reg", "mo")
    with running_server(cli, "serve", port=port) as url:
        signed_out = httpx.get(f"{url}{FLAGGED}")
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == "/signin?next=/console/issuers/ccrb/flagged"
        with (
            browser(url, people["office"], FLAGGED) as office,
            browser(url, people["reg"], FLAGGED) as reg,
            browser(url, people["mo"], "/") as mo,
        ):
            refused = mo.get(FLAGGED)
            assert refused.status_code == 403
            assert "may not read the flagged awards" in alert(refused)

            page = reg.get(FLAGGED)
            assert page.status_code == 200
            assert f'data-award="{ccrp}"' in page.text
            assert "<h2>Certified Clinical Research Professional" in page.text
            assert "Why it was flagged:</strong> GCP Essentials was revoked on " in page.text
            assert gcp not in page.text  # named, not by its id
            assert "An admin of the issuer decides." in page.text
            assert 'name="decision"' not in page.text

            decision = {"award": ccrp, "decision": "keep", "reason": "re-sat under proctoring"}
            not_hers = reg.post(FLAGGED, data=decision | {"csrf": csrf_of(reg, FLAGGED)})
            assert not_hers.status_code == 403
            assert "may not decide on flagged awards" in alert(not_hers)
            forged = office.post(FLAGGED, data=decision)
            assert forged.status_code == 403
            assert f'data-award="{ccrp}"' in office.get(FLAGGED).text
            no_reason = decision | {"reason": " ", "csrf": csrf_of(office, FLAGGED)}
            assert (
                alert(office.post(FLAGGED, data=no_reason)) == "a decision needs a recorded reason"
            )

            page = office.get(FLAGGED)
            assert 'name="decision" value="revoke"' in page.text
            name = "Certified Clinical Research Professional of a learner"
            kept = office.post(
                FLAGGED, data=decision | {"csrf": csrf_of(office, FLAGGED), "name": name}
            )
            assert kept.status_code == 303
            after = office.get(kept.headers["location"])
            assert f"{name} kept." in after.text
            assert "No award is waiting for a decision." in after.text
    history = cli.ok("award", "history", ccrp)
    assert "kept" in history and "re-sat under proctoring" in history
