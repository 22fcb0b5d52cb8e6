"""CE compliance by cycle: how many certificants' cycles renewed, lapsed, or are on track.

Closed cycles carry their outcome (compliant: renewed into the next cycle; lapsed). Open cycles
of active certifications are judged on `as_of` by the same compliance rule `service.ce` renews
on. Cycles are grouped by certification and the year they end, and a period selects cycles by
their end date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from credstack.domain.ce import Cycle, compliance
from credstack.domain.records import AwardStatus
from credstack.service.analytics.figures import CeCycleFigures, Period, rate
from credstack.service.ce import maintenance_rule
from credstack.service.records import load_records, record_id
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AwardRow,
    CeCycleRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = ["ce_compliance"]


def _compliant_now(
    uow: UnitOfWork, issuer: IssuerRow, award: AwardRow, cycle_row: CeCycleRow, as_of: date
) -> bool:
    version = uow.achievements.version_by_id(award.achievement_version_id)
    learner = uow.session.get(LearnerRow, award.learner_id)
    assert version is not None
    assert learner is not None
    rule = maintenance_rule(uow, version)
    if rule is None:
        return False
    held = uow.awards.for_learner(learner.id)
    counted = uow.records.counted_in_cycles([a.id for a in held])
    elsewhere = frozenset(
        record_id("award", a.public_id)
        for a in held
        if a.id in counted and counted[a.id] != cycle_row.id
    )
    records = load_records(uow, learner, issuer).items
    cycle = Cycle(cycle_row.starts_on, cycle_row.ends_on)
    return compliance(rule[0], cycle, records, as_of, elsewhere).compliant


def ce_compliance(
    uow: UnitOfWork, issuer: IssuerRow, period: Period, as_of: date
) -> tuple[CeCycleFigures, ...]:
    rows = uow.session.execute(
        select(AchievementRow.key, AwardRow, CeCycleRow)
        .join(CeCycleRow, CeCycleRow.award_id == AwardRow.id)
        .join(AchievementVersionRow, AchievementVersionRow.id == AwardRow.achievement_version_id)
        .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
        .where(AwardRow.issuer_id == issuer.id)
        .order_by(CeCycleRow.ends_on, CeCycleRow.id)
    ).all()
    tally: dict[tuple[str, int], dict[str, int]] = defaultdict(
        lambda: {"compliant": 0, "lapsed": 0, "open": 0, "on_track": 0}
    )
    for key, award, cycle_row in rows:
        if cycle_row.ends_on not in period:
            continue
        where = (str(key), cycle_row.ends_on.year)
        if cycle_row.status in ("compliant", "lapsed"):
            tally[where][cycle_row.status] += 1
        elif cycle_row.status == "open" and award.status == AwardStatus.ACTIVE:
            group = tally[where]
            group["open"] += 1
            group["on_track"] += _compliant_now(uow, issuer, award, cycle_row, as_of)
    return tuple(
        CeCycleFigures(
            certification=key,
            end_year=year,
            closed_compliant=g["compliant"],
            closed_lapsed=g["lapsed"],
            compliance_rate=rate(g["compliant"], g["compliant"] + g["lapsed"]),
            open=g["open"],
            open_compliant_now=g["on_track"],
        )
        for (key, year), g in sorted(tally.items())
    )
