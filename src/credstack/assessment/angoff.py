"""Modified-Angoff standard setting.

Each judge estimates, item by item, the probability that a minimally competent candidate
answers correctly; a judge's cut score is the sum of those expectations, and the panel's
recommendation is the mean over judges. The spread across judges (SD, and the standard error
of the mean) is what lets a board say how stable the cut is. Later rounds, after judges have
discussed and seen impact data, supersede earlier ones; the final round is recommended.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from credstack.assessment.definitions import (
    CutScore,
    CutScoreUnit,
    StandardSetting,
    StandardSettingMethod,
)
from credstack.assessment.errors import AssessmentError

__all__ = ["AngoffRound", "AngoffStudy", "angoff_round", "modified_angoff"]


@dataclass(frozen=True)
class AngoffRound:
    judge_cut_scores: tuple[float, ...]  # raw, one per judge
    raw_cut: float
    percent_cut: float
    max_score: float
    sd: float  # across judges' cut scores, n-1 divisor
    standard_error: float  # sd / √judges

    @property
    def judges(self) -> int:
        return len(self.judge_cut_scores)


@dataclass(frozen=True)
class AngoffStudy:
    rounds: tuple[AngoffRound, ...]

    @property
    def final(self) -> AngoffRound:
        return self.rounds[-1]

    @property
    def recommended_raw(self) -> float:
        return self.final.raw_cut

    @property
    def recommended_percent(self) -> float:
        return self.final.percent_cut

    @property
    def recommended_whole_raw(self) -> int:
        """The raw cut rounded up: a candidate needs a whole score at or above the panel's cut."""
        return math.ceil(self.final.raw_cut - 1e-9)

    def cut_score(self, *, conducted: str | None = None, note: str | None = None) -> CutScore:
        """The recommendation as a catalog cut score, documenting how it was set."""
        setting = StandardSetting(
            method=StandardSettingMethod.MODIFIED_ANGOFF,
            conducted=conducted,
            judges=self.final.judges,
            note=note,
        )
        return CutScore(
            value=self.recommended_percent, unit=CutScoreUnit.PERCENT, standard_setting=setting
        )


def angoff_round(ratings: ArrayLike, max_scores: ArrayLike | None = None) -> AngoffRound:
    """`ratings` has one row per judge and one column per item, each a probability in [0, 1].

    `max_scores` weights items worth more than one point (a judge's 0.6 on a 2-point item
    expects 1.2 points); without it every item is worth 1.
    """
    matrix = np.asarray(ratings, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] < 2 or matrix.shape[1] < 1:
        raise AssessmentError(
            "Angoff ratings need one row per judge (at least 2 judges) and one column per item"
        )
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0) or np.any(matrix > 1):
        raise AssessmentError("every Angoff rating must be a probability between 0 and 1")
    if max_scores is None:
        maxima = np.ones(matrix.shape[1])
    else:
        maxima = np.asarray(max_scores, dtype=np.float64)
        if maxima.shape != (matrix.shape[1],) or np.any(maxima <= 0):
            raise AssessmentError("there must be one positive maximum score per rated item")
    judge_cuts = matrix @ maxima
    judges = judge_cuts.size
    maximum = float(maxima.sum())
    raw_cut = float(judge_cuts.mean())
    sd = float(judge_cuts.std(ddof=1))
    return AngoffRound(
        judge_cut_scores=tuple(float(cut) for cut in judge_cuts),
        raw_cut=raw_cut,
        percent_cut=100.0 * raw_cut / maximum,
        max_score=maximum,
        sd=sd,
        standard_error=sd / math.sqrt(judges),
    )


def modified_angoff(
    rounds: Sequence[ArrayLike], max_scores: ArrayLike | None = None
) -> AngoffStudy:
    """Summarise every round; the recommendation comes from the last one."""
    if not rounds:
        raise AssessmentError("an Angoff study needs at least one round of ratings")
    summaries = tuple(angoff_round(ratings, max_scores) for ratings in rounds)
    shapes = {np.asarray(ratings).shape for ratings in rounds}
    if len(shapes) != 1:
        raise AssessmentError("every round must rate the same items by the same judges")
    return AngoffStudy(rounds=summaries)
