"""`credstack learner list` pages in SQL: what one call reads is a page, however many learners
the installation holds (issue 14, "list pages ... that do not grow with learners")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.errors import Forbidden, InvalidInput, NotFound
from credstack.limits import PAGE_ITEMS
from credstack.service.actor import ANONYMOUS, Actor
from credstack.service.people import add_learner
from credstack.service.registration import list_learners
from credstack.service.runtime import Runtime, initialise

MANY = 2 * PAGE_ITEMS + 7


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    made = initialise(
        Settings(tmp_path / "data", database_url=database_url, base_url="http://localhost")
    )
    with made.uow() as uow:
        for n in range(MANY):
            add_learner(uow, key=f"learner-{n:04d}", name=f"Learner {n}")
        uow.commit()
    yield made
    made.close()


def test_each_page_holds_at_most_a_page_and_the_pages_hold_everyone(runtime: Runtime) -> None:
    pages = [list_learners(runtime, Actor.operator(), page=n) for n in (1, 2, 3)]
    assert [len(p.learners) for p in pages] == [PAGE_ITEMS, PAGE_ITEMS, MANY - 2 * PAGE_ITEMS]
    assert {(p.pager.pages, p.pager.total) for p in pages} == {(3, MANY)}
    assert [p.pager.next for p in pages] == [2, 3, None]
    keys = [learner.key for p in pages for learner in p.learners]
    assert keys == sorted(f"learner-{n:04d}" for n in range(MANY))
    assert pages[0].learners[1].name == "Learner 1"  # names are unsealed for the page shown


def test_past_the_last_page_and_for_anyone_but_the_operator_it_says_no(runtime: Runtime) -> None:
    with pytest.raises(NotFound, match="there is no page 4; the list has 3"):
        list_learners(runtime, Actor.operator(), page=4)
    with pytest.raises(InvalidInput):
        list_learners(runtime, Actor.operator(), page=0)
    with pytest.raises(Forbidden):
        list_learners(runtime, ANONYMOUS)
