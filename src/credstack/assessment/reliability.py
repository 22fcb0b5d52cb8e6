"""Internal-consistency reliability (KR-20, Cronbach's alpha) and the standard error of measurement.

Variances use the same divisor for items and totals, so KR-20 on 0/1 data equals alpha exactly
(the n versus n−1 choice cancels in the ratio).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from credstack.assessment._matrix import as_score_matrix
from credstack.assessment.errors import AssessmentError, StatisticUndefinedError

__all__ = ["cronbach_alpha", "kr20", "standard_error_of_measurement"]


def cronbach_alpha(scores: ArrayLike) -> float:
    """Alpha for polytomous (or any) item scores.

    k/(k−1)·(1 − Σ item variances / total variance); on 0/1 items it equals KR-20.
    """
    matrix = as_score_matrix(scores, min_items=2)
    items = int(matrix.shape[1])
    total_variance = float(np.var(matrix.sum(axis=1)))
    if total_variance == 0.0:
        raise StatisticUndefinedError(
            "reliability is undefined: every candidate has the same total score"
        )
    item_variance = float(np.var(matrix, axis=0).sum())
    return items / (items - 1) * (1.0 - item_variance / total_variance)


def kr20(scores: ArrayLike) -> float:
    """KR-20 for items scored 0 or 1: k/(k−1)·(1 − Σ p·q / total variance)."""
    matrix = as_score_matrix(scores, min_items=2)
    if not np.all((matrix == 0.0) | (matrix == 1.0)):
        raise AssessmentError(
            "KR-20 needs items scored 0 or 1; use Cronbach's alpha for weighted or partial credit"
        )
    items = int(matrix.shape[1])
    total_variance = float(np.var(matrix.sum(axis=1)))
    if total_variance == 0.0:
        raise StatisticUndefinedError(
            "reliability is undefined: every candidate has the same total score"
        )
    p = matrix.mean(axis=0)
    return items / (items - 1) * (1.0 - float((p * (1.0 - p)).sum()) / total_variance)


def standard_error_of_measurement(sd: float, reliability: float) -> float:
    """SD·√(1 − reliability): the spread of a candidate's observed score around the true score.

    A negative reliability (possible for alpha on a poor form) is allowed and gives an SEM
    larger than the SD, which is the honest reading of such a form.
    """
    if not math.isfinite(sd) or sd < 0:
        raise AssessmentError(f"the standard deviation must be a non-negative number, not {sd}")
    if not math.isfinite(reliability) or reliability > 1:
        raise AssessmentError(f"reliability must be a number no greater than 1, not {reliability}")
    return sd * math.sqrt(1.0 - reliability)
