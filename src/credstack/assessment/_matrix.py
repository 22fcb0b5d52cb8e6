"""Validation of candidate-by-item score matrices shared by the statistics modules."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from credstack.assessment.errors import AssessmentError

__all__ = ["FloatArray", "as_score_matrix"]

FloatArray = NDArray[np.float64]


def as_score_matrix(scores: ArrayLike, *, min_items: int = 1) -> FloatArray:
    """Rows are candidates, columns are items; every entry an item score (no missing values).

    Missing values are refused rather than imputed: psychometric conventions differ (score as
    wrong, or drop the candidate), and the caller knows which applies.
    """
    try:
        matrix = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise AssessmentError(f"scores must be numbers: {error}") from error
    if matrix.ndim != 2:
        raise AssessmentError(
            "scores must be a table with one row per candidate and one column per item"
        )
    candidates, items = matrix.shape
    if candidates < 2:
        raise AssessmentError(f"statistics need at least 2 candidates, not {candidates}")
    if items < min_items:
        raise AssessmentError(f"this statistic needs at least {min_items} items, not {items}")
    if not np.all(np.isfinite(matrix)):
        raise AssessmentError("scores contain missing or infinite values")
    return matrix
