"""A certification body's continuing-education office: who to remind, and closing cycles.

Use cases over `service.ce` for the CLI and the API, taking plain ids and an `Actor`. Without
an issuer they span every issuer, which only the operator may do; with one, staff need a role
there. Closing is one transaction, committed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credstack.errors import Forbidden
from credstack.service import ce, clock
from credstack.service.actor import Actor, authorise
from credstack.service.learners import profile
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = ["Closure", "QueuedReminder", "Reminder", "close_cycles", "queue_reminders", "reminders"]


def _scope(uow: UnitOfWork, actor: Actor, issuer: str | None, *roles: str) -> IssuerRow | None:
    """The issuer asked about (the actor holding one of `roles` there), or None for all."""
    if issuer is None:
        if not actor.is_operator:
            raise Forbidden("only the operator may act for every issuer at once")
        return None
    authorise(actor, issuer, *roles)
    return require_issuer(uow, issuer)


@dataclass(frozen=True)
class Reminder:
    learner: str
    """The learner's key."""
    name: str | None
    email: str | None
    issuer: str
    achievement: str
    hours_needed: Decimal
    days_left: int
    cycle_end: date


def reminders(
    runtime: Runtime, actor: Actor, *, issuer: str | None, days: int, as_of: date | None
) -> list[Reminder]:
    """Certificants short of hours with fewer than `days` days left in their cycle."""
    with runtime.uow(write=False) as uow:
        where = _scope(uow, actor, issuer, "admin", "registrar")
        due = ce.reminders(uow, as_of=clock.as_of(as_of, where), days=days)
        out = []
        for r in due:
            if where is not None and r.issuer.id != where.id:
                continue
            person = profile(uow, r.learner)
            out.append(
                Reminder(
                    learner=r.learner.key,
                    name=person.name,
                    email=person.email,
                    issuer=r.issuer.key,
                    achievement=r.achievement_key,
                    hours_needed=r.report.hours_needed,
                    days_left=r.report.days_left,
                    cycle_end=r.report.cycle.end,
                )
            )
        return out


@dataclass(frozen=True)
class Closure:
    award: str
    """The award's public id."""
    renewed: bool
    """Renewed into the next cycle, else lapsed."""
    starts_on: date
    ends_on: date
    hours: Decimal


def close_cycles(
    runtime: Runtime, actor: Actor, *, issuer: str | None, as_of: date | None
) -> list[Closure]:
    """Close the cycles (of one issuer, or all) that ended before the day: renew or lapse."""
    with runtime.uow() as uow:
        where = _scope(uow, actor, issuer, "admin")
        closures = ce.close_due_cycles(uow, on=clock.as_of(as_of, where), issuer=where)
        out = [
            Closure(
                award=c.award.public_id,
                renewed=c.renewed,
                starts_on=c.cycle.starts_on,
                ends_on=c.cycle.ends_on,
                hours=c.report.hours,
            )
            for c in closures
        ]
        uow.commit()
        return out


@dataclass(frozen=True)
class QueuedReminder:
    """A reminder e-mail now in the outbox."""

    learner: str
    """The learner's key."""
    issuer: str
    achievement: str
    threshold: int
    """The configured number of days before the cycle's end that this reminder answers."""
    hours_needed: Decimal
    days_left: int
    cycle_end: date


def queue_reminders(
    runtime: Runtime, actor: Actor, *, issuer: str | None, as_of: date | None
) -> list[QueuedReminder]:
    """Queue the reminder e-mails due at the configured thresholds (`ce_reminder_days`),
    each at most once per cycle; committed here."""
    with runtime.uow() as uow:
        where = _scope(uow, actor, issuer, "admin", "registrar")
        queued = ce.queue_reminders(
            uow,
            as_of=clock.as_of(as_of, where),
            thresholds=runtime.settings.ce_reminder_days,
            issuer=where,
        )
        out = [
            QueuedReminder(
                learner=q.learner.key,
                issuer=q.issuer.key,
                achievement=q.achievement_key,
                threshold=q.threshold,
                hours_needed=q.report.hours_needed,
                days_left=q.report.days_left,
                cycle_end=q.report.cycle.end,
            )
            for q in queued
        ]
        uow.commit()
        return out
