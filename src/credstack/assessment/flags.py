"""Item flags: the conditions a reviewer should look at before trusting an item."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from credstack.assessment.distractors import DistractorAnalysis

__all__ = ["DEFAULT_THRESHOLDS", "FlagKind", "FlagThresholds", "ItemFlag", "flag_item"]


class FlagKind(StrEnum):
    NEGATIVE_DISCRIMINATION = "negative-discrimination"
    TOO_EASY = "too-easy"
    TOO_HARD = "too-hard"
    DISTRACTOR_NOT_CHOSEN = "distractor-not-chosen"
    DISTRACTOR_ATTRACTS_HIGH_SCORERS = "distractor-attracts-high-scorers"


@dataclass(frozen=True)
class FlagThresholds:
    # An item nearly everyone gets right (or wrong) cannot tell candidates apart.
    too_easy_above: float = 0.95
    too_hard_below: float = 0.2


DEFAULT_THRESHOLDS = FlagThresholds()


@dataclass(frozen=True)
class ItemFlag:
    item_id: str
    kind: FlagKind
    message: str
    option: str | None = None


def flag_item(
    item_id: str,
    difficulty: float,
    discrimination: float | None,
    distractors: DistractorAnalysis | None = None,
    thresholds: FlagThresholds = DEFAULT_THRESHOLDS,
) -> tuple[ItemFlag, ...]:
    flags: list[ItemFlag] = []
    if discrimination is not None and discrimination < 0:
        flags.append(
            ItemFlag(
                item_id,
                FlagKind.NEGATIVE_DISCRIMINATION,
                f"{item_id}: stronger candidates do worse on this item than weaker ones "
                f"(corrected point-biserial {discrimination:.2f}); check the key",
            )
        )
    if difficulty > thresholds.too_easy_above:
        flags.append(
            ItemFlag(
                item_id,
                FlagKind.TOO_EASY,
                f"{item_id}: {difficulty:.0%} answered correctly, "
                f"above {thresholds.too_easy_above:.0%}",
            )
        )
    if difficulty < thresholds.too_hard_below:
        flags.append(
            ItemFlag(
                item_id,
                FlagKind.TOO_HARD,
                f"{item_id}: only {difficulty:.0%} answered correctly, "
                f"below {thresholds.too_hard_below:.0%}",
            )
        )
    if distractors is not None:
        flags.extend(_distractor_flags(distractors))
    return tuple(flags)


def _distractor_flags(analysis: DistractorAnalysis) -> list[ItemFlag]:
    flags: list[ItemFlag] = []
    key = analysis.option(analysis.key)
    for distractor in analysis.distractors:
        if distractor.proportion == 0.0:
            flags.append(
                ItemFlag(
                    analysis.item_id,
                    FlagKind.DISTRACTOR_NOT_CHOSEN,
                    f"{analysis.item_id}: option {distractor.option} was chosen by nobody",
                    option=distractor.option,
                )
            )
        if distractor.upper_proportion > key.upper_proportion:
            flags.append(
                ItemFlag(
                    analysis.item_id,
                    FlagKind.DISTRACTOR_ATTRACTS_HIGH_SCORERS,
                    f"{analysis.item_id}: more high scorers chose option {distractor.option} "
                    f"({distractor.upper_proportion:.0%}) than the key {analysis.key} "
                    f"({key.upper_proportion:.0%}); check the key and the wording",
                    option=distractor.option,
                )
            )
    return flags
