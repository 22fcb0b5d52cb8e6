"""CE reminders a page at a time (SQLite and PostgreSQL): the pages together are the whole
list, the window's dates are cut in SQL, and a page judges only its own cycles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from credstack.config import Settings
from credstack.errors import InvalidInput, NotFound
from credstack.limits import PAGE_ITEMS
from credstack.service import ce, renewals
from credstack.service.actor import Actor
from credstack.service.keys import KeyStore
from credstack.service.runtime import Runtime, initialise
from tests.stories.driver import Story

BASE = "https://credstack.test"
OPERATOR = Actor.operator()
AS_OF = date(2026, 12, 1)
CERTIFICANTS = PAGE_ITEMS + 8
COMPLIANT = ("c000", "c001")
QUIZZES = ("ethics-quiz", "pv-quiz", "ecrf-quiz", "dct-quiz", "rbm-quiz")


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    made = initialise(
        Settings(data_dir=tmp_path / "data", database_url=database_url, base_url=BASE)
    )
    with made.uow() as uow:
        story = Story(uow, KeyStore(uow, made.master, BASE))
        story.load("clinical-research-board.yaml")
        for i in range(CERTIFICANTS):  # 3-year cycles ending 2026-12-31 and the days after
            story.award(f"c{i:03}", "ccrb", "ccrp", date(2024, 1, 1) + timedelta(days=i))
        story.award("late", "ccrb", "ccrp", date(2025, 1, 1))  # ends after the window
        for who in COMPLIANT:
            for n, quiz in enumerate(QUIZZES):
                story.sit(who, "ccrb", quiz, 90, date(2025, 1, 1) + timedelta(days=n))
        uow.commit()
    yield made
    made.close()


def _page(runtime: Runtime, page: int, days: int = 180) -> renewals.ReminderPage:
    return renewals.reminder_page(
        runtime, OPERATOR, issuer="ccrb", days=days, as_of=AS_OF, page=page
    )


def test_the_pages_together_are_the_whole_list(runtime: Runtime) -> None:
    whole = renewals.reminders(runtime, OPERATOR, issuer="ccrb", days=180, as_of=AS_OF)
    first, second = _page(runtime, 1), _page(runtime, 2)
    assert first.reminders + second.reminders == tuple(whole)
    assert {r.learner for r in whole} == {f"c{i:03}" for i in range(CERTIFICANTS)} - set(COMPLIANT)
    # The pages divide the cycles ending in the window, the compliant ones too.
    assert first.pager.total == second.pager.total == CERTIFICANTS
    assert (first.pager.next, second.pager.previous, second.pager.next) == (2, 1, None)
    with pytest.raises(NotFound):
        _page(runtime, 3)


def test_a_page_judges_only_its_own_cycles(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged: list[date] = []
    real = ce._report

    def counting(*args: Any, **kwargs: Any) -> Any:
        report = real(*args, **kwargs)
        judged.append(report.cycle.end)
        return report

    monkeypatch.setattr(ce, "_report", counting)
    _page(runtime, 2)
    assert len(judged) == CERTIFICANTS - PAGE_ITEMS
    judged.clear()
    narrow = _page(runtime, 1, days=40)  # cycles ending before 2027-01-10
    assert narrow.pager.total == len(judged) and 0 < len(judged) < CERTIFICANTS
    assert all(AS_OF <= end < AS_OF + timedelta(days=40) for end in judged)


@pytest.mark.parametrize(("page", "days"), [(0, 180), (1, -1), (1, 10**9)])
def test_a_page_or_window_out_of_bounds_is_refused(runtime: Runtime, page: int, days: int) -> None:
    with pytest.raises(InvalidInput):
        _page(runtime, page, days)
