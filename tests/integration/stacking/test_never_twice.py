"""Property: whatever order and however often records arrive, an award is made at most once,
and the certification is made exactly when its whole proctored, ID-verified stack is."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.store.uow import UnitOfWork
from tests.stories.driver import Story

EXAMS = ["gcp-exam", "consent-exam", "ae-exam", "close-out-exam"]
_learners = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attempts=st.lists(st.tuples(st.sampled_from(EXAMS), st.booleans()), min_size=1, max_size=10))
def test_an_award_is_never_made_twice(uow: UnitOfWork, attempts: list[tuple[str, bool]]) -> None:
    story = Story.in_memory(uow)
    if uow.issuers.by_key("ccrb") is None:
        story.load("clinical-research-board.yaml")
    learner = f"pat-{next(_learners)}"  # a new learner per example; the catalog is shared
    day = date(2026, 1, 1)
    for i, (exam, proctored) in enumerate(attempts):
        story.sit(
            learner,
            "ccrb",
            exam,
            90,
            day + timedelta(days=i),
            proctoring="in_person" if proctored else "unproctored",
            identity="government ID check" if proctored else None,
        )
    awards = uow.awards.for_learner(story.learner(learner).id)
    versions = [uow.achievements.version_by_id(a.achievement_version_id) for a in awards]
    names = [v.definition["id"] for v in versions if v is not None]
    assert len(names) == len(set(names)), names
    proctored_exams = {exam for exam, proctored in attempts if proctored}
    assert ("ccrp" in names) == (proctored_exams == set(EXAMS))
