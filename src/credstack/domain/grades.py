"""Letter grades and recency windows: the two ordinal scales requirements compare against.

Catalogs write grades as letters ("B or better") and windows as ISO 8601 durations ("P6Y");
both are kept as small values here so the evaluator compares integers and dates only.
"""

from __future__ import annotations

from credstack.domain.durations import Duration, parse_duration

__all__ = ["LETTER_GRADES", "grade_rank", "parse_window"]

#: Best first. Plus/minus steps are distinct: "B or better" excludes B-.
LETTER_GRADES: tuple[str, ...] = (
    "A+",
    "A",
    "A-",
    "B+",
    "B",
    "B-",
    "C+",
    "C",
    "C-",
    "D+",
    "D",
    "D-",
    "F",
)
_RANK = {g: len(LETTER_GRADES) - i for i, g in enumerate(LETTER_GRADES)}
# Pass/credit marks from transcripts that count as passing without a letter.
_RANK.update({"P": 0, "PASS": 0, "CR": 0})


def grade_rank(grade: str | None) -> int | None:
    """Higher is better; ``None`` for no grade or one not on the letter scale."""
    if grade is None:
        return None
    return _RANK.get(grade.strip().upper())


def parse_window(text: str) -> Duration | None:
    """``P6Y``, ``P18M``, ``P1Y6M``; ``None`` when the text is not such a duration.

    The grammar is the catalog's one for durations (``durations.parse_duration``), so a
    window and a validity period accept exactly the same texts.
    """
    try:
        duration = parse_duration(text.strip())
    except ValueError:
        return None
    return duration
