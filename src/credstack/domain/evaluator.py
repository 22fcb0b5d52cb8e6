"""Evaluating a requirement tree against a learner's records, with explanations.

``evaluate`` builds a full ``Outcome`` tree: what is met, how far along each part is, which
records were counted where, and plain-words reasons for everything unmet. When only the yes/no
answer is wanted for many learners, ``checks.compile_check`` answers the same question much
faster; tests hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_FLOOR
from typing import Any

from credstack.domain.ce import tally_ce
from credstack.domain.credits import tally_credits
from credstack.domain.grades import grade_rank
from credstack.domain.outcome import Outcome, Progress
from credstack.domain.quantities import ZERO
from credstack.domain.quantities import show as _num
from credstack.domain.records import (
    AssessmentResult,
    Attestation,
    Award,
    AwardStatus,
    CourseCompletion,
    Proctoring,
    Record,
)
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
    RubricScored,
)
from credstack.domain.sharing import assign_shared
from credstack.domain.view import LearnerView, is_current

__all__ = [
    "assessment_fits",
    "assessment_problem",
    "attestation_fits",
    "award_problem",
    "course_problem",
    "evaluate",
    "evaluate_view",
]

_REQ = "requirements"


def evaluate(req: Requirement, records: Sequence[Record], as_of: date) -> Outcome:
    """Evaluate ``req`` for a learner holding ``records`` on ``as_of``."""
    return evaluate_view(req, LearnerView(records, as_of))


def evaluate_view(req: Requirement, view: LearnerView) -> Outcome:
    """Evaluate against an already-built view (several trees for the same learner)."""
    return _EVAL[type(req)](req, view)


def _merge(outcomes: Sequence[Outcome]) -> tuple[str, ...]:
    ids: set[str] = set()
    for o in outcomes:
        ids.update(o.counted)
    return tuple(sorted(ids))


def _name(req: Requirement, fallback: str) -> str:
    return req.label or fallback


def _all(req: AllOf | Path, view: LearnerView) -> Outcome:
    steps = req.steps if isinstance(req, Path) else req.children
    children = tuple(evaluate_view(c, view) for c in steps)
    done = sum(1 for c in children if c.met)
    met = done == len(children)
    next_step = None
    if isinstance(req, Path) and not met:
        next_step = next(i for i, c in enumerate(children) if not c.met)
    return Outcome(
        req,
        met,
        Progress(done, len(children), _REQ),
        counted=_merge([c for c in children if c.met]),
        children=children,
        next_step=next_step,
    )


def _any(req: AnyOf, view: LearnerView) -> Outcome:
    children = tuple(evaluate_view(c, view) for c in req.children)
    first = next((c for c in children if c.met), None)
    reasons = () if first else (f"{_name(req, 'none of the alternatives')}: none met yet",)
    return Outcome(
        req,
        first is not None,
        Progress(1 if first else 0, 1, _REQ),
        counted=first.counted if first else (),
        reasons=reasons,
        children=children,
    )


def _n_of(req: NOf, view: LearnerView) -> Outcome:
    children = tuple(evaluate_view(c, view) for c in req.children)
    notes: tuple[str, ...] = ()
    if req.reuse is Reuse.ONCE:
        children, notes = assign_shared(req, view, children, evaluate_view)
    met_children = [c for c in children if c.met]
    # The first n met, in catalog order, are the evidence; more are fine but not needed.
    evidence = met_children[: req.n]
    met = len(met_children) >= req.n
    reasons: tuple[str, ...] = ()
    if not met:
        reasons = (
            f"{_name(req, 'choice')}: {len(met_children)} of {req.n} needed "
            f"(from {len(children)}) met",
        )
    return Outcome(
        req,
        met,
        Progress(min(len(met_children), req.n), req.n, _REQ),
        counted=_merge(evidence),
        reasons=reasons,
        children=children,
        notes=notes,
    )


def award_problem(award: Award, req: Holds, view: LearnerView) -> str | None:
    """Why this award does not satisfy ``req``, or ``None`` when it does."""
    name = award.title or award.achievement_id
    if award.status is AwardStatus.REVOKED:
        when = f" on {award.status_changed_on.isoformat()}" if award.status_changed_on else ""
        return f"{name} was revoked{when}"
    if req.valid and not is_current(award, view.as_of):
        if award.status is AwardStatus.SUSPENDED:
            return f"{name} is suspended"
        last = award.valid_until or award.status_changed_on
        return f"{name} expired" + (f" on {last.isoformat()}" if last else "") + " (lapsed)"
    if req.min_grade is not None:
        have, need = grade_rank(award.grade), grade_rank(req.min_grade)
        if have is None or (need is not None and have < need):
            graded = f"graded {award.grade}" if award.grade else "has no grade"
            return f"{name} {graded}; {req.min_grade} or better required"
    if req.min_score is not None and (award.score is None or award.score < req.min_score):
        scored = f"scored {_num(award.score)}" if award.score is not None else "has no score"
        return f"{name} {scored}; at least {_num(req.min_score)} required"
    if req.within is not None and award.awarded_on < req.within.earliest(view.as_of):
        return (
            f"{name} completed {award.awarded_on.isoformat()}, more than {req.within} "
            f"before {view.as_of.isoformat()}"
        )
    return None


def _holds(req: Holds, view: LearnerView) -> Outcome:
    candidates = view.awards.get(req.achievement, ())
    problems: list[str] = []
    best: Award | None = None
    for award in reversed(candidates):  # newest first: the most recent qualifying award
        problem = award_problem(award, req, view)
        if problem is None:
            best = award
            break
        problems.append(problem)
    if best is not None:
        return Outcome(req, True, Progress(1, 1, _REQ), counted=(best.id,))
    if not candidates:
        stack = next(
            (
                view.elsewhere[i]
                for i, r in view.elsewhere_records.items()
                if isinstance(r, Award) and r.achievement_id == req.achievement
            ),
            None,
        )
        if stack is not None:
            reason = f"{req.label or req.achievement}: counted toward {stack}"
            return Outcome(req, False, Progress(0, 1, _REQ), reasons=(reason,))
        reason = (
            f"{req.label} {req.achievement} is missing"
            if req.label
            else f"{req.achievement}: not yet earned"
        )
        problems = [reason]
    return Outcome(req, False, Progress(0, 1, _REQ), reasons=tuple(problems))


def assessment_problem(result: AssessmentResult, req: AssessmentPassed) -> str | None:
    """Why this attempt does not satisfy ``req``, or ``None`` when it does."""
    when = result.taken_on.isoformat()
    if not result.passed:
        return (
            f"{req.assessment}: attempt on {when} scored {_percent(result)}%, below the cut score"
        )
    if req.min_percent is not None and not result.reaches_percent(req.min_percent):
        return (
            f"{req.assessment}: attempt on {when} scored {_percent(result)}%; "
            f"at least {_num(req.min_percent)}% required"
        )
    if req.min_score is not None and result.score < req.min_score:
        return (
            f"{req.assessment}: attempt on {when} scored {_num(result.score)}; "
            f"at least {_num(req.min_score)} required"
        )
    if req.proctored and result.proctoring is Proctoring.NONE:
        return (
            f"{req.assessment}: passed on {when} in an unproctored attempt; proctoring is required"
        )
    if req.identity_verified and not result.identity_verified:
        return (
            f"{req.assessment}: passed on {when} without identity verification; "
            "a verified identity is required"
        )
    return None


def assessment_fits(result: AssessmentResult, req: AssessmentPassed) -> bool:
    """``assessment_problem(result, req) is None`` without composing the reason: the yes/no
    checks ask it of every attempt in a nightly run."""
    return (
        result.passed
        and (req.min_percent is None or result.reaches_percent(req.min_percent))
        and (req.min_score is None or result.score >= req.min_score)
        and not (req.proctored and result.proctoring is Proctoring.NONE)
        and not (req.identity_verified and not result.identity_verified)
    )


def _percent(result: AssessmentResult) -> str:
    """A percentage to one decimal place, truncated so it never reads as reaching a cut it
    missed (69.96% shows as 69.9, not 70)."""
    tenth = (result.percent * 10).to_integral_value(rounding=ROUND_FLOOR) / 10
    return _num(tenth)


def _assessment(req: AssessmentPassed, view: LearnerView) -> Outcome:
    results = view.results.get(req.assessment, ())
    problems: list[str] = []
    for result in reversed(results):
        problem = assessment_problem(result, req)
        if problem is None:
            return Outcome(req, True, Progress(1, 1, _REQ), counted=(result.id,))
        problems.append(problem)
    if not results:
        problems = [f"{_name(req, req.assessment)}: no attempt yet"]
    problems.reverse()  # oldest attempt first reads as a history
    return Outcome(req, False, Progress(0, 1, _REQ), reasons=tuple(problems))


def _attested(req: Attested, view: LearnerView) -> Outcome:
    found = [a for a in view.attestations if attestation_fits(a, req)]
    if found:
        return Outcome(req, True, Progress(1, 1, _REQ), counted=(found[-1].id,))
    where = f" in {req.program}" if req.program else ""
    what = f" for {req.subject}" if req.subject else ""
    reason = f"{_name(req, 'attestation')}: no attestation{what} by a {req.role}{where} yet"
    return Outcome(req, False, Progress(0, 1, _REQ), reasons=(reason,))


def _rubric(req: RubricScored, view: LearnerView) -> Outcome:
    scores = [
        s
        for s in view.rubric_scores.get(req.rubric, ())
        if req.reviewer_role is None or s.reviewer_role == req.reviewer_role
    ]
    good = [s for s in scores if s.score >= req.min_score]
    if good:
        return Outcome(req, True, Progress(1, 1, _REQ), counted=(good[-1].id,))
    name = _name(req, req.rubric)
    if scores:
        last = scores[-1]
        reason = (
            f"{name}: scored {_num(last.score)} of {_num(last.max_score)}; "
            f"at least {_num(req.min_score)} required"
        )
    else:
        reason = f"{name}: not yet scored by a reviewer"
    return Outcome(req, False, Progress(0, 1, _REQ), reasons=(reason,))


def course_problem(c: CourseCompletion, req: CourseCompleted) -> str | None:
    """Why this completion does not satisfy ``req``, or ``None`` when it does.

    A completion of a different course is not a problem with it, so callers filter by
    ``req.course`` first.
    """
    title = f"course {c.title or c.course_id}"
    if req.providers is not None and c.provider_id not in req.providers:
        return f"{title} is from {c.provider_name or c.provider_id}, not an approved provider"
    if c.hours < req.min_hours:
        return f"{title} lasted {_num(c.hours)} hours; at least {_num(req.min_hours)} required"
    if req.min_grade is not None:
        have, need = grade_rank(c.grade), grade_rank(req.min_grade)
        if have is None or (need is not None and have < need):
            return f"{title} graded {c.grade or 'without a grade'}; {req.min_grade} or better"
    return None


def _course(req: CourseCompleted, view: LearnerView) -> Outcome:
    problems: list[str] = []
    for c in reversed(view.courses):
        if req.course is not None and c.course_id != req.course:
            continue
        problem = course_problem(c, req)
        if problem is None:
            return Outcome(req, True, Progress(1, 1, _REQ), counted=(c.id,))
        problems.append(problem)
    if not problems:
        hours = f" of at least {_num(req.min_hours)} hours" if req.min_hours else ""
        source = " from an approved provider" if req.providers else ""
        which = f" ({req.course})" if req.course else ""
        problems = [
            f"{_name(req, 'training')}: no recorded course completion{which}{hours}{source}"
        ]
    problems.reverse()
    return Outcome(req, False, Progress(0, 1, _REQ), reasons=tuple(problems))


def attestation_fits(a: Attestation, req: Attested) -> bool:
    return (
        a.role == req.role
        and (req.subject is None or a.subject == req.subject)
        and (req.program is None or a.program == req.program)
    )


def _credits(req: Credits, view: LearnerView) -> Outcome:
    tally = tally_credits(req, view)
    met = tally.total >= req.required
    counted = sorted(
        {i for c in tally.contributions if c.counted > 0 for i in (c.record_id, c.source_id)}
    )
    reasons: tuple[str, ...] = ()
    if not met:
        reasons = (
            f"{_name(req, 'credits')}: {_num(tally.total)} of {_num(req.required)} credits; "
            f"{_num(req.required - tally.total)} more needed",
        )
    return Outcome(
        req,
        met,
        Progress(tally.total, req.required, "credits"),
        counted=tuple(counted),
        reasons=reasons,
        contributions=tally.contributions,
    )


def _ce(req: ContinuingEducation, view: LearnerView) -> Outcome:
    start = req.within.earliest(view.as_of) if req.within is not None else None
    tally = tally_ce(view.ce_awards, start, view.as_of)
    reasons: list[str] = []
    for category, minimum in req.minimums:
        have = tally.by_category.get(category, ZERO)
        if have < minimum:
            reasons.append(f"{category}: {_num(have)} of {_num(minimum)} hours")
    if tally.total < req.total:
        reasons.append(
            f"{_name(req, 'CE hours')}: {_num(tally.total)} of {_num(req.total)} hours; "
            f"short by {_num(req.total - tally.total)}"
        )
    counted = tuple(sorted(c.record_id for c in tally.contributions if c.counted > 0))
    return Outcome(
        req,
        not reasons,
        Progress(tally.total, req.total, "hours"),
        counted=counted,
        reasons=tuple(reasons),
        contributions=tally.contributions,
    )


# Keyed by node type, so each handler receives its own node type.
_EVAL: dict[type, Callable[[Any, LearnerView], Outcome]] = {
    AllOf: _all,
    Path: _all,
    AnyOf: _any,
    NOf: _n_of,
    Holds: _holds,
    AssessmentPassed: _assessment,
    Attested: _attested,
    RubricScored: _rubric,
    CourseCompleted: _course,
    Credits: _credits,
    ContinuingEducation: _ce,
}
