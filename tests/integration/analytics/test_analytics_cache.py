"""Analytics figures are cached per issuer under a change mark the database's triggers bump:
every kind of change is served at once, by another runtime on the same database (two server
processes), on SQLite and PostgreSQL; figures nobody changed are not computed again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update

from credstack.config import Settings
from credstack.service import lifecycle, status
from credstack.service.actor import Actor
from credstack.service.analytics import Analytics, Period, analytics, issuer_analytics
from credstack.service.analytics_cache import FigureCache, change_mark
from credstack.service.catalog import load_catalog
from credstack.service.keys import KeyStore
from credstack.service.learners import erase_learner
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime, initialise, open_runtime
from credstack.store.models import AssessmentAttemptRow, AwardRow
from tests.integration.earning.checked import enrol
from tests.stories.driver import EXAMPLES, Story

BASE = "https://credstack.test"
ON = date(2026, 6, 30)
OPERATOR = Actor.operator()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)


@dataclass
class Pair:
    reader: Runtime
    """Serves the figures (one server process)."""
    story: Story
    """Writes through another runtime's unit of work (another process), committing each step."""


@pytest.fixture
def pair(settings: Settings) -> Iterator[Pair]:
    reader = initialise(settings)
    writer = open_runtime(settings)
    try:
        with writer.uow() as uow:
            story = Story(uow, KeyStore(uow, writer.master, BASE))
            story.load("northwind-data-academy.yaml", "clinical-research-board.yaml")
            story.sit("ana", "northwind", "spreadsheets-exam", 90, date(2026, 1, 5))
            story.sit("bo", "northwind", "spreadsheets-exam", 40, date(2026, 1, 6))
            story.sit("ana", "northwind", "sql-exam", 85, date(2026, 2, 5))
            story.award("fay", "ccrb", "ccrp", date(2025, 6, 1))
            story.sit("fay", "ccrb", "ethics-quiz", 90, date(2025, 7, 1))
            uow.commit()
            yield Pair(reader, story)
    finally:
        writer.close()
        reader.close()


def _served(runtime: Runtime, issuer: str) -> Analytics:
    return issuer_analytics(runtime, OPERATOR, issuer=issuer, as_of=ON).figures


def _fresh(runtime: Runtime, issuer: str) -> Analytics:
    """Computed from the database now, without any cache."""
    with runtime.uow(write=False) as uow:
        return analytics(uow, require_issuer(uow, issuer), as_of=ON)


def _mark(runtime: Runtime, issuer: str) -> int:
    with runtime.uow(write=False) as uow:
        return change_mark(uow, require_issuer(uow, issuer))


def _award(story: Story, learner: str, issuer: str, achievement: str) -> AwardRow:
    found = story.holds(learner, issuer, achievement, ON)
    assert found is not None
    return found


def _new_award(story: Story) -> None:
    story.sit("bo", "northwind", "spreadsheets-exam", 95, date(2026, 3, 1))


def _revoke(story: Story) -> None:
    story.revoke(_award(story, "ana", "northwind", "sql-querying"), "misconduct", date(2026, 3, 1))


def _suspend_and_reinstate(story: Story) -> None:
    award = _award(story, "ana", "northwind", "sql-querying")
    status.mark_suspended(story.uow, award)
    story.uow.commit()
    status.mark_reinstated(story.uow, award)


def _expire(story: Story) -> None:
    lifecycle.expire_award(
        story.uow,
        _award(story, "ana", "northwind", "spreadsheets-fundamentals"),
        reason="validity ended",
        on=date(2026, 4, 1),
    )


def _regrade(story: Story) -> None:
    """A score corrected in place, by a bulk statement the ORM never sees."""
    story.uow.session.execute(
        update(AssessmentAttemptRow)
        .where(AssessmentAttemptRow.learner_id == story.learner("bo").id)
        .values(passed=True, percent=75)
    )


def _catalog(story: Story) -> None:
    text = (EXAMPLES / "northwind-data-academy.yaml").read_text()
    shorter = text.replace("        - descriptive-statistics\n", "", 1)
    assert shorter != text
    load_catalog(story.uow, issuer_key="northwind", text=shorter, source="northwind.yaml")


def _ce_record(story: Story) -> None:
    for quiz, on in [
        ("pv-quiz", date(2025, 9, 1)),
        ("ecrf-quiz", date(2026, 1, 1)),
        ("dct-quiz", date(2026, 3, 1)),
        ("rbm-quiz", date(2026, 5, 1)),
    ]:
        story.sit("fay", "ccrb", quiz, 90, on)


def _enrolment(story: Story) -> None:
    enrol(
        story.uow,
        issuer=story.issuer("northwind"),
        learner=story.learner("cy"),
        program="data",
        enrolled_on=date(2026, 3, 1),
        actor=OPERATOR,
    )


def _erasure(story: Story) -> None:
    erase_learner(
        story.uow, story.learner("bo"), reason="asked to", actor="operator", keys=story.keys
    )


def _timezone(story: Story) -> None:
    story.issuer("northwind").timezone = "Pacific/Kiritimati"


CHANGES: dict[str, tuple[str, Callable[[Story], None], bool]] = {
    # kind: (issuer, change, whether its figures must differ)
    "new award": ("northwind", _new_award, True),
    "revocation": ("northwind", _revoke, True),
    "expiry": ("northwind", _expire, False),
    "regrading": ("northwind", _regrade, True),
    "catalog change": ("northwind", _catalog, True),
    "CE record": ("ccrb", _ce_record, True),
    "enrolment": ("northwind", _enrolment, True),
    "erasure": ("northwind", _erasure, False),
    "issuer's time zone": ("northwind", _timezone, False),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_every_kind_of_change_is_served_at_once_by_another_runtime(pair: Pair, kind: str) -> None:
    issuer, change, differs = CHANGES[kind]
    before = _served(pair.reader, issuer)
    assert _served(pair.reader, issuer) is before  # kept: not computed again
    mark = _mark(pair.reader, issuer)

    change(pair.story)
    pair.story.uow.commit()

    assert _mark(pair.reader, issuer) > mark
    after = _served(pair.reader, issuer)
    assert after is not before
    assert after == _fresh(pair.reader, issuer)
    if differs:
        assert after != before


def test_a_suspension_is_served_as_computed(pair: Pair) -> None:
    """A suspension sets a status-list bit, which no figure reads: what is served stays what
    the database says now."""
    before = _served(pair.reader, "northwind")
    _suspend_and_reinstate(pair.story)
    status.mark_suspended(pair.story.uow, _award(pair.story, "ana", "northwind", "sql-querying"))
    pair.story.uow.commit()
    assert _served(pair.reader, "northwind") == before == _fresh(pair.reader, "northwind")


def test_a_change_at_one_issuer_keeps_another_issuers_figures(pair: Pair) -> None:
    kept = _served(pair.reader, "northwind")
    ccrb = _served(pair.reader, "ccrb")
    _ce_record(pair.story)
    pair.story.uow.commit()
    assert _served(pair.reader, "northwind") is kept
    assert _served(pair.reader, "ccrb") != ccrb


def test_a_rolled_back_change_leaves_the_mark(pair: Pair) -> None:
    mark = _mark(pair.reader, "northwind")
    _new_award(pair.story)
    pair.story.uow.rollback()
    assert _mark(pair.reader, "northwind") == mark


def test_the_cache_keeps_its_bound_dropping_the_least_recently_used(pair: Pair) -> None:
    cache = FigureCache(entries=2)
    days = [date(2026, 7, d) for d in (1, 2, 3)]
    with pair.reader.uow(write=False) as uow:
        ccrb = require_issuer(uow, "ccrb")
        kept = [
            cache.figures(uow, ccrb, Period(), day, lambda d=day: analytics(uow, ccrb, as_of=d))
            for day in days
        ]
        assert len(cache) == 2
        again = cache.figures(uow, ccrb, Period(), days[2], lambda: analytics(uow, ccrb, as_of=ON))
        assert again is kept[2]  # kept, so not computed (the answer for ON would differ)
        first = cache.figures(
            uow, ccrb, Period(), days[0], lambda: analytics(uow, ccrb, as_of=days[0])
        )
        assert first is not kept[0] and first == kept[0]  # dropped, so computed again
