"""Story 05: any 2 of 3 stacks and a core certification make an advanced certification.

Driven over the REST API of a real server, from examples/wound-care-board.yaml.
"""

from __future__ import annotations

from datetime import date

from tests.stories.live import Live

STACK_A = ["df-assessment", "df-offloading"]
STACK_B = ["pi-staging", "pi-prevention", "pi-support-surfaces"]
STACK_C = ["ostomy-care", "ostomy-complications"]


def earn(live: Live, who: str, micro: str, on: date) -> list[str]:
    return [a["achievement"] for a in live.sit(who, "wcb", f"{micro}-exam", 80, on)["awarded"]]


def core(live: Live, who: str, on: date) -> list[str]:
    made = live.sit(
        who, "wcb", "wcn-exam", 78, on, proctoring="in_person", identity="government ID check"
    )["awarded"]
    return [a["achievement"] for a in made]


def test_story_05(live: Live) -> None:
    for who in ("hana", "ivan"):
        live.learner(who)

    # 1. Hana: core, stack A and 2 of 3 of stack B: one stack complete, B one item short
    assert core(live, "hana", date(2026, 1, 10)) == ["wound-care-nurse"]
    for micro in [*STACK_A, *STACK_B[:2]]:
        earn(live, "hana", micro, date(2026, 2, 1))
    progress = live.progress("hana", "wcb", "advanced-wound-care", date(2026, 2, 2))
    assert progress["met"] is False
    cluster = progress["children"][1]
    assert cluster["progress"]["text"] == "1 of 2 requirements"
    stack_a, stack_b, stack_c = cluster["children"]
    assert (stack_a["met"], stack_b["met"], stack_c["met"]) == (True, False, False)
    assert stack_b["progress"]["text"] == "2 of 3 requirements"
    assert live.holds("hana", "wcb", "advanced-wound-care", date(2026, 2, 2)) is None

    # 2. pi-support-surfaces: awarded; evidence lists the core and the two completed stacks
    assert earn(live, "hana", "pi-support-surfaces", date(2026, 3, 1)) == [
        "pi-support-surfaces",
        "advanced-wound-care",
    ]
    advanced = live.holds("hana", "wcb", "advanced-wound-care", date(2026, 3, 1))
    assert advanced is not None
    assert {e["achievement"] for e in advanced["evidence"]} == {
        "wound-care-nurse",
        *STACK_A,
        *STACK_B,
    }

    # 3. Ivan: stacks A and C without the core: not awarded, the core is missing; earning the
    #    core later awards it with no other action
    for micro in [*STACK_A, *STACK_C]:
        assert "advanced-wound-care" not in earn(live, "ivan", micro, date(2026, 4, 1))
    progress = live.progress("ivan", "wcb", "advanced-wound-care", date(2026, 4, 2))
    assert progress["met"] is False
    assert progress["children"][1]["met"] is True
    assert any("Core certification" in r and "missing" in r for r in live.why_not(progress))
    assert core(live, "ivan", date(2026, 6, 1)) == ["wound-care-nurse", "advanced-wound-care"]
