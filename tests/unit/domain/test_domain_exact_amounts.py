"""Hours, credits and scores are exact: sums of tenths and hundredths never drift.

With floats, 200 activities of 0.1 hours sum to 19.999999999999996 and a 20-hour cycle lapses;
these tests would have caught that, and the properties cover any mix and order.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.domain.ce import CeRule, Cycle, close_cycle, compliance
from credstack.domain.evaluator import evaluate
from credstack.domain.grades import parse_window
from credstack.domain.parsing import parse_requirement
from credstack.domain.quantities import AmountError, json_number, parse_amount, show
from credstack.domain.records import AssessmentResult
from credstack.service.explain import compliance_json, compliance_text, outcome_text
from tests.unit.domain.domain_builders import award, course, requirement

START = date(2024, 1, 1)
CYCLE = Cycle(START, date(2026, 12, 31))


def _rule(total: str, minimums: tuple[tuple[str, Decimal], ...] = ()) -> CeRule:
    window = parse_window("P3Y")
    assert window is not None
    return CeRule(Decimal(total), minimums, window)


def test_two_hundred_tenths_make_exactly_twenty_hours_and_the_cycle_renews() -> None:
    # 0.1 as a float, the way an old JSON column or a caller's literal would give it.
    activities = [
        award(f"webinar-{i}", START + timedelta(days=i), ce_hours=0.1, ce_category="general")
        for i in range(200)
    ]
    report = compliance(_rule("20"), CYCLE, activities, CYCLE.end)
    assert report.hours == Decimal(20)
    assert report.compliant
    assert "20 of 20 hours; compliant" in compliance_text(report)
    assert compliance_json(report)["hours"] == 20
    assert close_cycle(_rule("20"), CYCLE, activities).renewed


def test_ce_requirement_node_says_twenty_not_noise() -> None:
    req = requirement("{ce: {total: 20}}")
    records = [award(f"w{i}", START, ce_hours="0.1", ce_category="general") for i in range(199)]
    outcome = evaluate(req, records, CYCLE.end)
    assert not outcome.met
    assert str(outcome.progress) == "19.9 of 20 hours"
    assert "short by 0.1" in outcome_text(outcome)


def test_credit_sums_are_exact() -> None:
    req = requirement("{credits: 0.3, from: {types: [course]}}")
    records = [course(f"c{i}", START, credits=0.1, grade="A") for i in range(3)]
    outcome = evaluate(req, records, CYCLE.end)
    assert outcome.met
    assert str(outcome.progress) == "0.3 of 0.3 credits"


def test_a_percentage_cut_is_decided_without_division() -> None:
    # 2 of 3 is 66.666...%: below a 66.67% minimum, above 66.66%.
    attempt = AssessmentResult("s1", "exam", 2, 3, True, START)
    below = requirement("{assessment: exam, min_percent: 66.67}")
    above = requirement("{assessment: exam, min_percent: 66.66}")
    assert not evaluate(below, [attempt], START).met
    assert evaluate(above, [attempt], START).met
    assert "scored 66.6%" in evaluate(below, [attempt], START).why_not()[0]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (0.125, "at most 2 decimal places"),
        (100001, "at most 100000"),
        (-1, "at least 0"),
    ],
)
def test_catalog_amounts_are_bounded_by_meaning(raw: object, message: str) -> None:
    _, problems = parse_requirement({"ce": {"total": raw}}, ("requirements",))
    assert problems, raw
    assert problems[0].path == ("requirements", "ce", "total")
    assert any(word in problems[0].message for word in (message, "negative")), problems


def test_amount_parsing_and_display() -> None:
    assert parse_amount("7.50", places=2, maximum=100) == Decimal("7.5")
    assert show(Decimal("20.00")) == "20" and show(Decimal("2E+1")) == "20"
    assert show(Decimal("0.250")) == "0.25"
    assert json_number(Decimal("19.50")) == 19.5 and json_number(Decimal("20.0")) == 20
    for bad in ("nan", "inf", "seven", True):
        with pytest.raises(AmountError):
            parse_amount(bad, places=2, maximum=100)


hundredths = st.integers(min_value=1, max_value=1000)  # 0.01 .. 10.00 hours


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(hundredths, st.booleans(), st.sampled_from(["ethics", "clinical"])), max_size=60
    ),
    st.integers(min_value=-3, max_value=3),
    st.randoms(use_true_random=False),
)
def test_random_activities_sum_exactly_and_decide_compliance_exactly(
    activities: list[tuple[int, bool, str]], offset: int, rnd: random.Random
) -> None:
    exact_total = sum(h for h, _, _ in activities)  # in hundredths
    records = [
        award(
            f"a{i}",
            START + timedelta(days=i),
            # tenths and hundredths, as floats or as text, in any order
            ce_hours=(h / 100) if as_float else f"{h / 100:.2f}",
            ce_category=category,
        )
        for i, (h, as_float, category) in enumerate(activities)
    ]
    rnd.shuffle(records)
    required = max(exact_total + offset, 1)
    ethics = sum(h for h, _, c in activities if c == "ethics")
    rule = _rule(str(Decimal(required) / 100), (("ethics", Decimal(ethics) / 100),))
    report = compliance(rule, CYCLE, records, CYCLE.end)
    assert report.hours == Decimal(exact_total) / 100
    assert report.compliant == (exact_total >= required)
    assert report.category("ethics").met
    for text in (show(report.hours), show(report.short_by), compliance_text(report)):
        assert "0000000" not in text and "9999999" not in text and "E" not in text


@pytest.mark.parametrize(
    ("text", "shown"),
    [("1e30", "1E+30"), ("1e999999", "1E+999999"), ("-1e40", "-1E+40"), ("1e-999999", "1E-999999")],
)
def test_amounts_beyond_every_bound_are_refused_in_short_words(text: str, shown: str) -> None:
    """Plain digits of 1e30 need more precision than Decimal's context has (it raised
    InvalidOperation: a 500), and those of 1e999999 would be a megabyte of message."""
    with pytest.raises(AmountError) as refused:
        parse_amount(text, places=2, maximum=10_000, what="hours")
    assert shown in str(refused.value)
    assert len(str(refused.value)) < 80
