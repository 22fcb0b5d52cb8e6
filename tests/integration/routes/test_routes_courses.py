"""Course completions: hours from an approved provider earn the course route."""

from __future__ import annotations

from datetime import date

import pytest

from credstack.errors import Conflict, Forbidden, InvalidInput
from credstack.service.routes import record_course_completion
from credstack.store.models import AwardRow, CourseCompletionRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from tests.integration.routes.routes_helpers import issuer_with_catalog, learner, staff


def test_completing_the_one_day_course_awards_the_microcredential(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    solar = issuer_with_catalog(uow, master_key, "solar-trades")
    sol = learner(uow, "sol")
    done = record_course_completion(
        uow, None, issuer=solar, learner=sol, provider="solar-trades",
        course="solar-install-day", hours=7.5, completed_on=date(2026, 4, 18), external_id="c-1",
    )  # fmt: skip
    assert [a.achievement for a in done.awarded] == ["solar-panel-installation"]
    assert uow.session.query(AwardRow).one().counted == [done.record_id]
    again = record_course_completion(
        uow, None, issuer=solar, learner=sol, provider="solar-trades",
        course="solar-install-day", hours=7.5, completed_on=date(2026, 4, 18), external_id="c-1",
    )  # fmt: skip
    assert again.duplicate and uow.session.query(CourseCompletionRow).count() == 1
    with pytest.raises(Conflict, match="different content"):
        record_course_completion(
            uow, None, issuer=solar, learner=sol, provider="solar-trades",
            course="solar-install-day", hours=3, completed_on=date(2026, 4, 18),
            external_id="c-1",
        )  # fmt: skip


def test_too_few_hours_or_another_provider_say_why(uow: UnitOfWork, master_key: MasterKey) -> None:
    solar = issuer_with_catalog(uow, master_key, "solar-trades")
    sol = learner(uow, "sol")
    short = record_course_completion(
        uow, None, issuer=solar, learner=sol, provider="solar-trades",
        course="solar-install-day", hours=4, completed_on=date(2026, 4, 18),
    )  # fmt: skip
    assert short.awarded == ()
    assert short.not_awarded == {
        "solar-panel-installation": (
            "course solar-install-day lasted 4 hours; at least 7 required",
        )
    }
    elsewhere = record_course_completion(
        uow, None, issuer=solar, learner=sol, provider="sunny-college",
        course="solar-install-day", hours=8, completed_on=date(2026, 4, 19),
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
    ],
)
def test_bad_completions_are_refused(
    uow: UnitOfWork, master_key: MasterKey, fields: dict[str, object], message: str
) -> None:
    solar = issuer_with_catalog(uow, master_key, "solar-trades")
    values: dict[str, object] = {
        "provider": "solar-trades", "course": "solar-install-day", "hours": 8.0,
    }  # fmt: skip
    values.update(fields)
    with pytest.raises(InvalidInput, match=message):
        record_course_completion(
            uow, None, issuer=solar, learner=learner(uow, "sol"),
            completed_on=date(2026, 4, 18), **values,  # type: ignore[arg-type]
        )  # fmt: skip
    assert uow.session.query(CourseCompletionRow).count() == 0


def test_only_a_registrar_or_admin_records_completions(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    solar = issuer_with_catalog(uow, master_key, "solar-trades")
    assessor = staff(uow, solar, "ann@solar.example", "assessor")
    with pytest.raises(Forbidden, match="needs the registrar or admin role"):
        record_course_completion(
            uow, None, issuer=solar, learner=learner(uow, "sol"), provider="solar-trades",
            course="solar-install-day", hours=8, completed_on=date(2026, 4, 18),
            recorded_by=assessor,
        )  # fmt: skip
