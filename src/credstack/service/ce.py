"""Continuing-education cycles of certification holders: reports, renewal, lapse, reminders.

A cycle opens when a certification with a maintenance rule is awarded. It is closed on its last
day: compliant cycles renew the certification into the next cycle (starting the day after) and
record which activities they counted, so an activity never counts twice; short ones lapse the
certification (status expired, not revoked) and flag whatever was built on it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, select

from credstack.domain.ce import (
    CeRule,
    ComplianceReport,
    Cycle,
    close_cycle,
    compliance,
    needs_reminder,
    reminder_due,
)
from credstack.domain.quantities import show
from credstack.domain.records import AwardStatus
from credstack.domain.requirements import ContinuingEducation
from credstack.errors import Conflict, NotFound
from credstack.service import clock
from credstack.service.achievements import achievement_of
from credstack.service.lifecycle import expire_award
from credstack.service.mail import outbox as mail_outbox
from credstack.service.mail.kinds import CE_REMINDER
from credstack.service.records import load_records, of_learners, record_id
from credstack.service.webhooks import events as webhook_events
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AwardEventRow,
    AwardRow,
    CeCountRow,
    CeCycleRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "CycleClosure",
    "QueuedReminder",
    "Reminder",
    "certification_award",
    "close_due_cycles",
    "current_report",
    "due_count",
    "maintenance_rule",
    "open_first_cycle",
    "queue_reminders",
    "reminders",
    "renew",
    "report_for",
]


def maintenance_rule(uow: UnitOfWork, version: AchievementVersionRow) -> tuple[CeRule, int] | None:
    """The CE rule of a certification version and its reminder window, if it has one."""
    maintenance = achievement_of(uow, version).maintenance
    if maintenance is None or not isinstance(maintenance.requirement, ContinuingEducation):
        return None
    rule = CeRule.from_requirement(maintenance.requirement, maintenance.cycle)
    return rule, maintenance.reminder_days


def open_first_cycle(uow: UnitOfWork, award: AwardRow, version: AchievementVersionRow) -> None:
    rule = maintenance_rule(uow, version)
    if rule is None:
        return
    cycle = Cycle.starting(award.awarded_on, rule[0].cycle)
    uow.awards.add(
        CeCycleRow(
            award_id=award.id, number=1, starts_on=cycle.start, ends_on=cycle.end, status="open"
        )
    )


def _version(uow: UnitOfWork, award: AwardRow) -> AchievementVersionRow:
    version = uow.achievements.version_by_id(award.achievement_version_id)
    assert version is not None
    return version


def _open_cycle(uow: UnitOfWork, award: AwardRow) -> CeCycleRow:
    cycles = [c for c in uow.records.cycles(award.id) if c.status == "open"]
    if not cycles:
        raise NotFound("this certification has no open continuing-education cycle")
    return cycles[-1]


def _already_counted(uow: UnitOfWork, learner: LearnerRow, cycle: CeCycleRow) -> frozenset[str]:
    awards = uow.awards.for_learner(learner.id)
    counted = uow.records.counted_in_cycles([a.id for a in awards])
    return frozenset(
        record_id("award", a.public_id)
        for a in awards
        if a.id in counted and counted[a.id] != cycle.id
    )


def _report(
    uow: UnitOfWork, award: AwardRow, cycle_row: CeCycleRow, as_of: date
) -> ComplianceReport:
    learner, issuer = uow.awards.parties(award)
    rule = maintenance_rule(uow, _version(uow, award))
    if rule is None:
        raise NotFound("this certification has no continuing-education requirement")
    records = load_records(uow, learner, issuer).items
    cycle = Cycle(cycle_row.starts_on, cycle_row.ends_on)
    return compliance(rule[0], cycle, records, as_of, _already_counted(uow, learner, cycle_row))


def certification_award(
    uow: UnitOfWork, learner: LearnerRow, issuer: IssuerRow, achievement_key: str
) -> AwardRow:
    """The learner's latest award of this certification."""
    achievement = uow.achievements.by_key(issuer.id, achievement_key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {achievement_key!r}")
    held = [
        a
        for a in uow.awards.for_learner(learner.id)
        if _version(uow, a).achievement_id == achievement.id
    ]
    if not held:
        raise NotFound(f"{learner.key} does not hold {achievement_key}")
    return held[-1]


def current_report(uow: UnitOfWork, award: AwardRow, as_of: date) -> ComplianceReport | None:
    """Where the award's holder stands in its open CE cycle; None for an award without one."""
    if award.status != AwardStatus.ACTIVE or maintenance_rule(uow, _version(uow, award)) is None:
        return None
    cycles = [c for c in uow.records.cycles(award.id) if c.status == "open"]
    return _report(uow, award, cycles[-1], as_of) if cycles else None


def report_for(
    uow: UnitOfWork, *, learner: LearnerRow, issuer: IssuerRow, achievement_key: str, as_of: date
) -> ComplianceReport:
    award = certification_award(uow, learner, issuer, achievement_key)
    cycles = uow.records.cycles(award.id)
    if not cycles:
        raise NotFound(f"{achievement_key} has no continuing-education cycle for {learner.key}")
    current = next((c for c in cycles if c.starts_on <= as_of <= c.ends_on), cycles[-1])
    return _report(uow, award, current, as_of)


@dataclass(frozen=True)
class CycleClosure:
    award: AwardRow
    cycle: CeCycleRow
    report: ComplianceReport
    renewed: bool


def _count(
    uow: UnitOfWork,
    cycle_row: CeCycleRow,
    report: ComplianceReport,
    awards_by_rid: dict[str, AwardRow],
) -> None:
    for rid in report.counted:
        counted = awards_by_rid.get(rid)
        if counted is not None:
            uow.awards.add(CeCountRow(cycle_id=cycle_row.id, counted_award_id=counted.id))


def renew(uow: UnitOfWork, award: AwardRow, *, on: date) -> CycleClosure:
    """Renew now if the open cycle is already compliant (the new cycle still starts the day
    after the old one ends), so a certificant need not wait for the cycle's last day."""
    cycle_row = _open_cycle(uow, award)
    report = _report(uow, award, cycle_row, on)
    if not report.compliant:
        raise Conflict(f"the cycle is not compliant yet: {show(report.hours_needed)} hours short")
    return _close(uow, award, cycle_row, report, renewed=True)


def _close(
    uow: UnitOfWork,
    award: AwardRow,
    cycle_row: CeCycleRow,
    report: ComplianceReport,
    *,
    renewed: bool,
) -> CycleClosure:
    learner, _issuer = uow.awards.parties(award)
    by_rid = {record_id("award", a.public_id): a for a in uow.awards.for_learner(learner.id)}
    cycle_row.closed_at = clock.now()
    if renewed:
        cycle_row.status = "compliant"
        _count(uow, cycle_row, report, by_rid)
        rule = maintenance_rule(uow, _version(uow, award))
        assert rule is not None
        following = Cycle(cycle_row.starts_on, cycle_row.ends_on).following(rule[0].cycle)
        uow.awards.add(
            CeCycleRow(
                award_id=award.id,
                number=cycle_row.number + 1,
                starts_on=following.start,
                ends_on=following.end,
                status="open",
            )
        )
        award.valid_until = following.end
        uow.awards.add(
            AwardEventRow(
                award_id=award.id,
                kind="renewed",
                reason=f"CE cycle {cycle_row.number} compliant; valid "
                f"until {following.end.isoformat()}",
            )
        )
    else:
        cycle_row.status = "lapsed"
        expire_award(
            uow,
            award,
            on=cycle_row.ends_on,
            reason=f"continuing-education cycle {cycle_row.starts_on.isoformat()} to "
            f"{cycle_row.ends_on.isoformat()} ended {show(report.hours_needed)} hours short",
        )
    return CycleClosure(award, cycle_row, report, renewed)


def close_due_cycles(
    uow: UnitOfWork,
    *,
    on: date,
    issuer: IssuerRow | None = None,
    learner_ids: Collection[int] | None = None,
    span: tuple[int, int] | None = None,
) -> list[CycleClosure]:
    """Close every open cycle (of one issuer, or all; of some learners, or all) whose last
    day is before `on` (`span`: the learners' id range, as in `records.of_learners`)."""
    closures: list[CycleClosure] = []
    for award, cycle_row in _open_cycles(uow, learner_ids, span, ends_before=on):
        if award.status != AwardStatus.ACTIVE:
            continue
        if issuer is not None and award.issuer_id != issuer.id:
            continue
        rule = maintenance_rule(uow, _version(uow, award))
        assert rule is not None
        learner, issuer = uow.awards.parties(award)
        records = load_records(uow, learner, issuer).items
        cycle = Cycle(cycle_row.starts_on, cycle_row.ends_on)
        end = close_cycle(rule[0], cycle, records, _already_counted(uow, learner, cycle_row))
        closures.append(_close(uow, award, cycle_row, end.report, renewed=end.renewed))
    return closures


def _open_cycles(
    uow: UnitOfWork,
    learner_ids: Collection[int] | None = None,
    span: tuple[int, int] | None = None,
    *,
    ends_before: date | None = None,
    ends_by: date | None = None,
) -> list[tuple[AwardRow, CeCycleRow]]:
    """Open cycles and their awards, by last day; of some learners (by id list, or by the id
    range `span` that holds exactly them: one statement a driver prepares once), ending
    before `ends_before` or on or before `ends_by`."""
    query = (
        select(AwardRow, CeCycleRow)
        .join(CeCycleRow, CeCycleRow.award_id == AwardRow.id)
        .where(CeCycleRow.status == "open")
        .order_by(CeCycleRow.ends_on, AwardRow.id)
    )
    if learner_ids is not None or span is not None:
        query = query.where(of_learners(AwardRow.learner_id, learner_ids or (), span))
    if ends_before is not None:
        query = query.where(CeCycleRow.ends_on < ends_before)
    if ends_by is not None:
        query = query.where(CeCycleRow.ends_on <= ends_by)
    return [(a, c) for a, c in uow.session.execute(query).all()]


@dataclass(frozen=True)
class Reminder:
    learner: LearnerRow
    issuer: IssuerRow
    achievement_key: str
    report: ComplianceReport


def _due(as_of: date, days: int | None, issuer: IssuerRow | None) -> Select[AwardRow, CeCycleRow]:
    """Open cycles of active certifications whose last day is ``as_of`` or within ``days``
    after it (``days_left`` in [0, days)): the date part of `needs_reminder`, in SQL."""
    query = (
        select(AwardRow, CeCycleRow)
        .join(CeCycleRow, CeCycleRow.award_id == AwardRow.id)
        .where(
            CeCycleRow.status == "open",
            AwardRow.status == AwardStatus.ACTIVE.value,
            CeCycleRow.ends_on >= as_of,
        )
    )
    if days is not None:
        query = query.where(CeCycleRow.ends_on < as_of + timedelta(days=days))
    if issuer is not None:
        query = query.where(AwardRow.issuer_id == issuer.id)
    return query


def due_count(uow: UnitOfWork, *, as_of: date, days: int | None, issuer: IssuerRow | None) -> int:
    """How many cycles `reminders` judges over this window (what its pages divide)."""
    return int(
        uow.session.scalar(select(func.count()).select_from(_due(as_of, days, issuer).subquery()))
        or 0
    )


def reminders(
    uow: UnitOfWork,
    *,
    as_of: date,
    days: int | None = None,
    issuer: IssuerRow | None = None,
    window: tuple[int, int] | None = None,
) -> list[Reminder]:
    """Certificants short of hours with fewer than `days` days left (default: the catalog's).

    Only cycles ending in the window are read; ``window`` (offset, count) judges just those
    cycles of them, in order of their last day, so a page costs what it holds.
    """
    query = _due(as_of, days, issuer).order_by(CeCycleRow.ends_on, AwardRow.id)
    if window is not None:
        query = query.offset(window[0]).limit(window[1])
    out: list[Reminder] = []
    for award, cycle_row in uow.session.execute(query).all():
        version = _version(uow, award)
        rule = maintenance_rule(uow, version)
        assert rule is not None
        report = _report(uow, award, cycle_row, as_of)
        if needs_reminder(report, days if days is not None else rule[1]):
            learner, issuer_row = uow.awards.parties(award)
            achievement = uow.session.get(AchievementRow, version.achievement_id)
            assert achievement is not None
            out.append(Reminder(learner, issuer_row, achievement.key, report))
    return out


@dataclass(frozen=True)
class QueuedReminder:
    """A reminder e-mail queued: which threshold (days before the cycle's end) it answers."""

    learner: LearnerRow
    issuer: IssuerRow
    achievement_key: str
    threshold: int
    report: ComplianceReport


def _reminder_details(report: ComplianceReport, threshold: int) -> dict[str, object]:
    """What the message says, fixed when it is queued: the hours short as of that day."""
    return {
        "threshold": threshold,
        "as_of": report.as_of.isoformat(),
        "cycle_end": report.cycle.end.isoformat(),
        "days_left": report.days_left,
        "hours_needed": show(report.hours_needed),
        "short_by": show(report.short_by),
        "categories": [[c.category, show(c.short_by)] for c in report.categories if c.short_by > 0],
    }


def queue_reminders(
    uow: UnitOfWork,
    *,
    as_of: date,
    thresholds: Sequence[int],
    issuer: IssuerRow | None = None,
    learner_ids: Collection[int] | None = None,
    span: tuple[int, int] | None = None,
) -> list[QueuedReminder]:
    """E-mail every certificant short of hours whose cycle ends within a threshold.

    Each (cycle, threshold) is owed once, keyed in the outbox: running this again, the same
    day or the next, queues nothing new until the next threshold is reached. `span`: the
    learners' id range, as in `records.of_learners`.
    """
    queued: list[QueuedReminder] = []
    if not thresholds:
        return queued
    # Cycles far from their end need no report to know nothing is due: not even read.
    horizon = as_of + timedelta(days=max(thresholds))
    for award, cycle_row in _open_cycles(uow, learner_ids, span, ends_by=horizon):
        if award.status != AwardStatus.ACTIVE or (
            issuer is not None and award.issuer_id != issuer.id
        ):
            continue
        if (cycle_row.ends_on - as_of).days > max(thresholds):
            continue  # far from its end: no report needed to know nothing is due
        report = _report(uow, award, cycle_row, as_of)
        threshold = reminder_due(report, thresholds)
        if threshold is None:
            continue
        learner, held_by = uow.awards.parties(award)
        details = _reminder_details(report, threshold)
        webhook_events.ce_short(uow, award, cycle_row.id, threshold, details)
        row = mail_outbox.queue(
            uow,
            CE_REMINDER,
            learner,
            award_id=award.id,
            details=details,
            key=f"{CE_REMINDER}:{cycle_row.id}:{threshold}",
        )
        if row is not None:
            achievement = uow.session.get(AchievementRow, _version(uow, award).achievement_id)
            assert achievement is not None
            queued.append(QueuedReminder(learner, held_by, achievement.key, threshold, report))
    return queued
