"""`progress` and `audit` as text name achievements and assessments as people know them;
ids stay in the JSON (and the API), which programs read."""

from __future__ import annotations

from datetime import date

from credstack.service import engine
from credstack.service.explain import Names, outcome_json, outcome_text
from credstack.store.uow import UnitOfWork
from tests.stories.driver import Story

ON = date(2026, 6, 30)


def test_progress_text_names_what_json_identifies(uow: UnitOfWork) -> None:
    story = Story.in_memory(uow)
    story.load("northwind-data-academy.yaml")
    story.sit("ana", "northwind", "spreadsheets-exam", 90, date(2026, 1, 5))
    northwind = story.issuer("northwind")
    outcome = engine.progress(
        uow,
        learner=story.learner("ana"),
        issuer=northwind,
        achievement_key="junior-data-analyst",
        as_of=ON,
    )
    text = outcome_text(outcome, names=engine.catalog_names(uow, northwind))
    assert "next step: SQL Querying" in text
    assert "SQL Querying: not yet earned" in text
    for key in ("sql-querying", "data-visualisation", "descriptive-statistics"):
        assert key not in text, text
    shown = str(outcome_json(outcome))
    assert "sql-querying" in shown and "SQL Querying" not in shown


def test_names_replace_whole_ids_only() -> None:
    names = Names({"ccrp": "CCRP", "ccrp-oncology": "CCRP Oncology", "sql": "SQL"})
    assert names.text("ccrp-oncology: counted toward ccrp") == "CCRP Oncology: counted toward CCRP"
    assert names.text("ccrps and mysql-querying stay") == "ccrps and mysql-querying stay"
    assert Names().text("sql: not yet earned") == "sql: not yet earned"
    assert names.of("unknown") == "unknown"


def test_catalog_names_cover_achievements_and_assessments(uow: UnitOfWork) -> None:
    story = Story.in_memory(uow)
    story.load("northwind-data-academy.yaml")
    names = engine.catalog_names(uow, story.issuer("northwind"))
    assert names.of("sql-querying") == "SQL Querying"
    assert names.of("sql-exam") == "SQL Querying, online assessment"
