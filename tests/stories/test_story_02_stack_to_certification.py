"""Story 02: a stack of proctored, identity-verified microcredentials awards a certification.

Driven over the REST API of a real server, from examples/clinical-research-board.yaml.
"""

from __future__ import annotations

from datetime import date

from tests.stories.live import Live

STACK = {
    "gcp-essentials": "gcp-exam",
    "informed-consent": "consent-exam",
    "adverse-event-reporting": "ae-exam",
    "study-close-out": "close-out-exam",
}


def test_story_02(live: Live) -> None:
    for who in ("ben", "cara"):
        live.learner(who)

    # 1. Ben passes all four in proctored, ID-verified attempts: ccrp on the fourth pass
    days = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]
    for (micro, exam), day in zip(STACK.items(), days, strict=True):
        score = 8 if exam == "gcp-exam" else 80  # the GCP exam is 10 keyed items
        result = live.sit(
            "ben", "ccrb", exam, score, day, proctoring="in_person", identity="government ID check"
        )
        made = [a["achievement"] for a in result["awarded"]]
        assert made == ([micro, "ccrp"] if day == days[-1] else [micro])
    ccrp = live.holds("ben", "ccrb", "ccrp", days[-1])
    assert ccrp is not None
    assert ccrp["awarded_on"] == "2026-03-23"
    assert ccrp["valid_until"] == "2029-03-22"  # expires 3 years after the award date
    assert ccrp["designation"] == "CCRP"
    assert ccrp["origin"] == "automatic"
    assert len(ccrp["counted"]) == 4

    # 2. Cara passes study-close-out unproctored: recorded, not issued, the reason says why
    cara = live.sit("cara", "ccrb", "close-out-exam", 91, date(2026, 4, 1))
    assert cara["passed"] is True
    assert cara["awarded"] == []
    assert any("proctor" in reason for reason in cara["not_awarded"]["study-close-out"])
    progress = live.progress("cara", "ccrb", "ccrp", date(2026, 4, 2))
    assert progress["progress"]["text"] == "0 of 4 requirements"
    assert progress["counted"] == []

    # 3. Ben's informed-consent is revoked: his ccrp is flagged, and the board decides
    consent = live.holds("ben", "ccrb", "informed-consent", date(2026, 5, 1))
    assert consent is not None
    revoked = live.post(
        f"/api/v1/awards/{consent['id']}/revoke", {"reason": "exam misconduct found later"}
    )
    assert revoked["flagged"] == [ccrp["id"]]
    flagged = live.holds("ben", "ccrb", "ccrp", date(2026, 5, 2))
    assert flagged is not None
    assert "Informed Consent" in flagged["review_flag"]
    assert "was revoked" in flagged["review_flag"]
    progress = live.progress("ben", "ccrb", "ccrp", date(2026, 5, 2))
    assert progress["met"] is False  # no longer shown as fully supported
    assert (
        live.raw(
            "POST", f"/api/v1/awards/{ccrp['id']}/decision", json={"decision": "keep", "reason": ""}
        ).status_code
        == 422
    )
    decided = live.post(
        f"/api/v1/awards/{ccrp['id']}/decision",
        {"decision": "revoke", "reason": "stack no longer complete"},
    )
    assert decided["status"] == "revoked"
    history = next(a for a in live.awards("ben") if a["id"] == ccrp["id"])["history"]
    assert [h["event"] for h in history] == ["issued", "flagged", "revoked"]
    assert history[-1]["reason"] == "stack no longer complete"
    consent_now = next(a for a in live.awards("ben") if a["id"] == consent["id"])
    assert consent_now["status"] == "revoked"
    assert consent_now["status_reason"] == "exam misconduct found later"
