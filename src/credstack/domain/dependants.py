"""Which achievements a new or changed record can affect, and which awards a record supports.

A catalog may define hundreds of achievements, but a new assessment result can only change
the few whose requirements mention that assessment, and then, as awards cascade, the ones that
mention those. ``DependantIndex`` answers that from the requirement trees alone. The other
direction, "which awards counted this revoked one", follows the ``counted`` links of awards.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, MutableSequence, Sequence
from dataclasses import dataclass
from datetime import date

from credstack.domain.evaluator import evaluate_view
from credstack.domain.outcome import Outcome
from credstack.domain.records import (
    AssessmentResult,
    Attestation,
    Award,
    AwardStatus,
    CourseCompletion,
    Record,
    RubricScore,
)
from credstack.domain.requirements import (
    AssessmentPassed,
    Attested,
    ContinuingEducation,
    CourseCompleted,
    Credits,
    Holds,
    Requirement,
    RubricScored,
    iter_nodes,
)
from credstack.domain.view import LearnerView, is_current

__all__ = [
    "ANY",
    "Cascade",
    "DependantIndex",
    "Ref",
    "cascade",
    "counted_by",
    "record_refs",
    "support_problems",
]

#: What a requirement mentions or a record is about: (kind, id), e.g. ("assessment", "sql-1").
Ref = tuple[str, str]
#: Stands for "any id of this kind", for requirements that accept any course, any CE activity.
ANY = "*"


def _node_refs(node: Requirement) -> Iterable[Ref]:
    if isinstance(node, Holds):
        yield ("achievement", node.achievement)
    elif isinstance(node, AssessmentPassed):
        yield ("assessment", node.assessment)
    elif isinstance(node, RubricScored):
        yield ("rubric", node.rubric)
    elif isinstance(node, CourseCompleted):
        yield ("course", node.course or ANY)
    elif isinstance(node, Attested):
        yield ("attestation", node.subject or ANY)
    elif isinstance(node, Credits):
        yield ("credits", ANY)
    elif isinstance(node, ContinuingEducation):
        yield ("ce", ANY)


def record_refs(record: Record) -> tuple[Ref, ...]:
    """The keys under which a record's arrival or change is looked up."""
    if isinstance(record, Award):
        refs: list[Ref] = [("achievement", record.achievement_id)]
        if record.credits or record.counted:
            refs.append(("credits", ANY))
        if record.ce_hours:
            refs.append(("ce", ANY))
        return tuple(refs)
    if isinstance(record, AssessmentResult):
        return (("assessment", record.assessment_id),)
    if isinstance(record, RubricScore):
        return (("rubric", record.rubric_id),)
    if isinstance(record, Attestation):
        return (("attestation", record.subject), ("attestation", ANY))
    if isinstance(record, CourseCompletion):
        refs = [("course", record.course_id), ("course", ANY)]
        if record.credits:
            refs.append(("credits", ANY))
        return tuple(refs)
    raise TypeError(f"not a learner record: {record!r}")  # pragma: no cover


@dataclass(frozen=True)
class DependantIndex:
    """Reverse index from what requirements mention to the achievements that mention it."""

    dependants: Mapping[Ref, frozenset[str]]

    @classmethod
    def build(cls, achievement_requirements: Mapping[str, Requirement]) -> DependantIndex:
        found: dict[Ref, set[str]] = {}
        for achievement, req in achievement_requirements.items():
            for node in iter_nodes(req):
                for ref in _node_refs(node):
                    found.setdefault(ref, set()).add(achievement)
        return cls({ref: frozenset(ids) for ref, ids in found.items()})

    def direct(self, ref: Ref) -> frozenset[str]:
        """Achievements whose requirements mention ``ref`` themselves."""
        return self.dependants.get(ref, frozenset())

    def for_record(self, record: Record) -> frozenset[str]:
        """Achievements a new or changed ``record`` may directly affect."""
        out: set[str] = set()
        for ref in record_refs(record):
            out |= self.direct(ref)
        return frozenset(out)

    def transitive(self, achievements: Iterable[str]) -> list[str]:
        """The given achievements and everything depending on them, nearest first."""
        seen: dict[str, None] = {}
        queue = deque(sorted(achievements))
        while queue:
            a = queue.popleft()
            if a in seen:
                continue
            seen[a] = None
            queue.extend(sorted(self.direct(("achievement", a)) - seen.keys()))
        return list(seen)


@dataclass(frozen=True)
class Cascade:
    """What one new record led to: outcomes evaluated and awards made, in order."""

    outcomes: Mapping[str, Outcome]
    awarded: tuple[Award, ...]


def cascade(
    requirements: Mapping[str, Requirement],
    index: DependantIndex,
    records: Sequence[Record],
    new_record: Record,
    as_of: date,
    make_award: Callable[[str, Outcome], Award],
) -> Cascade:
    """Re-evaluate only the dependants of ``new_record``, awarding as requirements are met.

    An award made here is itself a new record, so its dependants are queued in turn. An
    achievement already held (and current) is evaluated but not awarded again.
    """
    current: MutableSequence[Record] = [*records, new_record]
    outcomes: dict[str, Outcome] = {}
    awarded: list[Award] = []
    queue = deque(sorted(index.for_record(new_record)))
    view = LearnerView(current, as_of)
    while queue:
        achievement = queue.popleft()
        if achievement in outcomes or achievement not in requirements:
            continue
        outcome = evaluate_view(requirements[achievement], view)
        outcomes[achievement] = outcome
        if outcome.met and achievement not in view.held:
            award = make_award(achievement, outcome)
            awarded.append(award)
            current.append(award)
            view = LearnerView(current, as_of)
            queue.extend(sorted(index.for_record(award) - outcomes.keys()))
    return Cascade(outcomes, tuple(awarded))


def counted_by(record_id: str, awards: Iterable[Award]) -> tuple[Award, ...]:
    """Awards that counted ``record_id``, directly or through other awards (for flagging)."""
    by_counted: dict[str, list[Award]] = {}
    for award in awards:
        for counted in award.counted:
            by_counted.setdefault(counted, []).append(award)
    out: dict[str, Award] = {}
    queue = deque([record_id])
    while queue:
        for award in by_counted.get(queue.popleft(), ()):
            if award.id not in out:
                out[award.id] = award
                queue.append(award.id)
    return tuple(sorted(out.values(), key=lambda a: (a.awarded_on, a.id)))


def support_problems(award: Award, records: Sequence[Record], as_of: date) -> tuple[str, ...]:
    """Why an award is no longer fully supported: evidence revoked, expired or lapsed.

    An award keeps standing when its evidence changes; the issuer decides, with a recorded
    reason, whether to revoke it. This says what to flag.
    """
    by_id = {r.id: r for r in records}
    problems: list[str] = []
    for record_id in award.counted:
        evidence = by_id.get(record_id)
        if evidence is None:
            problems.append(f"evidence {record_id} is no longer on record")
        elif isinstance(evidence, Award) and not is_current(evidence, as_of):
            name = evidence.title or evidence.achievement_id
            when = evidence.status_changed_on or evidence.valid_until
            on = f" on {when.isoformat()}" if when else ""
            state = {
                AwardStatus.REVOKED: "was revoked",
                AwardStatus.SUSPENDED: "was suspended",
            }.get(evidence.status, "expired")
            lapsed = " (lapsed)" if state == "expired" else ""
            problems.append(f"{name} ({evidence.id}) {state}{on}{lapsed}")
    return tuple(problems)
