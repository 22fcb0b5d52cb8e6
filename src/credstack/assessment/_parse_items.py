"""Parsing of keyed items and rubrics from catalog data (see docs/assessments.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from credstack.assessment._reading import (
    PathT,
    Problems,
    read_int,
    read_mapping,
    read_number,
    read_text,
    read_token,
)
from credstack.assessment.definitions import (
    Item,
    MultipleChoiceItem,
    MultiSelectItem,
    MultiSelectScoring,
    Rubric,
    RubricCriterion,
    RubricLevel,
    TrueFalseItem,
)

__all__ = ["parse_items", "parse_rubric"]

_ITEM_TYPES = ("multiple-choice", "true-false", "multi-select")


def parse_items(raw: object, path: PathT, problems: Problems) -> tuple[Item, ...] | None:
    if not isinstance(raw, list) or not raw:
        problems.append((path, "items must be a non-empty list of items"))
        return None
    items: list[Item] = []
    seen: set[str] = set()
    ok = True
    for index, raw_item in enumerate(raw):
        item = _parse_item(raw_item, (*path, index), problems)
        if item is None:
            ok = False
            continue
        if item.id in seen:
            problems.append(((*path, index, "id"), f"item id '{item.id}' is used twice"))
            ok = False
        seen.add(item.id)
        items.append(item)
    return tuple(items) if ok else None


def _parse_item(raw: object, path: PathT, problems: Problems) -> Item | None:
    if not isinstance(raw, Mapping):
        problems.append((path, "each item must be a mapping with id, type and key"))
        return None
    kind = raw.get("type")
    if kind not in _ITEM_TYPES:
        where = (*path, "type") if "type" in raw else path
        problems.append((where, f"item type must be one of {', '.join(_ITEM_TYPES)}"))
        return None
    optional = {"weight", "prompt"}
    if kind == "true-false":
        fields = read_mapping(
            raw, path, problems, required=("id", "type", "key"), optional=optional, what="item"
        )
    else:
        if kind == "multi-select":
            optional.add("scoring")
        fields = read_mapping(
            raw,
            path,
            problems,
            required=("id", "type", "options", "key"),
            optional=optional,
            what="item",
        )
    if fields is None:
        return None
    item_id = read_token(fields["id"], (*path, "id"), problems, "item id")
    weight = 1.0
    if "weight" in fields:
        read_weight = read_number(
            fields["weight"],
            (*path, "weight"),
            problems,
            "item weight",
            minimum=0,
            exclusive_minimum=True,
        )
        if read_weight is None:
            return None
        weight = read_weight
    prompt = ""
    if "prompt" in fields:
        prompt = read_text(fields["prompt"], (*path, "prompt"), problems, "item prompt") or ""
    if item_id is None:
        return None
    if kind == "true-false":
        key = fields["key"]
        if not isinstance(key, bool):
            problems.append(((*path, "key"), "the key of a true-false item must be true or false"))
            return None
        return TrueFalseItem(id=item_id, key=key, weight=weight, prompt=prompt)
    options = _parse_options(fields["options"], (*path, "options"), problems)
    if options is None:
        return None
    if kind == "multiple-choice":
        key = fields["key"]
        if not isinstance(key, str) or key not in options:
            problems.append(
                ((*path, "key"), f"the key must be one of the options: {', '.join(options)}")
            )
            return None
        return MultipleChoiceItem(
            id=item_id, options=options, key=key, weight=weight, prompt=prompt
        )
    item = _parse_multi_select(fields, path, problems, item_id, options, weight)
    return None if item is None else replace(item, prompt=prompt)


def _parse_multi_select(
    fields: Mapping[str, object],
    path: PathT,
    problems: Problems,
    item_id: str,
    options: tuple[str, ...],
    weight: float,
) -> MultiSelectItem | None:
    raw_key = fields["key"]
    if (
        not isinstance(raw_key, list)
        or not raw_key
        or not all(isinstance(choice, str) and choice in options for choice in raw_key)
    ):
        problems.append(
            (
                (*path, "key"),
                f"the key must be a non-empty list of options from {', '.join(options)}",
            )
        )
        return None
    if len(set(raw_key)) != len(raw_key):
        problems.append(((*path, "key"), "the key lists an option twice"))
        return None
    scoring = MultiSelectScoring.ALL_OR_NOTHING
    if "scoring" in fields:
        try:
            scoring = MultiSelectScoring(str(fields["scoring"]))
        except ValueError:
            allowed = ", ".join(member.value for member in MultiSelectScoring)
            problems.append(((*path, "scoring"), f"scoring must be one of {allowed}"))
            return None
    return MultiSelectItem(
        id=item_id, options=options, key=frozenset(raw_key), weight=weight, scoring=scoring
    )


def _parse_options(raw: object, path: PathT, problems: Problems) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append((path, "options must be a list of at least two option labels"))
        return None
    options: list[str] = []
    for index, raw_option in enumerate(raw):
        # YAML reads an unquoted label such as `1` as a number; labels are text either way.
        value = (
            str(raw_option)
            if isinstance(raw_option, int) and not isinstance(raw_option, bool)
            else raw_option
        )
        option = read_token(value, (*path, index), problems, "an option label")
        if option is None:
            return None
        if option in options:
            problems.append(((*path, index), f"option '{option}' is listed twice"))
            return None
        options.append(option)
    return tuple(options)


def parse_rubric(raw: object, path: PathT, problems: Problems) -> Rubric | None:
    fields = read_mapping(raw, path, problems, required=("criteria",), optional=(), what="rubric")
    if fields is None:
        return None
    raw_criteria = fields["criteria"]
    if not isinstance(raw_criteria, list) or not raw_criteria:
        problems.append(((*path, "criteria"), "criteria must be a non-empty list"))
        return None
    criteria: list[RubricCriterion] = []
    seen: set[str] = set()
    ok = True
    for index, raw_criterion in enumerate(raw_criteria):
        criterion = _parse_criterion(raw_criterion, (*path, "criteria", index), problems)
        if criterion is None:
            ok = False
            continue
        if criterion.id in seen:
            problems.append(
                ((*path, "criteria", index, "id"), f"criterion id '{criterion.id}' is used twice")
            )
            ok = False
        seen.add(criterion.id)
        criteria.append(criterion)
    return Rubric(criteria=tuple(criteria)) if ok else None


def _parse_criterion(raw: object, path: PathT, problems: Problems) -> RubricCriterion | None:
    fields = read_mapping(
        raw,
        path,
        problems,
        required=("id", "title"),
        optional=("scale", "levels", "minimum"),
        what="rubric criterion",
    )
    if fields is None:
        return None
    criterion_id = read_token(fields["id"], (*path, "id"), problems, "criterion id")
    title = read_text(fields["title"], (*path, "title"), problems, "criterion title")
    if ("scale" in fields) == ("levels" in fields):
        problems.append(
            (path, "a rubric criterion needs either a scale such as [0, 4] or a list of levels")
        )
        return None
    levels: tuple[RubricLevel, ...] = ()
    if "scale" in fields:
        scale = _parse_scale(fields["scale"], (*path, "scale"), problems)
        if scale is None:
            return None
        low, high = scale
    else:
        parsed_levels = _parse_levels(fields["levels"], (*path, "levels"), problems)
        if parsed_levels is None:
            return None
        levels = parsed_levels
        low, high = levels[0].score, levels[-1].score
    minimum: int | None = None
    if "minimum" in fields:
        minimum = read_int(fields["minimum"], (*path, "minimum"), problems, "criterion minimum")
        if minimum is None:
            return None
        if not low <= minimum <= high:
            problems.append(
                (
                    (*path, "minimum"),
                    f"criterion minimum {minimum} is outside the scale {low}–{high}",
                )
            )
            return None
    if criterion_id is None or title is None:
        return None
    return RubricCriterion(
        id=criterion_id,
        title=title,
        min_score=low,
        max_score=high,
        levels=levels,
        minimum_to_pass=minimum,
    )


def _parse_scale(raw: object, path: PathT, problems: Problems) -> tuple[int, int] | None:
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(end, int) and not isinstance(end, bool) for end in raw)
        or raw[0] >= raw[1]
    ):
        problems.append((path, "scale must be [lowest, highest] whole numbers, e.g. [0, 4]"))
        return None
    return raw[0], raw[1]


def _parse_levels(raw: object, path: PathT, problems: Problems) -> tuple[RubricLevel, ...] | None:
    if not isinstance(raw, list) or len(raw) < 2:
        problems.append((path, "levels must be a list of at least two levels"))
        return None
    levels: list[RubricLevel] = []
    for index, raw_level in enumerate(raw):
        level_path = (*path, index)
        fields = read_mapping(
            raw_level,
            level_path,
            problems,
            required=("score", "label"),
            optional=("descriptor",),
            what="rubric level",
        )
        if fields is None:
            return None
        score = read_int(fields["score"], (*level_path, "score"), problems, "level score")
        label = read_text(fields["label"], (*level_path, "label"), problems, "level label")
        descriptor = ""
        if "descriptor" in fields:
            descriptor = (
                read_text(
                    fields["descriptor"], (*level_path, "descriptor"), problems, "level descriptor"
                )
                or ""
            )
        if score is None or label is None:
            return None
        if any(level.score == score for level in levels):
            problems.append(((*level_path, "score"), f"two levels have the score {score}"))
            return None
        levels.append(RubricLevel(score=score, label=label, descriptor=descriptor))
    return tuple(sorted(levels, key=lambda level: level.score))
