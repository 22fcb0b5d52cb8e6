"""Counting credits toward a ``Credits`` requirement, the way a registrar's degree audit does.

Sources are visited containers first, then other awards, then course completions, each in
(date, id) order, so a certificate claims the courses it was earned with before those courses
are seen on their own: each course counts once, and its
credits are attributed to the certificate for caps. Each counted unit (a course inside a
certificate, or a record on its own) is judged on its own grade and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from credstack.domain.grades import grade_rank
from credstack.domain.outcome import Contribution
from credstack.domain.quantities import ZERO
from credstack.domain.quantities import show as _number
from credstack.domain.records import Award, AwardStatus, CourseCompletion
from credstack.domain.requirements import Credits, SourceFilter
from credstack.domain.view import LearnerView

__all__ = ["CreditTally", "describe_record", "matches", "tally_credits"]

Source = Award | CourseCompletion


@dataclass(frozen=True, slots=True)
class CreditTally:
    total: Decimal
    contributions: tuple[Contribution, ...]


def _kind(record: Source) -> str:
    return record.achievement_type if isinstance(record, Award) else "course"


def _issuer(record: Source) -> str:
    return record.issuer_id if isinstance(record, Award) else record.provider_id


def _name_matches(record: Source, f: SourceFilter) -> bool:
    if f.achievements is None and f.courses is None:
        return True
    if isinstance(record, Award):
        return f.achievements is not None and record.achievement_id in f.achievements
    return f.courses is not None and record.course_id in f.courses


def matches(record: Source, f: SourceFilter) -> bool:
    """Whether a record falls under a source filter (type, issuer and name all agree)."""
    return (
        (f.types is None or _kind(record) in f.types)
        and (f.issuers is None or _issuer(record) in f.issuers)
        and _name_matches(record, f)
    )


def describe_record(record: Source) -> str:
    """How an audit line names a record: "course ML fundamentals", "cert-data-engineering"."""
    if isinstance(record, CourseCompletion):
        return f"course {record.title or record.course_id}"
    if record.achievement_type == "course":
        return f"course {record.title or record.achievement_id}"
    return record.title or record.achievement_id


def _date(record: Source) -> str:
    return (record.awarded_on if isinstance(record, Award) else record.completed_on).isoformat()


def _filter_words(f: SourceFilter) -> str:
    if f.types:
        return "/".join(sorted(f.types)) + " records"
    names = sorted((f.achievements or frozenset()) | (f.courses or frozenset()))
    return ", ".join(names) if names else "these sources"


def _unit_problem(unit: Source, node: Credits, earliest: date | None, as_of: date) -> str | None:
    """Why a unit cannot count at all, or ``None`` when it can."""
    if node.min_grade is not None:
        need = grade_rank(node.min_grade)
        have = grade_rank(unit.grade)
        # A whole credential accepted as a block carries no grade of its own; the issuer's
        # award is the evidence of satisfactory work. A course (a completion, or an award of
        # type "course") must show its grade.
        block = isinstance(unit, Award) and unit.grade is None and unit.achievement_type != "course"
        if not block:
            if have is None:
                return (
                    f"{describe_record(unit)} has no letter grade; "
                    f"{node.min_grade} or better required"
                )
            if need is not None and have < need:
                return (
                    f"{describe_record(unit)} graded {unit.grade}; "
                    f"{node.min_grade} or better required"
                )
    if node.within is not None and earliest is not None:
        done_on = unit.awarded_on if isinstance(unit, Award) else unit.completed_on
        if done_on < earliest:
            return (
                f"{describe_record(unit)} completed {_date(unit)}, more than {node.within} "
                f"before {as_of.isoformat()}"
            )
    return None


def tally_credits(node: Credits, view: LearnerView) -> CreditTally:
    """Every credit-bearing record's share, counted or not, with the reason when not."""
    earliest = node.within.earliest(view.as_of) if node.within is not None else None
    claimed: dict[str, str] = {}
    used = [ZERO] * len(node.caps)
    lines: list[Contribution] = []
    total = ZERO
    src = node.source
    for source in view.sources():
        if (src.types is not None and _kind(source) not in src.types) or not _name_matches(
            source, src
        ):
            continue
        if source.id in claimed:
            continue
        amount = source.credits
        if src.issuers is not None and _issuer(source) not in src.issuers:
            who = (
                source.issuer_name if isinstance(source, Award) else source.provider_name
            ) or _issuer(source)
            lines.append(
                Contribution(
                    source.id,
                    source.id,
                    describe_record(source),
                    amount,
                    ZERO,
                    reason=f"issued by {who}, which is not on the articulation list",
                )
            )
            continue
        if isinstance(source, Award) and source.status in (
            AwardStatus.REVOKED,
            AwardStatus.SUSPENDED,
        ):
            lines.append(
                Contribution(
                    source.id,
                    source.id,
                    describe_record(source),
                    amount,
                    ZERO,
                    reason=f"{describe_record(source)} is {source.status.value}",
                )
            )
            continue
        units: list[Source] = []
        given_away = False
        if isinstance(source, Award):
            for inner_id in source.counted:
                inner = view.by_id.get(inner_id) or view.elsewhere_records.get(inner_id)
                if not isinstance(inner, Award | CourseCompletion) or not inner.credits:
                    continue
                stack = view.elsewhere.get(inner_id)
                if stack is None:
                    units.append(inner)
                    continue
                # A sibling stack was given this course; the certificate must not make up
                # for it by counting its own credits in full.
                given_away = True
                lines.append(
                    Contribution(
                        inner.id,
                        source.id,
                        describe_record(inner),
                        inner.credits,
                        ZERO,
                        reason=f"counted toward {stack}",
                    )
                )
        if not units:
            if given_away:
                continue
            units = [source]
        cap_idx = [i for i, cap in enumerate(node.caps) if matches(source, cap.source)]
        for unit in units:
            if unit.id in claimed and unit is not source:
                lines.append(
                    Contribution(
                        unit.id,
                        source.id,
                        describe_record(unit),
                        unit.credits,
                        ZERO,
                        reason=f"already counted through {claimed[unit.id]}",
                    )
                )
                continue
            claimed[unit.id] = describe_record(source)
            problem = _unit_problem(unit, node, earliest, view.as_of)
            if problem is not None:
                lines.append(
                    Contribution(
                        unit.id,
                        source.id,
                        describe_record(unit),
                        unit.credits,
                        ZERO,
                        reason=problem,
                    )
                )
                continue
            counted = unit.credits
            limiting = None
            for i in cap_idx:
                room = max(node.caps[i].max - used[i], ZERO)
                if room < counted:
                    counted, limiting = room, node.caps[i]
            for i in cap_idx:
                used[i] += counted
            reason = None
            if limiting is not None:
                reason = (
                    f"only {_number(counted)} of {_number(unit.credits)} credits counted: at most "
                    f"{_number(limiting.max)} credits may come from "
                    f"{limiting.label or _filter_words(limiting.source)}"
                )
            total += counted
            lines.append(
                Contribution(
                    unit.id, source.id, describe_record(unit), unit.credits, counted, reason=reason
                )
            )
    listed = {line.record_id for line in lines}
    for record_id, stack in view.elsewhere.items():
        record = view.elsewhere_records.get(record_id)
        if (
            isinstance(record, Award | CourseCompletion)
            and record.credits
            and record_id not in listed
            and matches(record, src)
        ):
            lines.append(
                Contribution(
                    record_id,
                    record_id,
                    describe_record(record),
                    record.credits,
                    ZERO,
                    reason=f"counted toward {stack}",
                )
            )
    return CreditTally(total, tuple(lines))
