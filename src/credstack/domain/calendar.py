"""Which calendar day an instant counts for: the one rule every date in credstack follows.

An attempt at 23:30-08:00 is 07:30 the next day in UTC; if the award, its ``validFrom``, the
evaluator, expiry and CE cycles each took "the date" their own way, a validity or cycle boundary
could decide differently at award time and on re-evaluation. So every dated event is kept as an
instant, and its day is always ``day_of(instant, issuer zone)``: the wall-clock date in the
time zone of the issuer whose rules are applied (set in the catalog, UTC by default).

Days map back to instants the same way: a day starts at ``start_of(day, zone)`` (its first
instant, DST gaps included) and ends at ``end_of(day, zone)`` (its last whole second), so a
credential's ``validUntil`` falls on the expiry day wherever it is read in the issuer's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "CLOCK_SKEW",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "as_given",
    "day_of",
    "end_of",
    "in_future",
    "offset_minutes",
    "start_of",
    "zone",
]

CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of our clock an event may be dated before it counts as "in the future":
the machines that report attempts do not keep perfect time."""

EARLIEST_DAY = date(1900, 1, 1)
"""No credential, record or report date before this means anything to a registrar."""

LATEST_DAY = date(2199, 12, 31)
"""Reports and progress may look ahead (a renewal in 2040), but not past this; later dates are
typing slips (9999-12-01), and date arithmetic on them would overflow."""

_UTC = ZoneInfo("UTC")


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone called `name` (UTC when none); ValueError with a plain message if unknown."""
    if name is None or name == "":
        return _UTC
    if not isinstance(name, str) or name.startswith(("/", ".")) or ".." in name:
        raise ValueError(f"{name!r} is not an IANA time zone name such as America/Chicago")
    if name not in _known_zones():
        raise ValueError(
            f"unknown time zone {name[:64]!r}: use an IANA name such as America/Chicago or UTC"
        )
    return ZoneInfo(name)


@cache
def _known_zones() -> frozenset[str]:
    """Zone names the tz database has (directories and odd files are not zones)."""
    return frozenset(available_timezones()) | {"UTC"}


def day_of(instant: datetime, where: ZoneInfo) -> date:
    """The calendar day `instant` counts for in the zone `where`; naive instants are refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("an instant needs a UTC offset to fall on a calendar day")
    return instant.astimezone(where).date()


def start_of(day: date, where: ZoneInfo) -> datetime:
    """The first instant of `day` in `where` (after a DST gap at midnight, its first real time)."""
    # A midnight inside a DST gap does not exist: fold=0 reads it with the offset before the
    # gap, which lands on `day`'s first real time once converted.
    return datetime.combine(day, time(0, 0), tzinfo=where).astimezone(UTC)


def end_of(day: date, where: ZoneInfo) -> datetime:
    """The last whole second of `day` in `where` (credentials carry whole seconds)."""
    return start_of(day + timedelta(days=1), where) - timedelta(seconds=1)


def as_given(instant: datetime, offset: int | None) -> datetime:
    """A stored (UTC) instant shown with the offset it was given with (UTC when unknown)."""
    return instant.astimezone(timezone(timedelta(minutes=offset or 0)))


def offset_minutes(instant: datetime) -> int:
    """The UTC offset `instant` was given with, in minutes (−720 … +840 on Earth)."""
    offset = instant.utcoffset()
    if offset is None:
        raise ValueError("an instant needs a UTC offset")
    return int(offset.total_seconds() // 60)


def in_future(instant: datetime, now: datetime) -> bool:
    """After `now` by more than the clock skew we tolerate."""
    return instant > now + CLOCK_SKEW
