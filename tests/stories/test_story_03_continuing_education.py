"""Story 03: CE cycles with category minimums met by microcredentials; renewal and lapse.

Driven over the REST API of a real server, from examples/clinical-research-board.yaml.
"""

from __future__ import annotations

from datetime import date

from tests.stories.live import Live

CYCLE_START = date(2024, 1, 15)


def earn(live: Live, who: str, quiz: str, on: date) -> None:
    made = live.sit(who, "ccrb", quiz, 9, on)["awarded"]  # end-of-module quizzes, out of 10
    assert len(made) == 1


def report(live: Live, who: str, on: date) -> dict:  # type: ignore[type-arg]
    return live.get(f"/api/v1/learners/{who}/ce/ccrb/ccrp", as_of=on.isoformat())


def test_story_03(live: Live) -> None:
    for who in ("dana", "eli"):
        live.learner(who)
        live.award(who, "ccrb", "ccrp", CYCLE_START)
    earn(live, "dana", "ethics-quiz", date(2024, 5, 2))  # 6 h ethics
    earn(live, "dana", "pv-quiz", date(2025, 2, 10))  # 8 h clinical
    earn(live, "dana", "ecrf-quiz", date(2025, 9, 1))  # 7 h data management
    earn(live, "dana", "dct-quiz", date(2026, 3, 3))  # 4 h clinical

    # 1. Dana's compliance report on 2026-06-01
    dana = report(live, "dana", date(2026, 6, 1))
    assert dana["cycle"] == {"start": "2024-01-15", "end": "2027-01-14"}
    assert (dana["hours"], dana["required"]) == (25, 30)
    categories = {c["category"]: c for c in dana["categories"]}
    assert (categories["ethics"]["hours"], categories["ethics"]["minimum"]) == (6, 5)
    assert categories["ethics"]["met"] is True
    assert (categories["clinical"]["hours"], categories["clinical"]["minimum"]) == (12, 10)
    assert categories["clinical"]["met"] is True
    assert dana["short_by"] == 5
    assert dana["days_left"] == 227
    assert dana["compliant"] is False

    # Eli: 22 hours in his cycle; one activity from before the cycle does not count
    earn(live, "eli", "pv-quiz", date(2023, 11, 1))  # before the cycle
    earn(live, "eli", "ethics-quiz", date(2024, 3, 1))  # 6 h ethics
    earn(live, "eli", "ecrf-quiz", date(2024, 9, 1))  # 7 h
    earn(live, "eli", "dct-quiz", date(2025, 4, 1))  # 4 h clinical
    earn(live, "eli", "rbm-quiz", date(2025, 10, 1))  # 5 h clinical
    eli = report(live, "eli", date(2026, 6, 1))
    assert eli["hours"] == 22
    (before,) = [a for a in eli["activities"] if a["counted"] == 0]
    assert before["name"] == "Pharmacovigilance Update"
    assert "before the cycle started" in before["reason"]

    # 4. Reminders for certificants short with fewer than 180 days left
    assert live.get("/api/v1/issuers/ccrb/ce/reminders", days=180, as_of="2026-07-01") == []
    due = live.get("/api/v1/issuers/ccrb/ce/reminders", days=180, as_of="2026-08-01")
    assert sorted(r["learner"] for r in due) == ["dana", "eli"]
    assert {r["days_left"] for r in due} == {166}
    paged = live.raw("GET", "/api/v1/issuers/ccrb/ce/reminders", params={"as_of": "2026-08-01"})
    assert paged.json() == due  # page 1 (the default) holds both cycles ending in the window
    assert paged.headers["X-Total-Count"] == "2" and "Link" not in paged.headers
    past = {"as_of": "2026-08-01", "page": 2}
    assert live.raw("GET", "/api/v1/issuers/ccrb/ce/reminders", params=past).status_code == 404
    for wrong in ({"page": 0}, {"days": -1}, {"days": 10**9}):
        answer = live.raw("GET", "/api/v1/issuers/ccrb/ce/reminders", params=wrong)
        assert answer.status_code == 422, answer.text
    cli = live.cli.run("ce", "reminders", "--days", "180", "--as-of", "2026-08-01")
    assert cli.returncode == 0
    named = sorted(line.split("\t")[0] for line in cli.stdout.splitlines())
    assert named == ["Dana (dana)", "Eli (eli)"]  # names, with the registrar's key

    # 2. Dana earns risk-based monitoring (5 h clinical) on 2026-11-01: compliant
    earn(live, "dana", "rbm-quiz", date(2026, 11, 1))
    dana = report(live, "dana", date(2026, 11, 2))
    assert dana["compliant"] is True
    assert dana["hours"] == 30
    due = live.get("/api/v1/issuers/ccrb/ce/reminders", days=180, as_of="2026-11-02")
    assert [r["learner"] for r in due] == ["eli"]

    # 2./3. The cycles end: Dana renews into a new 3-year cycle from the day after the old one
    #       ends; Eli lapses (expired, not revoked) and verification will say expired
    closed = live.post("/api/v1/issuers/ccrb/ce/close", as_of="2027-01-15")
    assert sorted(c["renewed"] for c in closed) == [False, True]
    dana_ccrp = live.holds("dana", "ccrb", "ccrp", date(2027, 1, 15))
    assert dana_ccrp is not None
    assert dana_ccrp["valid_until"] == "2030-01-14"
    new_cycle = report(live, "dana", date(2027, 1, 15))
    assert new_cycle["cycle"] == {"start": "2027-01-15", "end": "2030-01-14"}
    assert new_cycle["hours"] == 0  # one activity counts in one cycle only
    assert live.holds("eli", "ccrb", "ccrp", date(2027, 1, 15)) is None
    eli_ccrp = next(a for a in live.awards("eli") if a["achievement"] == "ccrp")
    assert eli_ccrp["status"] == "expired"
    assert "22 hours" not in (eli_ccrp["status_reason"] or "")
    assert "8 hours short" in eli_ccrp["status_reason"]
