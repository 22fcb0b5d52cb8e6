"""The analytics service on a real database (SQLite and PostgreSQL), driven by the stories'
own verbs: what counts as enrolled, how a period cuts each section, and the CSV tables."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from credstack.errors import InvalidInput, NotFound
from credstack.service import engine
from credstack.service.analytics import SECTIONS, Period, analytics, csv_text, table
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import enrol
from tests.integration.earning.earning_helpers import OPERATOR
from tests.stories.driver import Story

ON = date(2026, 6, 30)


@pytest.fixture
def story(uow: UnitOfWork) -> Story:
    s = Story.in_memory(uow)
    s.load("northwind-data-academy.yaml", "clinical-research-board.yaml")
    return s


def test_every_kind_of_activity_enrols_a_learner_once(story: Story) -> None:
    northwind = story.issuer("northwind")
    story.sit("ana", "northwind", "spreadsheets-exam", 50, date(2026, 1, 5))  # a failed attempt
    story.complete_course("bo", "northwind", "northwind", 6, date(2026, 2, 1))
    enrol(
        story.uow,
        issuer=northwind,
        learner=story.learner("cy"),
        program="data",
        enrolled_on=date(2026, 3, 1),
        actor=OPERATOR,
    )
    story.award("di", "northwind", "sql-querying", date(2026, 4, 1))
    story.sit("di", "northwind", "sql-exam", 90, date(2026, 4, 2))  # already held: no award
    story.sit("ed", "ccrb", "ethics-quiz", 9, date(2026, 4, 3))  # another issuer's learner

    figures = analytics(story.uow, northwind, as_of=ON).enrolments
    assert (figures.learners, figures.attempted, figures.enrolled) == (4, 2, 1)
    assert (figures.completed_course, figures.awarded) == (1, 1)
    assert [(m.month, m.count) for m in figures.new_by_month] == [
        ("2026-01", 1),
        ("2026-02", 1),
        ("2026-03", 1),
        ("2026-04", 1),
    ]
    spring = analytics(story.uow, northwind, period=Period(date(2026, 3, 1), None), as_of=ON)
    assert (spring.enrolments.learners, spring.enrolments.attempted) == (2, 1)


def test_a_period_counts_first_attempts_only_where_they_fall(story: Story) -> None:
    story.sit("ana", "northwind", "sql-exam", 40, date(2026, 1, 10))
    story.sit("ana", "northwind", "sql-exam", 80, date(2026, 2, 10))
    story.sit("bo", "northwind", "sql-exam", 75, date(2026, 2, 11))
    northwind = story.issuer("northwind")
    (whole,) = analytics(story.uow, northwind, as_of=ON).pass_rates
    assert (whole.attempts, whole.passes, whole.pass_rate) == (3, 2, 0.6667)
    assert (whole.first_attempts, whole.first_attempt_passes) == (2, 1)
    february = Period(date(2026, 2, 1), date(2026, 2, 28))
    (feb,) = analytics(story.uow, northwind, period=february, as_of=ON).pass_rates
    assert (feb.attempts, feb.passes, feb.pass_rate) == (2, 2, 1.0)
    assert (feb.first_attempts, feb.first_attempt_pass_rate) == (1, 1.0)  # Ana's retake is not
    assert (
        analytics(
            story.uow, northwind, period=Period(None, date(2025, 12, 31)), as_of=ON
        ).pass_rates
        == ()
    )


def test_funnels_are_a_snapshot_at_the_end_of_the_period(story: Story) -> None:
    for exam, on in [("spreadsheets-exam", date(2026, 1, 5)), ("sql-exam", date(2026, 3, 5))]:
        story.sit("ana", "northwind", exam, 90, on)
    northwind = story.issuer("northwind")
    (jan,) = analytics(
        story.uow, northwind, period=Period(None, date(2026, 1, 31)), as_of=ON
    ).funnels
    # Four microcredentials and the capstone: five requirements, as the learner's page counts.
    assert jan.needed == 5
    assert [(s.exactly, s.at_least) for s in jan.steps] == [(1, 1), (0, 0), (0, 0), (0, 0), (0, 0)]
    (now,) = analytics(story.uow, northwind, as_of=ON).funnels
    assert [(s.exactly, s.at_least) for s in now.steps] == [(0, 1), (1, 1), (0, 0), (0, 0), (0, 0)]
    assert now.parts == (
        "data-visualisation",
        "descriptive-statistics",
        "spreadsheets-fundamentals",
        "sql-querying",
    )
    assert (now.started, now.completed) == (1, 0)


def test_the_funnel_and_the_learner_page_count_a_stack_alike(uow: UnitOfWork) -> None:
    """Advanced wound care names 8 parts but asks for 5 (the core and any 2 of 3 stacks of 2,
    3 and 2): the funnel's "k of N" and the learner's "k of N requirements" are one count.
    Kim's one part lies in the 3-part stack, which is not on her closest route (two 2-part
    stacks are as close and shorter), so both surfaces put her at 0, not at 1."""
    story = Story.in_memory(uow)
    story.load("wound-care-board.yaml")
    held = ["wound-care-nurse", "df-assessment", "df-offloading", "pi-staging"]
    for i, part in enumerate(held):
        story.award("lee", "wcb", part, date(2026, 1, 10 + i))
    story.award("kim", "wcb", "pi-prevention", date(2026, 2, 1))
    wcb = story.issuer("wcb")

    def page(learner: str) -> str:
        outcome = engine.progress(
            uow,
            learner=story.learner(learner),
            issuer=wcb,
            achievement_key="advanced-wound-care",
            as_of=ON,
        )
        return str(outcome.leaf_progress())

    assert (page("lee"), page("kim")) == ("3 of 5 requirements", "0 of 5 requirements")
    figures = analytics(uow, wcb, as_of=ON)
    (funnel,) = (f for f in figures.funnels if f.achievement == "advanced-wound-care")
    assert len(funnel.parts) == 8 and funnel.needed == 5
    assert [(s.parts, s.exactly) for s in funnel.steps] == [(1, 0), (2, 0), (3, 1), (4, 0), (5, 0)]
    assert funnel.started == 1
    _header, rows = table(figures, "funnels")
    stages = [r[1] for r in rows if r[0] == "advanced-wound-care"]
    assert stages == ["1 of 5", "2 of 5", "3 of 5", "4 of 5", "5 of 5", "completed"]


def test_open_cycles_are_judged_on_as_of(story: Story) -> None:
    story.award("fay", "ccrb", "ccrp", date(2025, 6, 1))
    quizzes = [
        ("ethics-quiz", date(2025, 7, 1)),  # 6 h ethics
        ("pv-quiz", date(2025, 9, 1)),  # 8 h clinical
        ("ecrf-quiz", date(2026, 1, 1)),  # 7 h data management
        ("dct-quiz", date(2026, 3, 1)),  # 4 h clinical
        ("rbm-quiz", date(2026, 5, 1)),  # 5 h clinical: 30 h, the rule's total
    ]
    for quiz, on in quizzes:
        story.sit("fay", "ccrb", quiz, 90, on)
    ccrb = story.issuer("ccrb")
    (early,) = analytics(story.uow, ccrb, as_of=date(2026, 4, 30)).ce_compliance
    assert (early.certification, early.end_year, early.open, early.open_compliant_now) == (
        "ccrp",
        2028,
        1,
        0,
    )
    assert early.compliance_rate is None  # no cycle has closed: no rate, not 0%
    (later,) = analytics(story.uow, ccrb, as_of=date(2026, 5, 2)).ce_compliance
    assert later.open_compliant_now == 1
    none = analytics(story.uow, ccrb, period=Period(date(2029, 1, 1), None), as_of=ON)
    assert none.ce_compliance == ()


def test_tables_and_csv(story: Story) -> None:
    story.sit("ana", "northwind", "sql-exam", 40, date(2026, 1, 10))
    figures = analytics(story.uow, story.issuer("northwind"), as_of=ON)
    for section in SECTIONS:
        header, rows = table(figures, section)
        parsed = list(csv.reader(io.StringIO(csv_text(figures, section))))
        assert parsed[0] == list(header)
        assert len(parsed) == len(rows) + 1
    assert csv_text(figures, "pass-rates").splitlines()[1] == "sql-exam,1,0,0.0,1,0,0.0"
    with pytest.raises(NotFound):
        table(figures, "nonsense")
    with pytest.raises(InvalidInput):
        analytics(
            story.uow,
            story.issuer("northwind"),
            period=Period(date(2026, 2, 1), date(2026, 1, 1)),
            as_of=ON,
        )
