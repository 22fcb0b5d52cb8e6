"""Counting a shared record once across the choices of an "any n of m stacks" cluster.

Two stacks may name the same component. Unless the catalog allows reuse, a record counts
toward one stack only, and which one matters: giving a shared course to the stack that needs
it completes more stacks than giving it to whichever comes first. So the evaluator treats it
as an assignment problem: each record that two or more completable stacks could use goes to
exactly one of them, and the assignment completing the most stacks (then showing the most
progress, then following catalog order) wins.

The search is exact over the contested records. Evaluation is monotone (a stack met with
some records is met with more), so a stack not met with every record is never met with
fewer and stays out, and giving a record to some stack is never worse than giving it to none.
Its cost is bounded by ``MAX_ASSIGNMENTS``; past that (many records shared by many stacks) the
stacks take contested records greedily in catalog order and the outcome says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import product
from math import prod

from credstack.domain.credits import describe_record, matches
from credstack.domain.outcome import Outcome
from credstack.domain.records import Award, CourseCompletion, Record
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
    RubricScored,
    children_of,
    iter_nodes,
)
from credstack.domain.view import LearnerView

__all__ = ["MAX_ASSIGNMENTS", "Shared", "assign_shared", "reachable", "stack_name"]

#: Assignments tried at most per cluster; beyond it contested records go first-come.
MAX_ASSIGNMENTS = 4096

Evaluate = Callable[[Requirement, LearnerView], Outcome]
Shared = tuple[tuple[Outcome, ...], tuple[str, ...]]


def stack_name(req: Requirement) -> str:
    """How a note names a stack: its label, else what it is made of."""
    if req.label:
        return req.label
    if isinstance(req, Holds):
        return req.achievement
    if isinstance(req, AllOf | Path):
        return " + ".join(stack_name(c) for c in children_of(req))
    if isinstance(req, AnyOf | NOf):
        return " or ".join(stack_name(c) for c in children_of(req))
    if isinstance(req, AssessmentPassed):
        return req.assessment
    if isinstance(req, RubricScored):
        return req.rubric
    if isinstance(req, CourseCompleted):
        return req.course or "a course"
    if isinstance(req, Attested):
        return req.subject or "an attestation"
    if isinstance(req, Credits):
        return "credits"
    return "CE hours"


def reachable(req: Requirement, view: LearnerView) -> set[str]:
    """Ids of every record the subtree could count: a superset of any outcome's ``counted``."""
    found: set[str] = set()
    for node in iter_nodes(req):
        if isinstance(node, Holds):
            found.update(a.id for a in view.awards.get(node.achievement, ()))
        elif isinstance(node, AssessmentPassed):
            found.update(r.id for r in view.results.get(node.assessment, ()))
        elif isinstance(node, RubricScored):
            found.update(r.id for r in view.rubric_scores.get(node.rubric, ()))
        elif isinstance(node, Attested):
            found.update(a.id for a in view.attestations)
        elif isinstance(node, CourseCompleted):
            found.update(c.id for c in view.courses)
        elif isinstance(node, ContinuingEducation):
            found.update(a.id for a in view.ce_awards)
        elif isinstance(node, Credits):
            for source in view.sources():
                if matches(source, node.source):
                    found.add(source.id)
                    if isinstance(source, Award):
                        found.update(i for i in source.counted if i in view.by_id)
    return found


def _describe(record: Record | None, record_id: str) -> str:
    if isinstance(record, Award | CourseCompletion):
        return describe_record(record)
    return record_id


def assign_shared(
    req: NOf, view: LearnerView, outcomes: tuple[Outcome, ...], evaluate: Evaluate
) -> Shared:
    """The children's outcomes with each contested record counted toward one child only,
    and notes saying which child each shared record counted toward."""
    if not _overlap(outcomes):
        return outcomes, ()
    names = [f"{stack_name(c)}" for c in req.children]
    able = [i for i, o in enumerate(outcomes) if o.met]
    claims: dict[str, list[int]] = {}
    for i in able:
        for record_id in sorted(reachable(req.children[i], view)):
            claims.setdefault(record_id, []).append(i)
    contested = sorted(r for r, who in claims.items() if len(who) > 1)
    options = [claims[r] for r in contested]
    if prod(len(o) for o in options) <= MAX_ASSIGNMENTS:
        owners = _best(req.children, view, able, contested, options, evaluate)
        greedy = False
    else:
        owners = _greedy(req.children, view, able, contested, evaluate)
        greedy = True
    final = list(outcomes)
    for i in able:
        given = {r: names[o] for r, o in zip(contested, owners, strict=True) if o != i}
        final[i] = evaluate(req.children[i], view.without(given))
    used = {r: i for i in able if final[i].met for r in final[i].counted}
    for i, o in enumerate(outcomes):
        if not o.met and any(r in used for r in o.counted):
            given = {r: names[j] for r, j in used.items()}
            final[i] = evaluate(req.children[i], view.without(given))
    notes = [
        f"{_describe(view.by_id.get(r), r)} counted toward {names[o]}"
        for r, o in zip(contested, owners, strict=True)
        if used.get(r) == o
    ]
    if greedy:
        notes.append("shared records were given to the choices in catalog order")
    return tuple(final), tuple(notes)


def _overlap(outcomes: Sequence[Outcome]) -> bool:
    owner: dict[str, int] = {}
    for i, o in enumerate(outcomes):
        for record_id in o.counted:
            if owner.setdefault(record_id, i) != i:
                return True
    return False


def _best(
    children: Sequence[Requirement],
    view: LearnerView,
    able: list[int],
    contested: list[str],
    options: list[list[int]],
    evaluate: Evaluate,
) -> tuple[int, ...]:
    """The owner of each contested record in the best assignment (exhaustive, memoised)."""
    memo: dict[tuple[int, frozenset[str]], Outcome] = {}
    everything = frozenset(contested)

    def outcome(i: int, mine: frozenset[str]) -> Outcome:
        key = (i, mine)
        found = memo.get(key)
        if found is None:
            given = dict.fromkeys(everything - mine, "another choice")
            found = memo[key] = evaluate(children[i], view.without(given))
        return found

    best: tuple[int, ...] = ()
    best_score = (-1, -1)
    for owners in product(*options):
        mine: dict[int, set[str]] = {i: set() for i in able}
        for record_id, owner in zip(contested, owners, strict=True):
            mine[owner].add(record_id)
        results = [outcome(i, frozenset(mine[i])) for i in able]
        score = (
            sum(1 for o in results if o.met),
            sum(int(o.leaf_progress().done) for o in results),
        )
        if score > best_score:
            best, best_score = owners, score
    return best


def _greedy(
    children: Sequence[Requirement],
    view: LearnerView,
    able: list[int],
    contested: list[str],
    evaluate: Evaluate,
) -> tuple[int, ...]:
    """First come, first served in catalog order: the bounded fallback."""
    owner: dict[str, int] = {}
    for i in able:
        given = dict.fromkeys(owner, "another choice")
        for record_id in evaluate(children[i], view.without(given)).counted:
            owner.setdefault(record_id, i)
    fallback = able[0]
    return tuple(owner.get(r, fallback) for r in contested)
