"""Assessments: definitions, scoring, retake rules and psychometrics.

Pure: no database, no I/O, no imports from other credstack packages. NumPy only.
"""

from credstack.assessment.angoff import AngoffRound, AngoffStudy, angoff_round, modified_angoff
from credstack.assessment.attempts import AttemptDecision, PriorAttempt, check_attempt
from credstack.assessment.definitions import (
    AssessmentDefinition,
    AssessmentKind,
    AttemptsPolicy,
    CutScore,
    CutScoreUnit,
    Delivery,
    Item,
    MultipleChoiceItem,
    MultiSelectItem,
    MultiSelectScoring,
    Rubric,
    RubricCriterion,
    RubricLevel,
    StandardSetting,
    StandardSettingMethod,
    TrueFalseItem,
)
from credstack.assessment.distractors import (
    UPPER_LOWER_FRACTION,
    DistractorAnalysis,
    OptionStatistics,
    distractor_analysis,
    upper_lower_groups,
)
from credstack.assessment.errors import (
    AssessmentError,
    ScoringError,
    StatisticUndefinedError,
    TooFewCandidatesError,
)
from credstack.assessment.flags import (
    DEFAULT_THRESHOLDS,
    FlagKind,
    FlagThresholds,
    ItemFlag,
    flag_item,
)
from credstack.assessment.form_report import (
    MIN_CANDIDATES,
    FormReport,
    ItemAnalysis,
    ItemStatistics,
    ReliabilityMethod,
    form_report,
    item_analysis,
)
from credstack.assessment.item_statistics import corrected_point_biserial, item_difficulty
from credstack.assessment.parsing import parse_assessment
from credstack.assessment.reliability import cronbach_alpha, kr20, standard_error_of_measurement
from credstack.assessment.scoring import (
    Answer,
    CriterionScore,
    ItemOutcome,
    ObjectiveScore,
    RubricScore,
    score_item,
    score_responses,
    score_rubric,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "MIN_CANDIDATES",
    "UPPER_LOWER_FRACTION",
    "AngoffRound",
    "AngoffStudy",
    "Answer",
    "AssessmentDefinition",
    "AssessmentError",
    "AssessmentKind",
    "AttemptDecision",
    "AttemptsPolicy",
    "CriterionScore",
    "CutScore",
    "CutScoreUnit",
    "Delivery",
    "DistractorAnalysis",
    "FlagKind",
    "FlagThresholds",
    "FormReport",
    "Item",
    "ItemAnalysis",
    "ItemFlag",
    "ItemOutcome",
    "ItemStatistics",
    "MultiSelectItem",
    "MultiSelectScoring",
    "MultipleChoiceItem",
    "ObjectiveScore",
    "OptionStatistics",
    "PriorAttempt",
    "ReliabilityMethod",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "RubricScore",
    "ScoringError",
    "StandardSetting",
    "StandardSettingMethod",
    "StatisticUndefinedError",
    "TooFewCandidatesError",
    "TrueFalseItem",
    "angoff_round",
    "check_attempt",
    "corrected_point_biserial",
    "cronbach_alpha",
    "distractor_analysis",
    "flag_item",
    "form_report",
    "item_analysis",
    "item_difficulty",
    "kr20",
    "modified_angoff",
    "parse_assessment",
    "score_item",
    "score_responses",
    "score_rubric",
    "standard_error_of_measurement",
    "upper_lower_groups",
]
