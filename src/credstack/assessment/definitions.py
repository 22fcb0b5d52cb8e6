"""What an assessment is: its items and keys or its rubric, its cut score and its rules.

Definitions are immutable values built once from the catalog (see `parsing.py`) and shared by
scoring, attempts checks and psychometrics, so none of them needs the catalog's raw shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from credstack.assessment.errors import AssessmentError

__all__ = [
    "AssessmentDefinition",
    "AssessmentKind",
    "AttemptsPolicy",
    "CutScore",
    "CutScoreUnit",
    "Delivery",
    "Item",
    "MultiSelectItem",
    "MultiSelectScoring",
    "MultipleChoiceItem",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "StandardSetting",
    "StandardSettingMethod",
    "TrueFalseItem",
]

# Percentages and weighted sums are floats; a candidate exactly on the cut must pass even when
# binary rounding lands a hair below it (0.1 + 0.2 style), so comparisons allow this much slack.


def exact_fraction(value: float | int | Fraction | Decimal) -> Fraction:
    """The amount a number was written as: a float through its shortest text (0.1 is 1/10)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


@dataclass(frozen=True)
class MultipleChoiceItem:
    """One keyed option among several; the other options are the distractors."""

    id: str
    options: tuple[str, ...]
    key: str
    weight: float = 1.0
    prompt: str = ""

    def __post_init__(self) -> None:
        _check_weight(self.id, self.weight)
        if self.key not in self.options or len(set(self.options)) != len(self.options):
            raise AssessmentError(f"item '{self.id}': the key must be one of distinct options")

    @property
    def max_score(self) -> float:
        return self.weight

    @property
    def distractors(self) -> tuple[str, ...]:
        return tuple(option for option in self.options if option != self.key)


@dataclass(frozen=True)
class TrueFalseItem:
    id: str
    key: bool
    weight: float = 1.0
    prompt: str = ""

    def __post_init__(self) -> None:
        _check_weight(self.id, self.weight)

    @property
    def max_score(self) -> float:
        return self.weight


class MultiSelectScoring(StrEnum):
    """How a select-all-that-apply item earns credit."""

    ALL_OR_NOTHING = "all-or-nothing"
    # Each option judged on its own (selected when keyed, left alone when not), earning
    # weight / number of options; rewards partial knowledge at the cost of a polytomous item.
    PER_OPTION = "per-option"


@dataclass(frozen=True)
class MultiSelectItem:
    id: str
    options: tuple[str, ...]
    key: frozenset[str]
    weight: float = 1.0
    scoring: MultiSelectScoring = MultiSelectScoring.ALL_OR_NOTHING
    prompt: str = ""

    def __post_init__(self) -> None:
        _check_weight(self.id, self.weight)
        if not self.key or not self.key <= set(self.options):
            raise AssessmentError(f"item '{self.id}': the key must be options of the item")

    @property
    def max_score(self) -> float:
        return self.weight


Item = MultipleChoiceItem | TrueFalseItem | MultiSelectItem


def _check_weight(item_id: str, weight: float) -> None:
    if not weight > 0:
        raise AssessmentError(f"item '{item_id}': the weight must be positive, not {weight}")


@dataclass(frozen=True)
class RubricLevel:
    score: int
    label: str
    descriptor: str = ""


@dataclass(frozen=True)
class RubricCriterion:
    """One scored aspect of a performance task.

    `levels` may be empty, in which case any whole number from `min_score` to `max_score`
    is a valid score (e.g. a capstone "scored 0–4" with no named levels).
    """

    id: str
    title: str
    min_score: int
    max_score: int
    levels: tuple[RubricLevel, ...] = ()
    minimum_to_pass: int | None = None

    def __post_init__(self) -> None:
        if self.min_score >= self.max_score:
            raise AssessmentError(f"criterion '{self.id}': the scale must run low to high")
        if self.minimum_to_pass is not None and not (
            self.min_score <= self.minimum_to_pass <= self.max_score
        ):
            raise AssessmentError(f"criterion '{self.id}': the minimum lies outside the scale")

    def allows(self, score: int) -> bool:
        if self.levels:
            return any(level.score == score for level in self.levels)
        return self.min_score <= score <= self.max_score


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[RubricCriterion, ...]

    @property
    def min_score(self) -> int:
        return sum(criterion.min_score for criterion in self.criteria)

    @property
    def max_score(self) -> int:
        return sum(criterion.max_score for criterion in self.criteria)


class StandardSettingMethod(StrEnum):
    """Recognised ways of setting a cut score, named as in the standard-setting literature."""

    ANGOFF = "angoff"
    MODIFIED_ANGOFF = "modified-angoff"
    EBEL = "ebel"
    NEDELSKY = "nedelsky"
    BOOKMARK = "bookmark"
    HOFSTEE = "hofstee"
    BORDERLINE_GROUP = "borderline-group"
    CONTRASTING_GROUPS = "contrasting-groups"
    # A cut fixed by policy (e.g. "70% for every course quiz") without a study.
    POLICY = "policy"


@dataclass(frozen=True)
class StandardSetting:
    """How the cut score was set, so reviewers and verifiers can judge its defensibility."""

    method: StandardSettingMethod
    conducted: str | None = None  # e.g. "2026-03"; free text because studies span days
    judges: int | None = None
    note: str | None = None

    def describe(self) -> str:
        parts = [self.method.value.replace("-", " ")]
        if self.conducted:
            parts.append(self.conducted)
        if self.judges is not None:
            parts.append(f"{self.judges} judge{'s' if self.judges != 1 else ''}")
        return ", ".join(parts)


class CutScoreUnit(StrEnum):
    PERCENT = "percent"
    RAW = "raw"


@dataclass(frozen=True)
class CutScore:
    value: float
    unit: CutScoreUnit
    standard_setting: StandardSetting | None = None

    def __post_init__(self) -> None:
        if not self.value > 0 or (self.unit is CutScoreUnit.PERCENT and self.value > 100):
            raise AssessmentError(f"a cut score of {self.value:g} {self.unit.value} is impossible")

    @property
    def documented(self) -> bool:
        """Whether the catalog says how the cut was set, which the quality review asks for."""
        return self.standard_setting is not None

    def as_raw(self, maximum: float) -> float:
        if self.unit is CutScoreUnit.RAW:
            return self.value
        return self.value * maximum / 100.0

    def as_percent(self, maximum: float) -> float:
        if self.unit is CutScoreUnit.PERCENT:
            return self.value
        return 100.0 * self.value / maximum if maximum else 0.0

    def is_met(self, raw: float | Fraction, maximum: float) -> bool:
        """Decided in exact rational arithmetic: 70% of 30 is 21, and 20.999999999999996
        (three tenths summed as floats) is below it, with no tolerance to argue about."""
        got, top, cut = exact_fraction(raw), exact_fraction(maximum), exact_fraction(self.value)
        if self.unit is CutScoreUnit.RAW:
            return got >= cut
        return got * 100 >= cut * top

    def describe(self) -> str:
        amount = f"{self.value:g}%" if self.unit is CutScoreUnit.PERCENT else f"{self.value:g}"
        if self.standard_setting is None:
            return amount
        return f"{amount} ({self.standard_setting.describe()})"


@dataclass(frozen=True)
class AttemptsPolicy:
    """Retake rules. `max_attempts=None` means unlimited; a zero wait allows same-day retakes."""

    max_attempts: int | None = None
    wait: timedelta = timedelta(0)
    retake_after_pass: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts is not None and self.max_attempts < 1:
            raise AssessmentError("an attempts policy must allow at least one attempt")
        if self.wait < timedelta(0):
            raise AssessmentError("the waiting period between attempts cannot be negative")


@dataclass(frozen=True)
class Delivery:
    """Rigor the assessment is meant to be delivered with; the result records what happened."""

    proctored: bool = False
    identity_verification: str | None = None  # e.g. "government-id"


class AssessmentKind(StrEnum):
    OBJECTIVE = "objective"
    RUBRIC = "rubric"
    # Scored by an outside test platform that reports only a total out of `max_score`
    # (story 01's exams "out of 100"): credstack keeps the cut score and the rules, not the items.
    EXTERNAL = "external"


@dataclass(frozen=True)
class AssessmentDefinition:
    """Keyed items (objective), a rubric (performance task) or an external total: one of them."""

    id: str
    title: str
    cut_score: CutScore
    items: tuple[Item, ...] = ()
    rubric: Rubric | None = None
    attempts: AttemptsPolicy = field(default_factory=AttemptsPolicy)
    delivery: Delivery = field(default_factory=Delivery)
    description: str = ""
    external_max_score: float | None = None

    def __post_init__(self) -> None:
        ways = sum((bool(self.items), self.rubric is not None, self.external_max_score is not None))
        if ways != 1:
            raise AssessmentError(
                f"assessment '{self.id}' needs exactly one of items, a rubric or an external "
                "maximum score"
            )
        if self.external_max_score is not None and not self.external_max_score > 0:
            raise AssessmentError(f"assessment '{self.id}': the maximum score must be positive")
        if len({item.id for item in self.items}) != len(self.items):
            raise AssessmentError(f"assessment '{self.id}' uses an item id twice")
        if self.cut_score.unit is CutScoreUnit.RAW and self.cut_score.value > self.max_score:
            raise AssessmentError(f"assessment '{self.id}': the cut is above the maximum score")

    @property
    def kind(self) -> AssessmentKind:
        if self.rubric is not None:
            return AssessmentKind.RUBRIC
        if self.external_max_score is not None:
            return AssessmentKind.EXTERNAL
        return AssessmentKind.OBJECTIVE

    @property
    def max_score(self) -> float:
        if self.rubric is not None:
            return float(self.rubric.max_score)
        if self.external_max_score is not None:
            return self.external_max_score
        return sum(item.max_score for item in self.items)

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)
