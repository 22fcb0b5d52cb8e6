"""Award time and re-evaluation put every event on the same day (issue 9, "which day").

An attempt is recorded as an instant with whatever offset the test platform used; the issuer's
zone (from its catalog) decides its day. The award, its credential's validFrom/validUntil, the
records the evaluator re-reads, and the decisions at validity and recency boundaries must all
agree, for offsets from -12:00 to +14:00 and zones with DST changes.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.domain.calendar import day_of, start_of, zone
from credstack.domain.durations import parse_duration
from credstack.domain.records import AssessmentResult, Award
from credstack.service import engine
from credstack.service.catalog import load_catalog
from credstack.service.earning import AttemptConditions, TotalScore
from credstack.service.keys import IssuerKeys, MemoryKeys
from credstack.service.people import add_issuer, add_learner
from credstack.service.records import load_records
from credstack.store.models import AssessmentAttemptRow, AwardRow, IssuerRow
from credstack.store.uow import UnitOfWork
from credstack.vc.vocabulary import parse_datetime
from tests.integration.earning.checked import record_result
from tests.integration.earning.earning_helpers import OPERATOR

BASE = "https://credstack.test"
ZONES = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
]
CATALOG = """format: credstack-catalog/1
issuer: {{id: {key}, name: Zoned Board, kind: certification-body, timezone: {zone}}}
achievements:
  - id: badge
    type: badge
    name: Exam badge
    validity: P1Y
    requirements: {{assessment: exam}}
  - id: recent
    type: badge
    name: Recent holder
    requirements: {{holds: badge, within: P30D}}
  - id: current
    type: badge
    name: Current holder
    requirements: {{holds: badge}}
assessments:
  - id: exam
    title: Exam
    max_score: 10
    cut_score: {{percent: 60}}
"""
DST_DAYS = [
    *(date(2024, 3, 10), date(2024, 11, 3)),  # New York, Chicago
    *(date(2024, 3, 31), date(2024, 10, 27)),  # Berlin
    *(date(2024, 4, 7), date(2024, 10, 6)),  # Lord Howe (30 minutes)
    *(date(2024, 9, 8), date(2025, 4, 6)),  # Santiago (at midnight)
]
_serial = itertools.count()


def zoned_issuer(uow: UnitOfWork, keys: IssuerKeys, zone_name: str) -> IssuerRow:
    key = f"zoned-{next(_serial)}"
    issuer = add_issuer(uow, keys, key=key, name="Zoned Board")
    load_catalog(
        uow, issuer_key=key, text=CATALOG.format(key=key, zone=zone_name), source="zoned.yaml"
    )
    return issuer


@st.composite
def attempts(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone and an attempt time within two hours of a day boundary (DST days included),
    written with a random offset from -12:00 to +14:00."""
    zone_name = draw(st.sampled_from(ZONES))
    day = draw(
        st.one_of(
            st.dates(min_value=date(2001, 1, 1), max_value=date(2025, 12, 31)),
            # the days around DST changes in the zones above
            st.sampled_from(DST_DAYS),
        )
    )
    minutes = draw(st.integers(min_value=-120, max_value=120))
    offset = timezone(timedelta(minutes=draw(st.integers(min_value=-720, max_value=840))))
    instant = start_of(day, zone(zone_name)) + timedelta(minutes=minutes)
    return zone_name, instant.astimezone(offset)


def check_agreement(uow: UnitOfWork, zone_name: str, sat_at: datetime) -> None:
    keys = MemoryKeys(uow, BASE)
    where = zone(zone_name)
    issuer = zoned_issuer(uow, keys, zone_name)
    ada = add_learner(uow, key=f"ada-{next(_serial)}", name="Ada")
    done = record_result(
        uow, keys, issuer=issuer, learner=ada, assessment="exam",
        result=TotalScore(8), conditions=AttemptConditions(sat_at=sat_at),
        actor=OPERATOR,
    )  # fmt: skip
    assert sorted(a.achievement for a in done.awarded) == ["badge", "current", "recent"]
    day = day_of(sat_at, where)
    awards = _awards_by_key(uow, ada.id)
    badge, recent = awards["badge"], awards["recent"]
    # At award time: both awards are dated on the attempt's day in the issuer's zone.
    assert badge.awarded_on == recent.awarded_on == day
    assert badge.awarded_at == sat_at
    assert badge.valid_until == parse_duration("P1Y").after(day) - timedelta(days=1)
    # The credential says the same days, read in the issuer's zone.
    assert badge.credential is not None
    valid_from = parse_datetime(badge.credential["validFrom"])
    valid_until = parse_datetime(badge.credential["validUntil"])
    assert valid_from is not None and valid_until is not None
    assert day_of(valid_from, where) == day
    assert day_of(valid_until, where) == badge.valid_until
    # On re-evaluation the evaluator re-reads the stored instants and gets the same days.
    records = load_records(uow, ada, issuer).items
    attempt = next(r for r in records if isinstance(r, AssessmentResult))
    held = {r.achievement_id: r for r in records if isinstance(r, Award)}
    assert attempt.taken_on == held["badge"].awarded_on == held["recent"].awarded_on == day
    assert held["badge"].valid_until == badge.valid_until

    def met(key: str, on: date) -> bool:
        return engine.progress(uow, learner=ada, issuer=issuer, achievement_key=key, as_of=on).met

    # Recency boundary: within P30D of the award day, decided on the same day both ways.
    assert met("recent", day + timedelta(days=30))
    assert not met("recent", day + timedelta(days=31))
    # Validity boundary: the credential's last second is on the evaluator's last valid day.
    assert badge.valid_until is not None
    assert met("current", badge.valid_until)
    assert not met("current", badge.valid_until + timedelta(days=1))
    assert day_of(valid_until + timedelta(seconds=1), where) == badge.valid_until + timedelta(1)


def _awards_by_key(uow: UnitOfWork, learner_id: int) -> dict[str, AwardRow]:
    out = {}
    for row in uow.session.query(AwardRow).filter_by(learner_id=learner_id):
        version = uow.achievements.version_by_id(row.achievement_version_id)
        assert version is not None
        out[str(version.definition["id"])] = row
    return out


def test_a_sitting_at_23_30_minus_8_is_one_day_everywhere(uow: UnitOfWork) -> None:
    """The issue's example: a Pacific-time sitting read by a Chicago issuer and a UTC one."""
    sat_at = datetime(2025, 3, 4, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
    check_agreement(uow, "America/Chicago", sat_at)  # 01:30 on the 5th there
    check_agreement(uow, "America/Los_Angeles", sat_at)  # the 4th there
    check_agreement(uow, "UTC", sat_at)  # 07:30 on the 5th


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=attempts())
def test_award_time_and_re_evaluation_always_agree(
    uow: UnitOfWork, case: tuple[str, datetime]
) -> None:
    zone_name, sat_at = case
    check_agreement(uow, zone_name, sat_at)


def test_the_stored_offset_is_kept(uow: UnitOfWork) -> None:
    sat_at = datetime(2025, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    check_agreement(uow, "Asia/Kathmandu", sat_at)
    row = uow.session.query(AssessmentAttemptRow).one()
    assert (row.sat_at, row.sat_offset) == (sat_at.astimezone(UTC), 345)
