"""Yes/no answers for many learners: requirement trees compiled to closures.

Explanations are for one learner at a time; bulk jobs (nightly re-evaluation, analytics
funnels, the benchmark) only need "met or not". Compiling a tree once turns the common shapes
into set operations on the learner's currently held achievements, for example a stack of plain
"holds" becomes one subset test. Leaves with options reuse the evaluator's own per-record
judgements, so the two paths cannot drift apart; tests check they agree on random data.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeGuard

from credstack.domain.ce import counts_as_ce
from credstack.domain.credits import tally_credits
from credstack.domain.evaluator import (
    assessment_fits,
    attestation_fits,
    award_problem,
    course_problem,
    evaluate_view,
)
from credstack.domain.quantities import ZERO
from credstack.domain.records import Record
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    AssessmentPassed,
    Attested,
    ContinuingEducation,
    CourseCompleted,
    Credits,
    Holds,
    NOf,
    Path,
    Requirement,
    Reuse,
)
from credstack.domain.view import LearnerView

__all__ = ["Check", "compile_check", "met_achievements"]

Check = Callable[[LearnerView], bool]


def _plain(req: Requirement) -> TypeGuard[Holds]:
    """A bare "holds X, currently valid" with no options: answerable from ``view.held``."""
    return isinstance(req, Holds) and req.valid and req == Holds(req.achievement, label=req.label)


def compile_check(req: Requirement) -> Check:
    """A function answering ``evaluate(req, ...).met`` for a view, without explanations."""
    if isinstance(req, Holds):
        if _plain(req):
            achievement = req.achievement
            return lambda v: achievement in v.held
        return _holds(req)
    if isinstance(req, AllOf | Path):
        children = req.steps if isinstance(req, Path) else req.children
        ids = frozenset(c.achievement for c in children if _plain(c))
        rest = tuple(compile_check(c) for c in children if not _plain(c))
        if not rest:
            return lambda v: ids <= v.held
        if not ids:
            return lambda v: all(check(v) for check in rest)
        return lambda v: ids <= v.held and all(check(v) for check in rest)
    if isinstance(req, AnyOf):
        options = tuple(compile_check(c) for c in req.children)
        return lambda v: any(check(v) for check in options)
    if isinstance(req, NOf):
        return _n_of(req)
    if isinstance(req, AssessmentPassed):
        return _assessment(req)
    if isinstance(req, Credits):
        required = req.required
        # credit_total bounds what any pool can count, so most learners need no tally.
        return lambda v: v.credit_total >= required and tally_credits(req, v).total >= required
    if isinstance(req, CourseCompleted):
        return lambda v: any(
            course_problem(c, req) is None
            for c in v.courses
            if req.course is None or c.course_id == req.course
        )
    if isinstance(req, Attested):
        return lambda v: any(attestation_fits(a, req) for a in v.attestations)
    if isinstance(req, ContinuingEducation):
        return _ce(req)
    # Rubric scores are rare and cheap: ask the evaluator.
    return lambda v: evaluate_view(req, v).met


def _holds(req: Holds) -> Check:
    achievement = req.achievement

    def check(v: LearnerView) -> bool:
        awards = v.awards.get(achievement)
        if not awards:
            return False
        return any(award_problem(a, req, v) is None for a in awards)

    return check


def _assessment(req: AssessmentPassed) -> Check:
    assessment = req.assessment

    def check(v: LearnerView) -> bool:
        results = v.results.get(assessment)
        if not results:
            return False
        return any(assessment_fits(r, req) for r in results)

    return check


def _ce(req: ContinuingEducation) -> Check:
    """The same sums as ``ce.tally_ce``, without the per-activity explanation."""
    within, total, minimums = req.within, req.total, req.minimums

    def check(v: LearnerView) -> bool:
        if v.ce_total < total:
            return False
        start = within.earliest(v.as_of) if within is not None else None
        by_category: dict[str, Decimal] = {}
        for a in v.ce_awards:
            if counts_as_ce(a) and (start is None or a.awarded_on >= start):
                category = a.ce_category or "general"
                by_category[category] = by_category.get(category, ZERO) + a.ce_hours
        if sum(by_category.values(), ZERO) < total:
            return False
        return all(by_category.get(c, ZERO) >= hours for c, hours in minimums)

    return check


def _n_of(req: NOf) -> Check:
    n = req.n
    stacks: list[frozenset[str]] = []
    others: list[Check] = []
    for child in req.children:
        if _plain(child):
            stacks.append(frozenset([child.achievement]))
        elif isinstance(child, AllOf | Path) and all(
            _plain(c) for c in (child.steps if isinstance(child, Path) else child.children)
        ):
            steps = child.steps if isinstance(child, Path) else child.children
            stacks.append(frozenset(c.achievement for c in steps if _plain(c)))
        else:
            others.append(compile_check(child))
    plain_stacks = tuple(stacks)
    other_checks = tuple(others)
    # Counting each stack on its own is exact when no record can serve two of them; otherwise
    # it is an upper bound, and a learner who reaches it gets the evaluator's assignment.
    separate = req.reuse is Reuse.ALLOWED or (
        not others and sum(map(len, stacks)) == len(frozenset().union(*stacks))
    )

    def check(v: LearnerView) -> bool:
        held = v.held
        count = 0
        for stack in plain_stacks:
            if stack <= held:
                count += 1
                if count >= n:
                    return separate or evaluate_view(req, v).met
        for other in other_checks:
            if other(v):
                count += 1
                if count >= n:
                    return separate or evaluate_view(req, v).met
        return False

    return check


def met_achievements(
    checks: Mapping[str, Check],
    records: Sequence[Record],
    as_of: date,
    skip: Collection[str] = (),
) -> list[str]:
    """Ids of the compiled requirements a learner meets on ``as_of``, in mapping order;
    those in ``skip`` (already decided by the caller) are not checked."""
    view = LearnerView(records, as_of)
    return [
        achievement
        for achievement, check in checks.items()
        if achievement not in skip and check(view)
    ]
