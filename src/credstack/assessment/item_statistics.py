"""Classical item statistics: difficulty (p-value) and corrected point-biserial discrimination."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from credstack.assessment._matrix import FloatArray, as_score_matrix
from credstack.assessment.errors import AssessmentError

__all__ = ["corrected_point_biserial", "item_difficulty", "pearson"]


def item_difficulty(scores: ArrayLike, max_scores: ArrayLike | None = None) -> FloatArray:
    """Mean item score as a share of the item's maximum (the p-value; higher is easier).

    Without `max_scores` each item's maximum is taken as 1, the dichotomous case.
    """
    matrix = as_score_matrix(scores)
    if max_scores is None:
        maxima = np.ones(matrix.shape[1])
    else:
        maxima = np.asarray(max_scores, dtype=np.float64)
        if maxima.shape != (matrix.shape[1],) or np.any(maxima <= 0):
            raise AssessmentError("there must be one positive maximum score per item")
    if np.any(matrix < 0) or np.any(matrix > maxima):
        raise AssessmentError("an item score lies outside 0 and the item's maximum")
    result: FloatArray = matrix.mean(axis=0) / maxima
    return result


def corrected_point_biserial(scores: ArrayLike) -> FloatArray:
    """Correlation of each item with the total of the *other* items.

    Leaving the item out of the total removes the item's correlation with itself, which
    otherwise inflates discrimination on short forms. For dichotomous items this is the
    corrected point-biserial; for polytomous items, the corrected item-total correlation.
    An item (or rest score) that does not vary has no correlation: NaN.
    """
    matrix = as_score_matrix(scores, min_items=2)
    totals = matrix.sum(axis=1)
    result = np.empty(matrix.shape[1])
    for column in range(matrix.shape[1]):
        item = matrix[:, column]
        result[column] = pearson(item, totals - item)
    return result


def pearson(x: FloatArray, y: FloatArray) -> float:
    """Pearson's r, NaN when either variable is constant (rather than a warning and NaN)."""
    dx = x - x.mean()
    dy = y - y.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if denominator == 0.0:
        return float("nan")
    return float(np.clip((dx * dy).sum() / denominator, -1.0, 1.0))
