"""Course completions: hours from an approved provider earn the course route."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from credstack.domain.records import CourseCompletion
from credstack.errors import Conflict, Forbidden, InvalidInput
from credstack.service.records import load_records
from credstack.store.models import AwardRow, CourseCompletionRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import record_course_completion
from tests.integration.earning.earning_helpers import (
    OPERATOR,
    acting,
    issuer_with_catalog,
    learner,
    signing_keys,
    staff,
)


def test_completing_the_one_day_course_awards_the_microcredential(uow: UnitOfWork) -> None:
    solar = issuer_with_catalog(uow, "solar-trades")
    sol = learner(uow, "sol")
    done = record_course_completion(
        uow, signing_keys(uow), issuer=solar, learner=sol, provider="solar-trades",
        course="solar-install-day", hours=7.5, completed_on=date(2026, 4, 18), external_id="c-1",
        actor=OPERATOR,
    )  # fmt: skip
    assert [a.achievement for a in done.awarded] == ["solar-panel-installation"]
    assert uow.session.query(AwardRow).one().counted == [done.record_id]
    again = record_course_completion(
        uow, signing_keys(uow), issuer=solar, learner=sol, provider="solar-trades",
        course="solar-install-day", hours=7.5, completed_on=date(2026, 4, 18), external_id="c-1",
        actor=OPERATOR,
    )  # fmt: skip
    assert again.duplicate and uow.session.query(CourseCompletionRow).count() == 1
    with pytest.raises(Conflict, match="different content"):
        record_course_completion(
            uow, signing_keys(uow), issuer=solar, learner=sol, provider="solar-trades",
            course="solar-install-day", hours=3, completed_on=date(2026, 4, 18),
            external_id="c-1",
            actor=OPERATOR,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("hours", "credits"),
    [("0.01", "0.01"), ("0.1", 0.1), ("7.35", "999.99"), ("9999.99", 0.3), (19.99, "19.99")],
)
def test_hours_and_credits_come_back_exactly_as_recorded(
    uow: UnitOfWork, hours: object, credits: object
) -> None:
    # Stored and read back on both databases, then summed: never a binary-float neighbour.
    solar = issuer_with_catalog(uow, "solar-trades")
    sol = learner(uow, "sol")
    for day in (18, 19, 20):
        record_course_completion(
            uow, signing_keys(uow), issuer=solar, learner=sol, provider="solar-trades",
            course="solar-install-day", hours=hours, credits=credits,
            completed_on=date(2026, 4, day),
            actor=OPERATOR,
        )  # fmt: skip
    uow.session.expire_all()
    completions = [
        r for r in load_records(uow, sol, solar).items if isinstance(r, CourseCompletion)
    ]
    want = (Decimal(str(hours)), Decimal(str(credits)))
    assert [(c.hours, c.credits) for c in completions] == [want] * 3
    assert sum((c.credits for c in completions), Decimal(0)) == want[1] * 3


def test_too_few_hours_or_another_provider_say_why(uow: UnitOfWork) -> None:
    solar = issuer_with_catalog(uow, "solar-trades")
    sol = learner(uow, "sol")
    short = record_course_completion(
        uow, signing_keys(uow), issuer=solar, learner=sol, provider="solar-trades",
        course="solar-install-day", hours=4, completed_on=date(2026, 4, 18),
        actor=OPERATOR,
    )  # fmt: skip
    assert short.awarded == ()
    assert short.not_awarded == {
        "solar-panel-installation": (
            "course solar-install-day lasted 4 hours; at least 7 required",
        )
    }
    elsewhere = record_course_completion(
        uow, signing_keys(uow), issuer=solar, learner=sol, provider="sunny-college",
        course="solar-install-day", hours=8, completed_on=date(2026, 4, 19),
        actor=OPERATOR,
    )  # fmt: skip
    assert elsewhere.awarded == ()
    assert (
        "course solar-install-day is from sunny-college, not an approved provider"
        in elsewhere.not_awarded["solar-panel-installation"]
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hours": 0}, "hours must be more than 0"),
        ({"hours": float("nan")}, "hours must be a finite number"),
        ({"provider": "Solar Trades"}, "provider id 'Solar Trades'"),
        ({"credits": -3.0}, "credits cannot be negative"),
        ({"hours": "7.125"}, "hours must have at most 2 decimal places"),
        ({"hours": "seven"}, "'seven' is not a number"),
        ({"hours": 100_000}, "hours must be at most 10000"),
        ({"credits": "0.001"}, "credits must have at most 2 decimal places"),
    ],
)
def test_bad_completions_are_refused(
    uow: UnitOfWork, fields: dict[str, object], message: str
) -> None:
    solar = issuer_with_catalog(uow, "solar-trades")
    values: dict[str, object] = {
        "provider": "solar-trades", "course": "solar-install-day", "hours": 8.0,
    }  # fmt: skip
    values.update(fields)
    with pytest.raises(InvalidInput, match=message):
        record_course_completion(
            uow, signing_keys(uow), issuer=solar, learner=learner(uow, "sol"),
            completed_on=date(2026, 4, 18), **values,  # type: ignore[arg-type]
            actor=OPERATOR,
        )  # fmt: skip
    assert uow.session.query(CourseCompletionRow).count() == 0


def test_only_a_registrar_or_admin_records_completions(uow: UnitOfWork) -> None:
    solar = issuer_with_catalog(uow, "solar-trades")
    assessor = staff(uow, solar, "ann@solar.example", "assessor")
    with pytest.raises(Forbidden, match="needs the registrar or admin role"):
        record_course_completion(
            uow, signing_keys(uow),
            issuer=solar, learner=learner(uow, "sol"), provider="solar-trades",
            course="solar-install-day", hours=8, completed_on=date(2026, 4, 18),
            actor=acting(uow, assessor),
        )  # fmt: skip
