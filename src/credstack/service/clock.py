"""The one clock, and the issuer's calendar: what "today" and "in the future" mean for them.

Everything that needs the current time asks ``now()`` here (the store's UTC clock), and every
day is derived with ``domain.calendar.day_of`` in the issuer's zone, so the award, its
credential, the evaluator, expiry and CE cycles all put an event on the same day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from credstack.domain.calendar import (
    EARLIEST_DAY,
    LATEST_DAY,
    day_of,
    in_future,
    start_of,
    zone,
)
from credstack.errors import InvalidInput
from credstack.store.models import IssuerRow
from credstack.store.types import utcnow

__all__ = [
    "as_of",
    "check_day",
    "check_instant",
    "issuer_zone",
    "now",
    "on_day",
    "start_of_day",
    "today",
    "utc_today",
]


def now() -> datetime:
    """The current instant, aware and in UTC: the only wall-clock read outside ``store`` and
    ``vc``'s defaults (a layer test holds the code to that)."""
    return utcnow()


def utc_today() -> date:
    """Today in UTC: the day for a question that no one issuer's zone answers, such as a
    group of credentials from several issuers."""
    return day_of(now(), zone(None))


def issuer_zone(issuer: IssuerRow) -> ZoneInfo:
    """The zone the issuer's days are counted in (UTC for one stored before zones existed)."""
    try:
        return zone(issuer.timezone)
    except ValueError:  # pragma: no cover - catalogs are validated when loaded
        return zone(None)


def today(issuer: IssuerRow, at: datetime | None = None) -> date:
    return day_of(at or now(), issuer_zone(issuer))


def on_day(issuer: IssuerRow, instant: datetime) -> date:
    return day_of(instant, issuer_zone(issuer))


def start_of_day(issuer: IssuerRow, day: date) -> datetime:
    return start_of(day, issuer_zone(issuer))


def as_of(day: date | None, issuer: IssuerRow | None, what: str = "as_of") -> date:
    """The day a question is asked about: the one given (within range), else today in the
    issuer's zone (UTC when the question spans issuers)."""
    if day is None:
        return today(issuer) if issuer is not None else utc_today()
    return check_day(day, what, issuer, past=False)


def check_day(day: date, what: str, issuer: IssuerRow | None = None, *, past: bool = True) -> date:
    """A day a person gave: inside the years that mean something and, for `past` events
    (records, awards), not after today in the issuer's zone."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(
            f"{what} {day.isoformat()} is out of range "
            f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})"
        )
    if past and issuer is not None and day > today(issuer):
        raise InvalidInput(
            f"{what} {day.isoformat()} is in the future "
            f"(today is {today(issuer).isoformat()} for {issuer.key})"
        )
    return day


def check_instant(instant: datetime, what: str) -> datetime:
    """An event's time: it needs an offset and must not be in the future (5 minutes' grace)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(f"{what} needs a time zone (e.g. 2026-05-02T10:00:00+00:00)")
    if not EARLIEST_DAY <= instant.date() <= LATEST_DAY:
        raise InvalidInput(f"{what} {instant.isoformat()} is out of range")
    current = now()
    if in_future(instant, current):
        raise InvalidInput(
            f"{what} {instant.isoformat()} is in the future (now is "
            f"{current.isoformat(timespec='seconds')}); record events once they have happened"
        )
    return instant
