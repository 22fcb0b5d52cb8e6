"""Story 04: microcredentials with formal training on top of a base certification.

Driven over the REST API of a real server, from examples/clinical-research-board.yaml.
"""

from __future__ import annotations

from datetime import date

from tests.stories.live import Live

MICROS = {
    "oncology-trial-design": ("onc-design-training", "oncology-design-exam"),
    "oncology-safety": ("onc-safety-training", "oncology-safety-exam"),
    "oncology-regulatory": ("onc-regulatory-training", "oncology-regulatory-exam"),
}


def test_story_04(live: Live) -> None:
    for who in ("fay", "gus"):
        live.learner(who)

    # 1. Fay, without ccrp, completes the training and passes oncology-safety: she earns the
    #    microcredential, but her progress says the base certification is missing
    live.complete_course("fay", "ccrb", "ccrb-academy", 8, date(2026, 2, 1), "onc-safety-training")
    passed = live.sit("fay", "ccrb", "oncology-safety-exam", 80, date(2026, 2, 10))
    assert [a["achievement"] for a in passed["awarded"]] == ["oncology-safety"]
    progress = live.progress("fay", "ccrb", "ccrp-oncology-specialist", date(2026, 2, 11))
    assert progress["met"] is False
    assert any("Base certification CCRP" in r and "missing" in r for r in live.why_not(progress))

    # 2. Gus holds ccrp and passes oncology-trial-design without recorded training: not issued,
    #    and the reason names the missing training
    live.award("gus", "ccrb", "ccrp", date(2025, 1, 10))
    result = live.sit("gus", "ccrb", "oncology-design-exam", 85, date(2026, 3, 1))
    assert result["passed"] is True
    assert result["awarded"] == []
    assert any("training" in r.lower() for r in result["not_awarded"]["oncology-trial-design"])

    # 3. Training and assessments for all three: the specialist designation is awarded
    day = date(2026, 3, 5)
    for micro, (course, exam) in MICROS.items():
        live.complete_course("gus", "ccrb", "oncology-institute", 8, day, course)
        if micro != "oncology-trial-design":  # its exam was passed already (step 2)
            live.sit("gus", "ccrb", exam, 90, day)
    specialist = live.holds("gus", "ccrb", "ccrp-oncology-specialist", day)
    assert specialist is not None
    assert specialist["designation"] == "CCRP-OS"

    #    His ccrp lapses at the end of its cycle (no CE): the designation is shown as
    #    dependent on a lapsed prerequisite
    closed = live.post("/api/v1/issuers/ccrb/ce/close", as_of="2028-01-10")
    assert [c["renewed"] for c in closed] == [False]
    now = next(a for a in live.awards("gus") if a["id"] == specialist["id"])
    assert now["status"] == "active"
    assert "lapsed" in now["review_flag"]
    assert "Certified Clinical Research Professional" in now["review_flag"]
