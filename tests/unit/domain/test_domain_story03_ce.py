"""Story 03: CE cycles with category minimums, renewal, lapse and reminders."""

from __future__ import annotations

from datetime import date

from credstack.domain.ce import (
    CeRule,
    Cycle,
    close_cycle,
    compliance,
    needs_reminder,
    reminder_due,
)
from credstack.domain.evaluator import evaluate
from credstack.domain.grades import parse_window
from credstack.domain.records import Award, AwardStatus
from credstack.domain.requirements import ContinuingEducation
from tests.unit.domain.domain_builders import award, requirement

MAINTENANCE = "{ce: {total: 30, minimums: {ethics: 5, clinical: 10}}}"


def _rule() -> CeRule:
    req = requirement(MAINTENANCE)
    assert isinstance(req, ContinuingEducation)
    cycle = parse_window("P3Y")
    assert cycle is not None
    return CeRule.from_requirement(req, cycle)


def _ce(achievement: str, hours: float, category: str, on: date) -> Award:
    return award(achievement, on, ce_hours=hours, ce_category=category)


DANA = [
    _ce("research-ethics-refresher", 6, "ethics", date(2024, 5, 2)),
    _ce("pharmacovigilance-update", 8, "clinical", date(2025, 2, 10)),
    _ce("ecrf-design", 7, "data-management", date(2025, 9, 1)),
    _ce("decentralised-trials", 4, "clinical", date(2026, 3, 3)),
]
DANA_CYCLE = Cycle(date(2024, 1, 15), date(2027, 1, 14))


def test_cycle_dates_from_the_rule() -> None:
    assert Cycle.starting(date(2024, 1, 15), _rule().cycle) == DANA_CYCLE


def test_dana_compliance_report_on_2026_06_01() -> None:
    report = compliance(_rule(), DANA_CYCLE, DANA, date(2026, 6, 1))
    assert (report.hours, report.required) == (25, 30)
    assert report.category("ethics").met
    assert report.category("ethics").hours == 6
    assert report.category("clinical").met
    assert report.category("clinical").hours == 12
    assert report.short_by == 5
    assert report.days_left == 227
    assert report.cycle.end == date(2027, 1, 14)
    assert not report.compliant
    assert not needs_reminder(report)  # 227 days left: not yet


def test_dana_becomes_compliant_and_renews_into_the_next_cycle() -> None:
    records = [*DANA, _ce("risk-based-monitoring", 5, "clinical", date(2026, 11, 1))]
    assert compliance(_rule(), DANA_CYCLE, records, date(2026, 11, 1)).compliant
    end = close_cycle(_rule(), DANA_CYCLE, records)
    assert end.renewed
    assert end.next_cycle == Cycle(date(2027, 1, 15), date(2030, 1, 14))
    # One activity counts in one cycle only: nothing carries into the new cycle.
    assert end.next_cycle is not None
    carried = compliance(
        _rule(), end.next_cycle, records, date(2027, 6, 1), frozenset(end.report.counted)
    )
    assert carried.hours == 0


def test_eli_lapses_with_22_hours_and_old_credentials_do_not_count() -> None:
    cycle = Cycle(date(2023, 3, 1), date(2026, 2, 28))
    records = [
        _ce("before-the-cycle", 10, "clinical", date(2023, 2, 1)),
        _ce("ethics-a", 6, "ethics", date(2023, 6, 1)),
        _ce("clinical-a", 10, "clinical", date(2024, 6, 1)),
        _ce("general-a", 6, "general", date(2025, 6, 1)),
    ]
    end = close_cycle(_rule(), cycle, records)
    assert end.report.hours == 22
    assert not end.renewed
    assert end.lapsed_on == date(2026, 2, 28)
    excluded = [c for c in end.report.contributions if c.counted == 0]
    assert [c.reason for c in excluded] == [
        "earned 2023-02-01, before the cycle started on 2023-03-01"
    ]


def test_reminders_for_short_certificants_with_less_than_180_days_left() -> None:
    rule = _rule()
    assert needs_reminder(compliance(rule, DANA_CYCLE, DANA, date(2026, 7, 19)))  # 179 days
    assert not needs_reminder(compliance(rule, DANA_CYCLE, DANA, date(2026, 7, 18)))  # 180
    full = [*DANA, _ce("risk-based-monitoring", 5, "clinical", date(2026, 7, 1))]
    assert not needs_reminder(compliance(rule, DANA_CYCLE, full, date(2026, 7, 19)))


def test_the_reminder_due_is_the_nearest_threshold_reached() -> None:
    rule = _rule()

    def due(on: date, records: list[Award] = DANA) -> int | None:
        return reminder_due(compliance(rule, DANA_CYCLE, records, on), (90, 30, 7))

    assert due(date(2026, 10, 15)) is None  # 91 days left
    assert due(date(2026, 10, 16)) == 90  # 90 days left: N days before the end
    assert due(date(2026, 12, 20)) == 30  # first looked at 25 days before: 30, not also 90
    assert due(date(2027, 1, 14)) == 7  # the last day
    assert due(date(2027, 1, 15)) is None  # over: closing the cycle decides
    full = [*DANA, _ce("risk-based-monitoring", 5, "clinical", date(2026, 7, 1))]
    assert due(date(2027, 1, 10), full) is None  # compliant


def test_category_minimum_short_even_when_total_met() -> None:
    records = [_ce("lots-of-clinical", 30, "clinical", date(2024, 6, 1))]
    report = compliance(_rule(), DANA_CYCLE, records, date(2026, 6, 1))
    assert report.hours == 30
    assert not report.compliant
    assert report.category("ethics").short_by == 5
    assert report.hours_needed == 5


def test_ce_requirement_node_with_a_window_and_revoked_activity() -> None:
    req = requirement("{ce: {total: 10, minimums: {ethics: 5}, within: P1Y}}")
    revoked = award(
        "ethics-x", date(2026, 1, 1), ce_hours=5, ce_category="ethics", status=AwardStatus.REVOKED
    )
    records = [
        _ce("old", 20, "clinical", date(2024, 1, 1)),
        _ce("recent", 6, "clinical", date(2026, 2, 1)),
        revoked,
    ]
    outcome = evaluate(req, records, date(2026, 6, 1))
    assert not outcome.met
    assert str(outcome.progress) == "6 of 10 hours"
    assert outcome.reasons == (
        "ethics: 0 of 5 hours",
        "CE hours: 6 of 10 hours; short by 4",
    )
