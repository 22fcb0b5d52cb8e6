"""Item analysis of a sat form: the statistics a quality reviewer sees (story 09).

Both entry points refuse forms sat by fewer than MIN_CANDIDATES candidates, since a p-value
or a reliability from a dozen people is noise that reads like a finding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike

from credstack.assessment._matrix import as_score_matrix
from credstack.assessment.definitions import AssessmentDefinition, MultipleChoiceItem
from credstack.assessment.distractors import DistractorAnalysis, distractor_analysis
from credstack.assessment.errors import (
    AssessmentError,
    StatisticUndefinedError,
    TooFewCandidatesError,
)
from credstack.assessment.flags import DEFAULT_THRESHOLDS, FlagThresholds, ItemFlag, flag_item
from credstack.assessment.item_statistics import corrected_point_biserial, item_difficulty
from credstack.assessment.reliability import (
    cronbach_alpha,
    kr20,
    standard_error_of_measurement,
)
from credstack.assessment.scoring import Answer, score_responses

__all__ = [
    "MIN_CANDIDATES",
    "FormReport",
    "ItemAnalysis",
    "ItemStatistics",
    "ReliabilityMethod",
    "form_report",
    "item_analysis",
]

MIN_CANDIDATES = 30


class ReliabilityMethod(StrEnum):
    KR20 = "KR-20"
    CRONBACH_ALPHA = "Cronbach's alpha"


@dataclass(frozen=True)
class ItemStatistics:
    item_id: str
    max_score: float
    mean_score: float
    difficulty: float  # p-value: mean score as a share of the maximum
    discrimination: float | None  # corrected point-biserial; None when the item did not vary


@dataclass(frozen=True)
class ItemAnalysis:
    candidates: int
    items: tuple[ItemStatistics, ...]
    mean: float
    sd: float  # of total scores, n-1 divisor
    reliability_method: ReliabilityMethod
    reliability: float | None
    sem: float | None
    # Why reliability (and so the SEM) is missing, in plain words; None when present.
    reliability_note: str | None = None

    def item(self, item_id: str) -> ItemStatistics:
        for statistics in self.items:
            if statistics.item_id == item_id:
                return statistics
        raise KeyError(item_id)


@dataclass(frozen=True)
class FormReport:
    assessment_id: str
    cut_score: str  # as documented, e.g. "70% (modified angoff, 2026-03, 8 judges)"
    pass_rate: float
    analysis: ItemAnalysis
    distractors: tuple[DistractorAnalysis, ...]
    flags: tuple[ItemFlag, ...]


def item_analysis(
    scores: ArrayLike,
    item_ids: Sequence[str],
    *,
    max_scores: ArrayLike | None = None,
    minimum_candidates: int = MIN_CANDIDATES,
) -> ItemAnalysis:
    """Statistics for a candidates × items score table.

    KR-20 is reported when every item is scored 0/1 with a maximum of 1, Cronbach's alpha
    otherwise (weighted or partial-credit items).
    """
    candidates = len(np.asarray(scores, dtype=object))
    if candidates < minimum_candidates:
        raise TooFewCandidatesError(candidates, minimum_candidates)
    matrix = as_score_matrix(scores, min_items=2)
    count = int(matrix.shape[1])
    if len(item_ids) != count:
        raise AssessmentError(f"{len(item_ids)} item ids given for {count} columns of scores")
    maxima = np.ones(count) if max_scores is None else np.asarray(max_scores, dtype=np.float64)
    difficulty = item_difficulty(matrix, maxima)
    discrimination = corrected_point_biserial(matrix)
    dichotomous = bool(np.all(maxima == 1.0) and np.all((matrix == 0.0) | (matrix == 1.0)))
    method = ReliabilityMethod.KR20 if dichotomous else ReliabilityMethod.CRONBACH_ALPHA
    totals = matrix.sum(axis=1)
    sd = float(totals.std(ddof=1))
    reliability: float | None
    sem: float | None
    note = None
    try:
        reliability = kr20(matrix) if dichotomous else cronbach_alpha(matrix)
        sem = standard_error_of_measurement(sd, reliability)
    except StatisticUndefinedError as error:
        reliability = sem = None
        note = str(error)
    items = tuple(
        ItemStatistics(
            item_id=item_id,
            max_score=float(maxima[column]),
            mean_score=float(matrix[:, column].mean()),
            difficulty=float(difficulty[column]),
            discrimination=None
            if math.isnan(discrimination[column])
            else float(discrimination[column]),
        )
        for column, item_id in enumerate(item_ids)
    )
    return ItemAnalysis(
        candidates=candidates,
        items=items,
        mean=float(totals.mean()),
        sd=sd,
        reliability_method=method,
        reliability=reliability,
        sem=sem,
        reliability_note=note,
    )


def form_report(
    definition: AssessmentDefinition,
    responses: Sequence[Mapping[str, Answer]],
    *,
    minimum_candidates: int = MIN_CANDIDATES,
    thresholds: FlagThresholds = DEFAULT_THRESHOLDS,
) -> FormReport:
    """Score every candidate's answers with the keys, then analyse items, options and flags.

    `responses` holds one mapping per candidate (item id → answer); unanswered items score 0.
    """
    if definition.rubric is not None:
        raise AssessmentError(
            f"'{definition.id}' is scored with a rubric; item analysis needs keyed items"
        )
    if not definition.items:
        raise AssessmentError(
            f"'{definition.id}' is scored externally; item analysis needs keyed items"
        )
    if len(responses) < minimum_candidates:
        raise TooFewCandidatesError(len(responses), minimum_candidates)
    scored = [score_responses(definition, answers) for answers in responses]
    matrix = np.array([[outcome.score for outcome in result.items] for result in scored])
    analysis = item_analysis(
        matrix,
        [item.id for item in definition.items],
        max_scores=[item.max_score for item in definition.items],
        minimum_candidates=minimum_candidates,
    )
    totals = matrix.sum(axis=1)
    distractors = {
        item.id: distractor_analysis(
            item, [_chosen(answers.get(item.id)) for answers in responses], totals
        )
        for item in definition.items
        if isinstance(item, MultipleChoiceItem)
    }
    flags = tuple(
        flag
        for statistics in analysis.items
        for flag in flag_item(
            statistics.item_id,
            statistics.difficulty,
            statistics.discrimination,
            distractors.get(statistics.item_id),
            thresholds,
        )
    )
    return FormReport(
        assessment_id=definition.id,
        cut_score=definition.cut_score.describe(),
        pass_rate=sum(result.passed for result in scored) / len(scored),
        analysis=analysis,
        distractors=tuple(distractors.values()),
        flags=flags,
    )


def _chosen(answer: Answer) -> str | None:
    # score_responses has already checked that a multiple-choice answer is one of the options.
    return answer if isinstance(answer, str) else None
