"""Progress reads as a sentence: "1 of 1 requirement", "3 of 5 requirements"."""

from __future__ import annotations

from decimal import Decimal

from credstack.domain.outcome import Progress


def test_one_needed_is_singular_and_more_are_plural() -> None:
    assert str(Progress(1, 1, "requirements")) == "1 of 1 requirement"
    assert str(Progress(0, 1, "requirements")) == "0 of 1 requirement"
    assert str(Progress(3, 5, "requirements")) == "3 of 5 requirements"
    assert str(Progress(21, 30, "credits")) == "21 of 30 credits"
    assert str(Progress(Decimal("1.5"), 1, "hours")) == "1.5 of 1 hour"
