"""Story 02, a misconduct inquiry: the board suspends a credential over the REST API of a real
server while it investigates, verifiers are told it is not valid, and it is reinstated.

Driven from examples/clinical-research-board.yaml, like story 02.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.stories.live import Live

STACK = ("gcp-exam", "consent-exam", "ae-exam", "close-out-exam")
DAYS = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]


def _verify(live: Live, document: str) -> dict[str, Any]:
    answer = httpx.post(f"{live.url}/api/v1/verify", content=document.encode(), timeout=60)
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


def _suspension(report: dict[str, Any]) -> tuple[bool, str]:
    [check] = [c for c in report["checks"] if c["name"] == "suspension"]
    return check["passed"], check["message"]


def _status(live: Live, path: str, reason: Any, token: str | None = None) -> httpx.Response:
    """A suspension or reinstatement POSTed as the stories' staff, or with `token`."""
    headers = {"authorization": f"Bearer {token or live.token}"}
    body = {} if reason is None else {"reason": reason}
    return httpx.post(f"{live.url}{path}", json=body, headers=headers, timeout=60)


def test_suspend_and_reinstate_over_the_api(live: Live) -> None:
    live.learner("ben")
    for exam, day in zip(STACK, DAYS, strict=True):
        score = 8 if exam == "gcp-exam" else 80  # the GCP exam is 10 keyed items
        live.sit("ben", "ccrb", exam, score, day, proctoring="in_person", identity="ID check")
    ccrp = live.holds("ben", "ccrb", "ccrp", DAYS[3])
    consent = live.holds("ben", "ccrb", "informed-consent", DAYS[3])
    assert ccrp is not None and consent is not None
    document = live.cli.ok("credential", "show", consent["id"])
    assert _verify(live, document)["verified"] is True  # the server's caches are warm

    # Someone without the admin role is refused, and nothing changes.
    live.cli.ok("user", "add", "mo@ccrb.example", "--name", "Mo Registrar")
    live.cli.ok("user", "grant", "mo@ccrb.example", "--issuer", "ccrb", "--role", "registrar")
    registrar = live.cli.ok("user", "token", "mo@ccrb.example").strip()
    suspend = f"/api/v1/awards/{consent['id']}/suspend"
    reinstate = f"/api/v1/awards/{consent['id']}/reinstate"
    refused = _status(live, suspend, "under inquiry", token=registrar)
    assert refused.status_code == 403 and "admin" in refused.json()["error"]
    assert _status(live, "/api/v1/awards/no-such-award/suspend", "x").status_code == 404
    assert _status(live, suspend, "  ").status_code == 422
    assert _status(live, suspend, None).status_code == 422
    early = _status(live, reinstate, "nothing to lift")
    assert early.status_code == 409
    assert early.json()["error"] == "only a suspended award can be reinstated; this one is active"

    suspended = live.post(suspend, {"reason": "proctoring under inquiry"})
    assert suspended == {"suspended": consent["id"], "flagged": [ccrp["id"]]}
    again = _status(live, suspend, "again")
    assert again.status_code == 409 and "this one is suspended" in again.json()["error"]
    report = _verify(live, document)
    assert report["verified"] is False
    passed, message = _suspension(report)
    assert not passed and message.startswith("The credential was suspended on "), message
    now = next(a for a in live.awards("ben") if a["id"] == consent["id"])
    assert (now["status"], now["status_reason"]) == ("suspended", "proctoring under inquiry")

    reinstated = live.post(reinstate, {"reason": "the inquiry cleared the proctor"})
    assert reinstated == {"reinstated": consent["id"], "cleared": [ccrp["id"]]}
    report = _verify(live, document)
    assert report["verified"] is True, report["checks"]
    assert _suspension(report) == (True, "The issuer has not suspended the credential.")
    history = next(a for a in live.awards("ben") if a["id"] == consent["id"])["history"]
    assert [h["event"] for h in history] == ["issued", "suspended", "reinstated"]
    whole = next(a for a in live.awards("ben") if a["id"] == ccrp["id"])
    assert whole["review_flag"] is None

    # A revocation is final: it is never reinstated, nor suspended.
    live.post(f"/api/v1/awards/{consent['id']}/revoke", {"reason": "misconduct confirmed"})
    for path in (reinstate, suspend):
        final = _status(live, path, "changed our mind")
        assert final.status_code == 409 and "this one is revoked" in final.json()["error"]

    spec = httpx.get(f"{live.url}/openapi.json", timeout=60).json()
    for change in ("suspend", "reinstate"):
        operation = spec["paths"][f"/api/v1/awards/{{award_id}}/{change}"]["post"]
        assert operation["security"], operation  # a token is needed, as for /revoke
