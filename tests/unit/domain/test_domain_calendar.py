"""The "which day" rule: one function decides the calendar day of every instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.domain.calendar import (
    CLOCK_SKEW,
    day_of,
    end_of,
    in_future,
    offset_minutes,
    start_of,
    zone,
)

# Zones with DST (north and south), a half-hour DST (Lord Howe), and the extremes of the clock.
ZONES = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
    "Asia/Kathmandu",
]

zones = st.sampled_from(ZONES).map(zone)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def near_midnight(draw: st.DrawFn) -> datetime:
    """An instant within two hours of some zone's midnight, as an attempt would report it."""
    where = draw(zones)
    day = draw(days)
    shift = timedelta(minutes=draw(st.integers(min_value=-120, max_value=120)))
    instant = start_of(day, where) + shift
    return instant.astimezone(draw(offsets))


def test_a_sitting_at_23_30_minus_8_is_dated_by_the_issuer_zone() -> None:
    sat = datetime(2026, 3, 4, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
    assert day_of(sat, zone("America/Los_Angeles")) == date(2026, 3, 4)
    assert day_of(sat, zone("UTC")) == date(2026, 3, 5)
    assert day_of(sat, zone("America/Chicago")) == date(2026, 3, 5)  # 01:30 there


def test_unknown_and_odd_zone_names_are_plain_errors() -> None:
    assert zone(None) == zone("UTC")
    odd = ("America", "posixrules", "UTC ", "x" * 300, "\x00")
    for name in ("Mars/Olympus_Mons", "../etc/passwd", "/usr/share/zoneinfo/UTC", *odd):
        with pytest.raises(ValueError, match="time zone"):
            zone(name)


def test_naive_instants_have_no_day() -> None:
    with pytest.raises(ValueError, match="offset"):
        day_of(datetime(2026, 1, 1, 12, 0), zone("UTC"))  # noqa: DTZ001 - refused on purpose


def test_days_across_dst_changes_start_and_end_on_themselves() -> None:
    berlin = zone("Europe/Berlin")
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert end_of(spring, berlin) - start_of(spring, berlin) == timedelta(hours=23, seconds=-1)
    assert end_of(autumn, berlin) - start_of(autumn, berlin) == timedelta(hours=25, seconds=-1)
    # Santiago skips midnight when DST starts: the day starts at its first real time, 01:00.
    santiago = zone("America/Santiago")
    start = start_of(date(2026, 9, 6), santiago)
    assert start.astimezone(santiago).hour == 1
    assert day_of(start, santiago) == date(2026, 9, 6)


def test_future_means_past_the_clock_skew() -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert not in_future(now + CLOCK_SKEW, now)
    assert in_future(now + CLOCK_SKEW + timedelta(seconds=1), now)
    assert offset_minutes(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-8)))) == -480


@settings(max_examples=300, deadline=None)
@given(instant=near_midnight(), where=zones)
def test_the_day_of_an_instant_does_not_depend_on_the_offset_it_was_written_with(
    instant: datetime, where: object
) -> None:
    assert isinstance(where, type(zone("UTC")))
    as_utc = instant.astimezone(UTC)
    assert day_of(instant, where) == day_of(as_utc, where)
    # Whatever offset a stored instant is re-read with, it stays on the same day.
    day = day_of(instant, where)
    assert start_of(day, where) <= as_utc <= end_of(day, where) + timedelta(seconds=1)


@settings(max_examples=300, deadline=None)
@given(day=days, where=zones)
def test_every_day_starts_and_ends_on_itself(day: date, where: object) -> None:
    assert isinstance(where, type(zone("UTC")))
    assert day_of(start_of(day, where), where) == day
    assert day_of(end_of(day, where), where) == day
    assert day_of(end_of(day, where) + timedelta(seconds=1), where) == day + timedelta(days=1)
