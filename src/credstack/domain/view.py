"""A learner's records indexed once per evaluation date.

Every requirement node asks the same few questions ("which awards of X?", "which attempts of
Y?"), so the records are grouped by what they are about and sorted by (date, id) up front.
Sorting here is what makes outcomes independent of the order records arrive in. Records dated
after the as-of date are left out: an outcome describes the learner as they were on that day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from credstack.domain.quantities import ZERO
from credstack.domain.records import (
    AssessmentResult,
    Attestation,
    Award,
    AwardStatus,
    CourseCompletion,
    Record,
    RubricScore,
)

__all__ = ["LearnerView", "is_current"]

_NOWHERE: Mapping[str, str] = {}
_NOTHING: Mapping[str, Record] = {}


def is_current(award: Award, as_of: date) -> bool:
    """Active and not past its expiry on ``as_of``: the only awards that support others."""
    return award.status is AwardStatus.ACTIVE and (
        award.valid_until is None or award.valid_until >= as_of
    )


def _sort_key(r: Record) -> tuple[date, str]:
    if isinstance(r, Award):
        return (r.awarded_on, r.id)
    if isinstance(r, AssessmentResult):
        return (r.taken_on, r.id)
    if isinstance(r, CourseCompletion):
        return (r.completed_on, r.id)
    if isinstance(r, RubricScore):
        return (r.scored_on, r.id)
    return (r.attested_on, r.id)


class LearnerView:
    """Read-only index of one learner's records as of one date.

    Attributes: ``awards`` by achievement id, ``results`` by assessment id,
    ``rubric_scores`` by rubric id, each group sorted by (date, id); ``held``, the
    achievements with an award current on ``as_of``; ``ce_awards`` and ``credit_awards``, the
    awards that carry CE hours or credits.
    """

    by_id: dict[str, Record]
    awards: dict[str, list[Award]]
    results: dict[str, list[AssessmentResult]]
    rubric_scores: dict[str, list[RubricScore]]
    attestations: list[Attestation]
    courses: list[CourseCompletion]
    held: set[str]
    ce_awards: list[Award]
    credit_awards: list[Award]
    elsewhere: Mapping[str, str]
    elsewhere_records: Mapping[str, Record]

    __slots__ = (
        "as_of",
        "attestations",
        "awards",
        "by_id",
        "ce_awards",
        "ce_total",
        "courses",
        "credit_awards",
        "credit_courses",
        "credit_sources",
        "credit_total",
        "elsewhere",
        "elsewhere_records",
        "held",
        "records",
        "results",
        "rubric_scores",
    )

    def __init__(self, records: Sequence[Record], as_of: date) -> None:
        # This runs once per learner in bulk jobs, so it binds locals and only sorts groups
        # that received a second record.
        self.as_of = as_of
        self.records = records
        self.elsewhere, self.elsewhere_records = _NOWHERE, _NOTHING
        self.by_id = by_id = {}
        awards: dict[str, list[Award]] = {}
        results: dict[str, list[AssessmentResult]] = {}
        rubric_scores: dict[str, list[RubricScore]] = {}
        self.awards, self.results, self.rubric_scores = awards, results, rubric_scores
        self.attestations = attestations = []
        self.courses = courses = []
        self.held = held = set()
        self.ce_awards = ce_awards = []
        self.credit_awards = credit_awards = []
        self.credit_courses = False
        # Upper bounds: no pool can count more than every record offers, so most learners
        # are ruled out of a 30-credit degree without counting anything.
        credit_total = ce_total = ZERO
        regroup: list[list[Award] | list[AssessmentResult] | list[RubricScore]] = []
        active = AwardStatus.ACTIVE
        for r in records:
            if isinstance(r, Award):
                if r.awarded_on > as_of:
                    continue
                key = r.achievement_id
                group = awards.get(key)
                if group is None:
                    awards[key] = [r]
                else:
                    group.append(r)
                    regroup.append(group)
                if r.ce_hours:
                    ce_awards.append(r)
                    ce_total += r.ce_hours
                if r.credits or r.counted:
                    credit_awards.append(r)
                    credit_total += r.credits
                if r.status is active and (r.valid_until is None or r.valid_until >= as_of):
                    held.add(key)
            elif isinstance(r, AssessmentResult):
                if r.taken_on > as_of:
                    continue
                attempts = results.get(r.assessment_id)
                if attempts is None:
                    results[r.assessment_id] = [r]
                else:
                    attempts.append(r)
                    regroup.append(attempts)
            elif isinstance(r, CourseCompletion):
                if r.completed_on > as_of:
                    continue
                courses.append(r)
                if r.credits:
                    self.credit_courses = True
                    credit_total += r.credits
            elif isinstance(r, RubricScore):
                if r.scored_on > as_of:
                    continue
                scores = rubric_scores.get(r.rubric_id)
                if scores is None:
                    rubric_scores[r.rubric_id] = [r]
                else:
                    scores.append(r)
                    regroup.append(scores)
            elif isinstance(r, Attestation):
                if r.attested_on > as_of:
                    continue
                attestations.append(r)
            else:  # pragma: no cover - Record is a closed union
                raise TypeError(f"not a learner record: {r!r}")
            by_id[r.id] = r
        self.credit_total = credit_total
        self.ce_total = ce_total
        for group_ in regroup:
            group_.sort(key=_sort_key)
        for ordered in (attestations, courses, ce_awards):
            if len(ordered) > 1:
                ordered.sort(key=_sort_key)
        self.credit_sources: list[Award | CourseCompletion] | None = None

    def without(self, given: Mapping[str, str]) -> LearnerView:
        """This learner without the records ``given`` to other stacks (record id -> stack name).

        Explanations can then say where a record went ("counted toward ...") rather than
        calling it missing.
        """
        view = LearnerView([r for r in self.records if r.id not in given], self.as_of)
        view.elsewhere = dict(given)
        view.elsewhere_records = {i: self.by_id[i] for i in given if i in self.by_id}
        return view

    def sources(self) -> list[Award | CourseCompletion]:
        """Records that can give credits: containers, other awards, then course completions."""
        if self.credit_sources is None:
            # Awards that list what they were earned with go first, so a certificate claims
            # its courses before those courses (often awarded earlier) are seen on their own.
            awards = sorted(self.credit_awards, key=lambda a: (not a.counted, *_sort_key(a)))
            courses = [c for c in self.courses if c.credits]
            self.credit_sources = [*awards, *courses]
        return self.credit_sources

    def all_awards(self) -> list[Award]:
        return sorted(
            (a for group in self.awards.values() for a in group),
            key=lambda a: (a.awarded_on, a.id),
        )
