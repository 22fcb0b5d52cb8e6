"""An award import's batches take about `BATCH_SECONDS` each, within their bounds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from credstack.service.bulk.runner import (
    BATCH_ROWS,
    BATCH_SECONDS,
    MAX_BATCH_ROWS,
    MIN_BATCH_ROWS,
    BatchPace,
)


def test_a_paced_run_starts_at_batch_rows_and_grows_to_what_a_second_issues() -> None:
    pace = BatchPace()
    assert pace.rows == BATCH_ROWS
    pace.settled(BATCH_ROWS, 0.25)  # 2,000 rows a second
    assert pace.rows == round(2000 * BATCH_SECONDS)


def test_a_slow_or_busy_machine_gets_shorter_batches() -> None:
    pace = BatchPace()
    pace.settled(BATCH_ROWS, 4.0)  # 125 rows a second: a loaded machine
    assert pace.rows == max(MIN_BATCH_ROWS, round(125 * BATCH_SECONDS))
    pace.settled(pace.rows, 60.0)
    assert pace.rows == MIN_BATCH_ROWS


def test_a_last_short_batch_leaves_the_pace_alone() -> None:
    pace = BatchPace()
    pace.settled(BATCH_ROWS, 0.5)
    rows = pace.rows
    pace.settled(3, 0.5)  # the job's last three rows
    assert pace.rows == rows


def test_fixed_batches_stay_fixed() -> None:
    pace = BatchPace(7, fixed=True)
    pace.settled(7, 0.0001)
    assert pace.rows == 7


@given(st.lists(st.tuples(st.integers(0, 20_000), st.floats(0, 1e6, allow_nan=False)), max_size=30))
def test_the_pace_stays_within_its_bounds(batches: list[tuple[int, float]]) -> None:
    pace = BatchPace()
    for rows, seconds in batches:
        pace.settled(rows, seconds)
        assert MIN_BATCH_ROWS <= pace.rows <= MAX_BATCH_ROWS
