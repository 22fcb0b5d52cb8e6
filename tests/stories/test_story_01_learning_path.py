"""Story 01: an ordered learning path toward a job role, finished by a scored capstone.

Driven over the REST API of a real server, from examples/northwind-data-academy.yaml.
"""

from __future__ import annotations

from datetime import date

from tests.stories.live import Live

PATH = ["spreadsheets-fundamentals", "sql-querying", "data-visualisation", "descriptive-statistics"]


def test_story_01(live: Live) -> None:
    live.learner("ana")

    # 1. Ana passes two microcredentials, each held (and verifiable) on its own;
    #    2 of 5 requirements met; the next suggested step is data-visualisation
    first = live.sit("ana", "northwind", "spreadsheets-exam", 82, date(2026, 9, 1))
    assert [a["achievement"] for a in first["awarded"]] == ["spreadsheets-fundamentals"]
    live.sit("ana", "northwind", "sql-exam", 71, date(2026, 9, 20))
    day = date(2026, 9, 21)
    assert live.holds("ana", "northwind", "spreadsheets-fundamentals", day) is not None
    assert live.holds("ana", "northwind", "sql-querying", day) is not None
    progress = live.progress("ana", "northwind", "junior-data-analyst", day)
    assert progress["progress"]["text"] == "2 of 5 requirements"
    assert progress["next_step"] == "data-visualisation"

    # 2. She fails data-visualisation (64%): nothing issued, the attempt recorded, still 2 of 5
    failed = live.sit("ana", "northwind", "visualisation-exam", 64, date(2026, 10, 1))
    assert failed["passed"] is False
    assert failed["percent"] == 64
    assert failed["awarded"] == []
    assert live.holds("ana", "northwind", "data-visualisation", date(2026, 10, 2)) is None
    progress = live.progress("ana", "northwind", "junior-data-analyst", date(2026, 10, 2))
    assert progress["progress"]["text"] == "2 of 5 requirements"

    # 3. The retake (88%) and descriptive-statistics (75%): 4 of 5, only the capstone missing
    live.sit("ana", "northwind", "visualisation-exam", 88, date(2026, 10, 20))
    live.sit("ana", "northwind", "statistics-exam", 75, date(2026, 11, 2))
    day = date(2026, 11, 3)
    progress = live.progress("ana", "northwind", "junior-data-analyst", day)
    assert progress["progress"]["text"] == "4 of 5 requirements"
    assert [c["met"] for c in progress["children"]] == [True, True, True, True, False]
    assert progress["next_step"] == "capstone project"
    assert live.holds("ana", "northwind", "junior-data-analyst", day) is None

    # 4. A reviewer scores the capstone 3: the certificate is awarded, five items as evidence
    scored = live.score_rubric(
        "ana", "northwind", "capstone-project", {"overall": 3}, date(2026, 11, 10)
    )
    assert [a["achievement"] for a in scored["awarded"]] == ["junior-data-analyst"]
    award = live.holds("ana", "northwind", "junior-data-analyst", date(2026, 11, 10))
    assert award is not None
    assert award["origin"] == "automatic"
    assert len(award["counted"]) == 5
    assert sorted(e["kind"] for e in award["evidence"]) == [
        "attempt",
        "award",
        "award",
        "award",
        "award",
    ]
    assert set(PATH) <= {e.get("achievement") for e in award["evidence"]}
    attempts = [a for a in live.awards("ana") if a["achievement"] in PATH]
    assert len(attempts) == 4  # the failed attempt issued nothing
