"""Building an AssessmentDefinition from the plain data a YAML catalog gives.

The shape is documented in docs/assessments.md. Problems are (path, message) pairs whose path
points at the offending key or list entry, so the catalog loader can show the file and line.
"""

from __future__ import annotations

from credstack.assessment._parse_items import parse_items, parse_rubric
from credstack.assessment._reading import (
    PathT,
    Problems,
    read_bool,
    read_date_text,
    read_duration,
    read_int,
    read_mapping,
    read_number,
    read_text,
    read_token,
)
from credstack.assessment.definitions import (
    AssessmentDefinition,
    AttemptsPolicy,
    CutScore,
    CutScoreUnit,
    Delivery,
    Item,
    Rubric,
    StandardSetting,
    StandardSettingMethod,
)

__all__ = ["parse_assessment"]

_TOP_LEVEL_OPTIONAL = (
    "title",
    "description",
    "items",
    "rubric",
    "max_score",
    "attempts",
    "delivery",
)


def parse_assessment(
    raw: object, path: tuple[str | int, ...]
) -> tuple[AssessmentDefinition | None, list[tuple[tuple[str | int, ...], str]]]:
    """Return the definition, or None with every problem found (not just the first)."""
    problems: Problems = []
    fields = read_mapping(
        raw,
        path,
        problems,
        required=("id", "cut_score"),
        optional=_TOP_LEVEL_OPTIONAL,
        what="assessment",
    )
    if fields is None:
        return None, problems
    assessment_id = read_token(fields["id"], (*path, "id"), problems, "assessment id")
    title = assessment_id or ""
    if "title" in fields:
        title = read_text(fields["title"], (*path, "title"), problems, "title") or title

    description = ""
    if "description" in fields:
        description = (
            read_text(fields["description"], (*path, "description"), problems, "description") or ""
        )
    items: tuple[Item, ...] | None = ()
    rubric: Rubric | None = None
    external: float | None = None
    has_items, has_rubric = "items" in fields, "rubric" in fields
    if has_items and has_rubric:
        problems.append(
            (path, "an assessment needs either 'items' (keyed questions) or 'rubric', not both")
        )
    elif "max_score" in fields and (has_items or has_rubric):
        problems.append(
            (
                (*path, "max_score"),
                "'max_score' is only for an assessment scored externally; items and rubrics "
                "have their own maximum",
            )
        )
    elif has_items:
        items = parse_items(fields["items"], (*path, "items"), problems)
    elif has_rubric:
        rubric = parse_rubric(fields["rubric"], (*path, "rubric"), problems)
    elif "max_score" in fields:
        external = read_number(
            fields["max_score"],
            (*path, "max_score"),
            problems,
            "max_score",
            minimum=0,
            exclusive_minimum=True,
        )
    else:
        problems.append(
            (
                path,
                "an assessment needs 'items' (keyed questions), a 'rubric', or 'max_score' "
                "(a total scored by an external test platform)",
            )
        )

    maximum: float | None = None
    if rubric is not None:
        maximum = float(rubric.max_score)
    elif items:
        maximum = sum(item.max_score for item in items)
    elif external is not None:
        maximum = external
    cut_score = _parse_cut_score(fields["cut_score"], (*path, "cut_score"), problems, maximum)

    attempts = AttemptsPolicy()
    if "attempts" in fields:
        attempts = _parse_attempts(fields["attempts"], (*path, "attempts"), problems) or attempts
    delivery = Delivery()
    if "delivery" in fields:
        delivery = _parse_delivery(fields["delivery"], (*path, "delivery"), problems) or delivery

    if problems or assessment_id is None or cut_score is None or items is None:
        return None, problems
    definition = AssessmentDefinition(
        id=assessment_id,
        title=title,
        cut_score=cut_score,
        items=items,
        rubric=rubric,
        attempts=attempts,
        delivery=delivery,
        description=description,
        external_max_score=external,
    )
    return definition, problems


def _parse_cut_score(
    raw: object, path: PathT, problems: Problems, maximum: float | None
) -> CutScore | None:
    fields = read_mapping(
        raw, path, problems, required=(), optional=("percent", "raw", "set_by"), what="cut_score"
    )
    if fields is None:
        return None
    if ("percent" in fields) == ("raw" in fields):
        problems.append((path, "cut_score needs exactly one of 'percent' or 'raw'"))
        return None
    if "percent" in fields:
        unit = CutScoreUnit.PERCENT
        value = read_number(
            fields["percent"],
            (*path, "percent"),
            problems,
            "percent cut score",
            minimum=0,
            maximum=100,
            exclusive_minimum=True,
        )
    else:
        unit = CutScoreUnit.RAW
        value = read_number(
            fields["raw"],
            (*path, "raw"),
            problems,
            "raw cut score",
            minimum=0,
            exclusive_minimum=True,
        )
        if value is not None and maximum is not None and value > maximum:
            problems.append(
                ((*path, "raw"), f"raw cut score {value:g} is above the maximum score {maximum:g}")
            )
            return None
    setting = None
    if "set_by" in fields:
        setting = _parse_standard_setting(fields["set_by"], (*path, "set_by"), problems)
        if setting is None:
            return None
    if value is None:
        return None
    return CutScore(value=value, unit=unit, standard_setting=setting)


def _parse_standard_setting(raw: object, path: PathT, problems: Problems) -> StandardSetting | None:
    fields = read_mapping(
        raw,
        path,
        problems,
        required=("method",),
        optional=("conducted", "judges", "note"),
        what="set_by",
    )
    if fields is None:
        return None
    try:
        method = StandardSettingMethod(str(fields["method"]))
    except ValueError:
        known = ", ".join(member.value for member in StandardSettingMethod)
        problems.append(((*path, "method"), f"standard-setting method must be one of {known}"))
        return None
    conducted = judges = note = None
    if "conducted" in fields:
        conducted = read_date_text(fields["conducted"], (*path, "conducted"), problems, "conducted")
    if "judges" in fields:
        judges = read_int(fields["judges"], (*path, "judges"), problems, "judges", minimum=1)
    if "note" in fields:
        note = read_text(fields["note"], (*path, "note"), problems, "note")
    if any(
        key in fields and value is None
        for key, value in (("conducted", conducted), ("judges", judges), ("note", note))
    ):
        return None
    return StandardSetting(method=method, conducted=conducted, judges=judges, note=note)


def _parse_attempts(raw: object, path: PathT, problems: Problems) -> AttemptsPolicy | None:
    fields = read_mapping(
        raw,
        path,
        problems,
        required=(),
        optional=("max", "wait", "retake_after_pass"),
        what="attempts",
    )
    if fields is None:
        return None
    policy = AttemptsPolicy()
    ok = True
    if "max" in fields:
        max_attempts = read_int(fields["max"], (*path, "max"), problems, "max attempts", minimum=1)
        ok &= max_attempts is not None
        policy = AttemptsPolicy(max_attempts=max_attempts)
    if "wait" in fields:
        wait = read_duration(fields["wait"], (*path, "wait"), problems, "wait")
        ok &= wait is not None
        if wait is not None:
            policy = AttemptsPolicy(max_attempts=policy.max_attempts, wait=wait)
    if "retake_after_pass" in fields:
        retake = read_bool(
            fields["retake_after_pass"],
            (*path, "retake_after_pass"),
            problems,
            "retake_after_pass",
        )
        ok &= retake is not None
        policy = AttemptsPolicy(
            max_attempts=policy.max_attempts, wait=policy.wait, retake_after_pass=bool(retake)
        )
    return policy if ok else None


def _parse_delivery(raw: object, path: PathT, problems: Problems) -> Delivery | None:
    fields = read_mapping(
        raw,
        path,
        problems,
        required=(),
        optional=("proctored", "identity_verification"),
        what="delivery",
    )
    if fields is None:
        return None
    proctored: bool | None = False
    identity: str | None = None
    if "proctored" in fields:
        proctored = read_bool(fields["proctored"], (*path, "proctored"), problems, "proctored")
    if "identity_verification" in fields:
        identity = read_token(
            fields["identity_verification"],
            (*path, "identity_verification"),
            problems,
            "identity_verification (a method such as government-id)",
        )
        if identity is None:
            return None
    if proctored is None:
        return None
    return Delivery(proctored=proctored, identity_verification=identity)
