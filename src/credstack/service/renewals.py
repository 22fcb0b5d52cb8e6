"""A certification body's continuing-education office: who to remind, and closing cycles.

Use cases over `service.ce` for the CLI and the API, taking plain ids and an `Actor`. Without
an issuer they span every issuer, which only the operator may do; with one, staff need a role
there. Closing is one transaction, committed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credstack.errors import Forbidden, InvalidInput
from credstack.limits import PAGE_ITEMS
from credstack.service import ce, clock, paging
from credstack.service.actor import Actor, authorise
from credstack.service.learners import profile
from credstack.service.paging import Pager
from credstack.service.people import require_issuer
from credstack.service.runtime import Runtime
from credstack.store.models import IssuerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "Closure",
    "QueuedReminder",
    "Reminder",
    "ReminderPage",
    "close_cycles",
    "queue_reminders",
    "reminder_page",
    "reminders",
]


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


MAX_REMINDER_DAYS = 36_600
"""A window of a hundred years is every cycle there is; more is a typo (and a date overflow)."""


def _window_days(days: int) -> int:
    if not 0 <= days <= MAX_REMINDER_DAYS:
        raise InvalidInput(f"days: give a number from 0 to {MAX_REMINDER_DAYS}")
    return days


def _shown(uow: UnitOfWork, due: list[ce.Reminder]) -> list[Reminder]:
    out = []
    for r in due:
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


def reminders(
    runtime: Runtime, actor: Actor, *, issuer: str | None, days: int, as_of: date | None
) -> list[Reminder]:
    """Certificants short of hours with fewer than `days` days left in their cycle."""
    with runtime.uow(write=False) as uow:
        where = _scope(uow, actor, issuer, "admin", "registrar")
        on = clock.as_of(as_of, where)
        return _shown(uow, ce.reminders(uow, as_of=on, days=_window_days(days), issuer=where))


@dataclass(frozen=True)
class ReminderPage:
    reminders: tuple[Reminder, ...]
    """Those short of hours among the page's cycles (so at most `PAGE_ITEMS`, maybe none)."""
    pager: Pager
    """Over the open cycles of active certifications ending within the window (its `total`)."""


def reminder_page(
    runtime: Runtime, actor: Actor, *, issuer: str, days: int, as_of: date | None, page: int
) -> ReminderPage:
    """One page of `reminders` at one issuer: `PAGE_ITEMS` cycles ending within the window,
    counted and cut in SQL, and only those judged, so a page costs what it holds whatever the
    number of certificants. NotFound past the last page."""
    if page < 1:
        raise InvalidInput("page: give a number from 1")
    with runtime.uow(write=False) as uow:
        where = _scope(uow, actor, issuer, "admin", "registrar")
        assert where is not None
        on = clock.as_of(as_of, where)
        window = _window_days(days)
        start, pager = paging.window(ce.due_count(uow, as_of=on, days=window, issuer=where), page)
        due = ce.reminders(uow, as_of=on, days=window, issuer=where, window=(start, PAGE_ITEMS))
        return ReminderPage(tuple(_shown(uow, due)), pager)


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
