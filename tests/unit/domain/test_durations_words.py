"""A duration reads as people say it, wherever it is shown."""

from __future__ import annotations

import pytest

from credstack.domain.durations import describe_duration, parse_duration


@pytest.mark.parametrize(
    ("iso", "words"),
    [
        ("P5Y", "5 years"),
        ("P1Y", "1 year"),
        ("P18M", "18 months"),
        ("P1Y6M", "1 year 6 months"),
        ("P90D", "90 days"),
        ("P1D", "1 day"),
        ("P2Y1M3D", "2 years 1 month 3 days"),
    ],
)
def test_durations_in_words(iso: str, words: str) -> None:
    assert describe_duration(iso) == words
    assert str(parse_duration(iso)) == words


def test_text_that_is_not_a_duration_is_shown_as_it_is() -> None:
    assert describe_duration("five years") == "five years"
