"""Scoring a candidate's answers against the keys, and a reviewer's rubric scores.

Bad input raises ScoringError with a plain message rather than being scored as wrong: an
answer for an item the form does not have, or a rubric score off the scale, is a data-entry
or integration mistake that must not silently become a fail on someone's record.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

from credstack.assessment.definitions import (
    AssessmentDefinition,
    Item,
    MultipleChoiceItem,
    MultiSelectItem,
    MultiSelectScoring,
    Rubric,
    TrueFalseItem,
    exact_fraction,
)
from credstack.assessment.errors import ScoringError

__all__ = [
    "Answer",
    "CriterionScore",
    "ItemOutcome",
    "ObjectiveScore",
    "RubricScore",
    "score_item",
    "score_responses",
    "score_rubric",
    "score_total",
]

# A chosen option (multiple choice), true/false, or the chosen options (multi-select).
# None, or a missing entry, means the candidate left the item unanswered: it earns nothing.
Answer = str | bool | Collection[str] | None


@dataclass(frozen=True)
class ItemOutcome:
    item_id: str
    score: float
    max_score: float
    answered: bool
    # The score as an exact fraction (partial credit of 1/3 stays 1/3), which the cut score
    # is judged on; ``score`` is its float for storage and display.
    exact: Fraction | None = None

    @property
    def correct(self) -> bool:
        return self.score >= self.max_score


@dataclass(frozen=True)
class ObjectiveScore:
    raw: float
    max_score: float
    percent: float
    passed: bool
    items: tuple[ItemOutcome, ...]


@dataclass(frozen=True)
class CriterionScore:
    criterion_id: str
    score: int
    max_score: int
    meets_minimum: bool


@dataclass(frozen=True)
class RubricScore:
    raw: int
    max_score: int
    percent: float
    passed: bool
    criteria: tuple[CriterionScore, ...]
    # Why a total above the cut still failed (a criterion below its own minimum), else empty.
    reasons: tuple[str, ...] = ()


def score_responses(
    definition: AssessmentDefinition, answers: Mapping[str, Answer]
) -> ObjectiveScore:
    if definition.rubric is not None:
        raise ScoringError(
            f"assessment '{definition.id}' is scored with a rubric, not with item answers"
        )
    if definition.external_max_score is not None:
        raise ScoringError(
            f"assessment '{definition.id}' is scored by an external platform; record its total "
            "score, not item answers"
        )
    known = {item.id for item in definition.items}
    unknown = sorted(item_id for item_id in answers if item_id not in known)
    if unknown:
        raise ScoringError(
            f"assessment '{definition.id}' has no item {', '.join(repr(i) for i in unknown)}"
        )
    outcomes = tuple(score_item(item, answers.get(item.id)) for item in definition.items)
    exact_raw = sum(
        (o.exact if o.exact is not None else exact_fraction(o.score) for o in outcomes),
        Fraction(0),
    )
    raw = float(exact_raw)
    maximum = definition.max_score
    return ObjectiveScore(
        raw=raw,
        max_score=maximum,
        percent=100.0 * raw / maximum,
        passed=definition.cut_score.is_met(exact_raw, maximum),
        items=outcomes,
    )


def score_total(definition: AssessmentDefinition, raw: float) -> ObjectiveScore:
    """Judge a total reported by a test platform against the cut score.

    Allowed for externally scored assessments and for keyed forms delivered elsewhere; a
    rubric's total must come from its criteria, so it is refused here.
    """
    if definition.rubric is not None:
        raise ScoringError(
            f"assessment '{definition.id}' is scored with a rubric; give a score per criterion"
        )
    maximum = definition.max_score
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= maximum:
        raise ScoringError(
            f"a score of {raw!r} is out of range for '{definition.id}': "
            f"use a number from 0 to {maximum:g}"
        )
    return ObjectiveScore(
        raw=float(raw),
        max_score=maximum,
        percent=100.0 * raw / maximum,
        passed=definition.cut_score.is_met(raw, maximum),
        items=(),
    )


def score_item(item: Item, answer: Answer) -> ItemOutcome:
    if answer is None:
        return ItemOutcome(item.id, 0.0, item.max_score, answered=False, exact=Fraction(0))
    weight = exact_fraction(item.weight)
    earned: Fraction
    if isinstance(item, TrueFalseItem):
        if not isinstance(answer, bool):
            raise ScoringError(f"item '{item.id}' is true/false; the answer {answer!r} is neither")
        earned = weight if answer is item.key else Fraction(0)
    elif isinstance(item, MultipleChoiceItem):
        if not isinstance(answer, str) or answer not in item.options:
            raise ScoringError(
                f"item '{item.id}' has options {', '.join(item.options)}; "
                f"the answer {answer!r} is not one of them"
            )
        earned = weight if answer == item.key else Fraction(0)
    else:
        earned = _score_multi_select(item, answer, weight)
    return ItemOutcome(item.id, float(earned), item.max_score, answered=True, exact=earned)


def _score_multi_select(item: MultiSelectItem, answer: Answer, weight: Fraction) -> Fraction:
    # A bare string is a Collection[str] too; treating "AC" as {"A", "C"} would hide a bug.
    if isinstance(answer, str | bool) or answer is None:
        raise ScoringError(f"item '{item.id}' takes a list of chosen options, not {answer!r}")
    chosen = set(answer)
    stray = sorted(str(option) for option in chosen if option not in item.options)
    if stray:
        raise ScoringError(
            f"item '{item.id}' has options {', '.join(item.options)}; "
            f"{', '.join(stray)} {'is' if len(stray) == 1 else 'are'} not among them"
        )
    if item.scoring is MultiSelectScoring.ALL_OR_NOTHING:
        return weight if chosen == item.key else Fraction(0)
    right = sum(1 for option in item.options if (option in chosen) == (option in item.key))
    return weight * right / len(item.options)


def score_rubric(definition: AssessmentDefinition, scores: Mapping[str, int]) -> RubricScore:
    rubric = definition.rubric
    if rubric is None:
        raise ScoringError(
            f"assessment '{definition.id}' is scored from item answers, not with a rubric"
        )
    _check_rubric_entries(definition.id, rubric, scores)
    criteria = tuple(
        CriterionScore(
            criterion_id=criterion.id,
            score=scores[criterion.id],
            max_score=criterion.max_score,
            meets_minimum=criterion.minimum_to_pass is None
            or scores[criterion.id] >= criterion.minimum_to_pass,
        )
        for criterion in rubric.criteria
    )
    raw = sum(entry.score for entry in criteria)
    reasons = tuple(
        f"{entry.criterion_id} scored {entry.score}; at least {criterion.minimum_to_pass} required"
        for entry, criterion in zip(criteria, rubric.criteria, strict=True)
        if not entry.meets_minimum
    )
    total_met = definition.cut_score.is_met(raw, rubric.max_score)
    return RubricScore(
        raw=raw,
        max_score=rubric.max_score,
        percent=100.0 * raw / rubric.max_score if rubric.max_score else 0.0,
        passed=total_met and not reasons,
        criteria=criteria,
        reasons=reasons,
    )


def _check_rubric_entries(assessment_id: str, rubric: Rubric, scores: Mapping[str, int]) -> None:
    by_id = {criterion.id: criterion for criterion in rubric.criteria}
    unknown = sorted(criterion_id for criterion_id in scores if criterion_id not in by_id)
    if unknown:
        raise ScoringError(
            f"the rubric of '{assessment_id}' has no criterion "
            f"{', '.join(repr(c) for c in unknown)}"
        )
    missing = [criterion.id for criterion in rubric.criteria if criterion.id not in scores]
    if missing:
        raise ScoringError(f"no score given for criterion {', '.join(missing)}")
    for criterion_id, score in scores.items():
        criterion = by_id[criterion_id]
        if isinstance(score, bool) or not isinstance(score, int):
            raise ScoringError(
                f"the score for {criterion_id} must be a whole number, not {score!r}"
            )
        if not criterion.allows(score):
            if criterion.levels:
                allowed = ", ".join(str(level.score) for level in criterion.levels)
                raise ScoringError(
                    f"{criterion_id} scored {score}, which is not a level of this criterion "
                    f"({allowed})"
                )
            raise ScoringError(
                f"{criterion_id} scored {score}, outside its scale "
                f"{criterion.min_score}–{criterion.max_score}"
            )
