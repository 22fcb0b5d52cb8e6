"""Distractor analysis for multiple-choice items.

A good distractor is chosen by some candidates, mostly weaker ones; one nobody picks adds
nothing, and one that draws strong candidates usually means an ambiguous stem or a wrong key.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from credstack.assessment.definitions import MultipleChoiceItem
from credstack.assessment.errors import AssessmentError, ScoringError
from credstack.assessment.item_statistics import pearson

__all__ = [
    "UPPER_LOWER_FRACTION",
    "DistractorAnalysis",
    "OptionStatistics",
    "distractor_analysis",
    "upper_lower_groups",
]

# Kelley's 27%: the group size that best trades group extremeness against group size.
UPPER_LOWER_FRACTION = 0.27


@dataclass(frozen=True)
class OptionStatistics:
    option: str
    is_key: bool
    proportion: float
    upper_proportion: float
    lower_proportion: float
    # Upper minus lower proportion choosing it: positive for the key, negative for a distractor
    # that works.
    discrimination: float
    # Choosing this option (1/0) against the score on the other items; None when undefined.
    point_biserial: float | None


@dataclass(frozen=True)
class DistractorAnalysis:
    item_id: str
    key: str
    options: tuple[OptionStatistics, ...]
    omitted: float

    def option(self, label: str) -> OptionStatistics:
        for statistics in self.options:
            if statistics.option == label:
                return statistics
        raise KeyError(label)

    @property
    def distractors(self) -> tuple[OptionStatistics, ...]:
        return tuple(statistics for statistics in self.options if not statistics.is_key)


def upper_lower_groups(
    totals: ArrayLike, fraction: float = UPPER_LOWER_FRACTION
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Indices of the highest and lowest scoring candidates, `fraction` of them each.

    Candidates are ranked once, by a stable sort, so the two groups never share anyone even
    when every total is tied; at a tied group edge the earlier candidate in input order ranks
    lower. The same data therefore always gives the same groups.
    """
    scores = np.asarray(totals, dtype=np.float64)
    if scores.ndim != 1 or scores.size < 2:
        raise AssessmentError("upper and lower groups need the totals of at least 2 candidates")
    if not 0 < fraction <= 0.5:
        raise AssessmentError(f"the group fraction must be above 0 and at most 0.5, not {fraction}")
    size = max(1, math.floor(fraction * scores.size + 0.5))
    size = min(size, scores.size // 2)
    ranked = np.argsort(scores, kind="stable")
    lower = ranked[:size]
    upper = ranked[scores.size - size :][::-1]
    return upper, lower


def distractor_analysis(
    item: MultipleChoiceItem,
    choices: Sequence[str | None],
    totals: ArrayLike,
    *,
    fraction: float = UPPER_LOWER_FRACTION,
) -> DistractorAnalysis:
    """`choices[i]` is candidate i's option (None if omitted); `totals[i]` their total score."""
    scores = np.asarray(totals, dtype=np.float64)
    if scores.shape != (len(choices),):
        raise AssessmentError("there must be one total score per candidate's choice")
    stray = sorted({c for c in choices if c is not None and c not in item.options})
    if stray:
        raise ScoringError(
            f"item '{item.id}' has options {', '.join(item.options)}; "
            f"{', '.join(repr(c) for c in stray)} is not among them"
        )
    upper, lower = upper_lower_groups(scores, fraction)
    picked = np.array([choice if choice is not None else "" for choice in choices], dtype=object)
    item_scores = np.where(picked == item.key, item.weight, 0.0)
    rest = scores - item_scores
    options = []
    for option in item.options:
        chose = (picked == option).astype(np.float64)
        upper_share = float(chose[upper].mean())
        lower_share = float(chose[lower].mean())
        r = pearson(chose, rest)
        options.append(
            OptionStatistics(
                option=option,
                is_key=option == item.key,
                proportion=float(chose.mean()),
                upper_proportion=upper_share,
                lower_proportion=lower_share,
                discrimination=upper_share - lower_share,
                point_biserial=None if math.isnan(r) else r,
            )
        )
    omitted = sum(1 for choice in choices if choice is None) / len(choices)
    return DistractorAnalysis(
        item_id=item.id, key=item.key, options=tuple(options), omitted=omitted
    )
