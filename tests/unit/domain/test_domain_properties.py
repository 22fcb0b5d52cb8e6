"""Properties of the evaluator on random trees and records (hypothesis).

- Results do not depend on the order records arrive in.
- Adding a record never turns a met requirement unmet. The one deliberate exception is an
  award that *contains* records already held (a certificate listing its courses): its courses
  are then counted as certificate credits, which a cap may limit. Revocations and status
  changes replace a record rather than add one, so they are outside this property too.
- The compiled yes/no checks agree with the explaining evaluator.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.domain.checks import compile_check
from credstack.domain.durations import Duration
from credstack.domain.evaluator import assessment_fits, assessment_problem, evaluate
from credstack.domain.grades import LETTER_GRADES
from credstack.domain.records import (
    AssessmentResult,
    Attestation,
    Award,
    AwardStatus,
    CourseCompletion,
    Proctoring,
    Record,
    RubricScore,
)
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    AssessmentPassed,
    Attested,
    ContinuingEducation,
    CourseCompleted,
    CreditCap,
    Credits,
    Holds,
    NOf,
    Path,
    Requirement,
    RubricScored,
    SourceFilter,
    referenced_assessments,
)
from credstack.domain.view import LearnerView

AS_OF = date(2026, 6, 1)
ACHIEVEMENTS = ("a", "b", "c", "d", "e")
ASSESSMENTS = ("x", "y")
COURSES = ("k1", "k2", "k3")
ISSUERS = ("lakeside", "harbor", "unknown")
TYPES = ("microcredential", "certificate", "certification")

days = st.integers(min_value=-4000, max_value=30).map(lambda d: AS_OF + timedelta(days=d))
grades = st.none() | st.sampled_from(LETTER_GRADES)
windows = st.none() | st.builds(Duration, years=st.integers(0, 7), months=st.integers(0, 11))
ids = st.uuids().map(str)


def filters() -> st.SearchStrategy[SourceFilter]:
    def opt(values: tuple[str, ...]) -> st.SearchStrategy[frozenset[str] | None]:
        return st.none() | st.frozensets(st.sampled_from(values), min_size=1)

    return st.builds(
        SourceFilter,
        types=opt((*TYPES, "course")),
        issuers=opt(ISSUERS),
        achievements=opt(ACHIEVEMENTS),
        courses=opt(COURSES),
    )


leaves: st.SearchStrategy[Requirement] = st.one_of(
    st.builds(Holds, st.sampled_from(ACHIEVEMENTS)),
    st.builds(
        Holds,
        st.sampled_from(ACHIEVEMENTS),
        min_grade=grades,
        min_score=st.none() | st.floats(0, 100),
        within=windows,
        valid=st.booleans(),
    ),
    st.builds(
        AssessmentPassed,
        st.sampled_from(ASSESSMENTS),
        proctored=st.booleans(),
        identity_verified=st.booleans(),
        min_percent=st.none() | st.floats(0, 100),
    ),
    st.builds(
        Attested,
        role=st.sampled_from(("mentor", "manager")),
        subject=st.none() | st.sampled_from(ACHIEVEMENTS),
    ),
    st.builds(RubricScored, st.just("capstone"), st.integers(0, 4)),
    st.builds(
        CourseCompleted,
        course=st.none() | st.sampled_from(COURSES),
        min_hours=st.sampled_from((0, 8)),
        providers=st.none() | st.frozensets(st.sampled_from(ISSUERS), min_size=1),
    ),
    st.builds(
        Credits,
        st.integers(1, 40),
        filters(),
        min_grade=grades,
        within=windows,
        caps=st.lists(st.builds(CreditCap, filters(), st.integers(0, 30)), max_size=2).map(tuple),
    ),
    st.builds(
        ContinuingEducation,
        st.integers(0, 20),
        st.lists(
            st.tuples(st.sampled_from(("ethics", "clinical")), st.integers(0, 10)),
            max_size=2,
            unique_by=lambda t: t[0],
        ).map(lambda m: tuple(sorted(m))),
        within=windows,
    ),
)


def _extend(children: st.SearchStrategy[Requirement]) -> st.SearchStrategy[Requirement]:
    many = st.lists(children, min_size=1, max_size=4).map(tuple)
    return st.one_of(
        many.map(AllOf),
        many.map(AnyOf),
        many.map(Path),
        many.flatmap(lambda cs: st.integers(1, len(cs)).map(lambda n: NOf(n, cs))),
    )


trees = st.recursive(leaves, _extend, max_leaves=8)


@st.composite
def plain_records(draw: st.DrawFn) -> Record:
    """Any record except a container award (see the module docstring)."""
    rid = draw(ids)
    kind = draw(st.sampled_from(("award", "result", "course", "attestation", "rubric")))
    if kind == "award":
        return Award(
            rid,
            draw(st.sampled_from(ACHIEVEMENTS)),
            draw(st.sampled_from(ISSUERS)),
            draw(st.sampled_from(TYPES)),
            draw(days),
            valid_until=draw(st.none() | days),
            status=draw(st.sampled_from(AwardStatus)),
            credits=draw(st.sampled_from((0, 3, 12))),
            ce_hours=draw(st.sampled_from((0, 4, 6))),
            ce_category=draw(st.sampled_from(("ethics", "clinical", None))),
            grade=draw(grades),
            score=draw(st.none() | st.floats(0, 100)),
        )
    if kind == "result":
        score = draw(st.integers(0, 100))
        return AssessmentResult(
            rid,
            draw(st.sampled_from(ASSESSMENTS)),
            score,
            100,
            score >= 70,
            draw(days),
            proctoring=draw(st.sampled_from(Proctoring)),
            identity_verified=draw(st.booleans()),
        )
    if kind == "course":
        return CourseCompletion(
            rid,
            draw(st.sampled_from(COURSES)),
            draw(st.sampled_from(ISSUERS)),
            draw(st.sampled_from((4, 8, 45))),
            draw(days),
            grade=draw(grades),
            credits=draw(st.sampled_from((0, 3, 6))),
        )
    if kind == "attestation":
        return Attestation(
            rid,
            draw(st.sampled_from(ACHIEVEMENTS)),
            "someone",
            draw(st.sampled_from(("mentor", "manager"))),
            None,
            "can do",
            draw(days),
        )
    return RubricScore(rid, "capstone", draw(st.integers(0, 4)), 4, "reviewer", draw(days))


@st.composite
def record_sets(draw: st.DrawFn) -> list[Record]:
    """Records, some awards being containers of the courses and awards drawn before them."""
    records = draw(st.lists(plain_records(), max_size=12))
    containers = []
    for i in range(draw(st.integers(0, 2))):
        inner = [r.id for r in records if isinstance(r, CourseCompletion | Award)]
        counted: tuple[str, ...] = ()
        if inner:
            counted = tuple(draw(st.lists(st.sampled_from(inner), max_size=4, unique=True)))
        containers.append(
            Award(
                f"container-{i}",
                draw(st.sampled_from(ACHIEVEMENTS)),
                draw(st.sampled_from(ISSUERS)),
                "certificate",
                draw(days),
                credits=12,
                counted=counted,
                status=draw(st.sampled_from(AwardStatus)),
            )
        )
    return [*records, *containers]


@settings(max_examples=300, deadline=None)
@given(trees, record_sets(), st.randoms(use_true_random=False))
def test_order_of_records_does_not_matter(
    req: Requirement, records: list[Record], rnd: random.Random
) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert evaluate(req, shuffled, AS_OF) == evaluate(req, records, AS_OF)


@settings(max_examples=300, deadline=None)
@given(trees, record_sets(), plain_records())
def test_adding_a_record_never_unmeets(
    req: Requirement, records: list[Record], new: Record
) -> None:
    if evaluate(req, records, AS_OF).met:
        assert evaluate(req, [*records, new], AS_OF).met


@settings(max_examples=300, deadline=None)
@given(trees, record_sets())
def test_compiled_checks_agree_with_the_evaluator(req: Requirement, records: list[Record]) -> None:
    assert compile_check(req)(LearnerView(records, AS_OF)) == evaluate(req, records, AS_OF).met


@settings(max_examples=300, deadline=None)
@given(
    plain_records().filter(lambda r: isinstance(r, AssessmentResult)),
    st.builds(
        AssessmentPassed,
        st.sampled_from(ASSESSMENTS),
        proctored=st.booleans(),
        identity_verified=st.booleans(),
        min_score=st.none() | st.integers(0, 100),
        min_percent=st.none() | st.floats(0, 100),
    ),
)
def test_the_yes_no_assessment_test_agrees_with_the_reason(
    result: AssessmentResult, req: AssessmentPassed
) -> None:
    assert assessment_fits(result, req) == (assessment_problem(result, req) is None)


@settings(max_examples=300, deadline=None)
@given(trees, record_sets())
def test_attempts_the_tree_does_not_reference_change_nothing(
    req: Requirement, records: list[Record]
) -> None:
    """The rule the nightly run uses to leave attempts out (`referenced_assessments`)."""
    read = referenced_assessments(req)
    kept = [
        r
        for r in records
        if not isinstance(r, AssessmentResult | RubricScore)
        or (r.assessment_id if isinstance(r, AssessmentResult) else r.rubric_id) in read
    ]
    assert evaluate(req, kept, AS_OF) == evaluate(req, records, AS_OF)
    assert compile_check(req)(LearnerView(kept, AS_OF)) == evaluate(req, records, AS_OF).met


@settings(max_examples=200, deadline=None)
@given(trees, record_sets())
def test_counted_records_exist_and_unmet_nodes_say_why(
    req: Requirement, records: list[Record]
) -> None:
    outcome = evaluate(req, records, AS_OF)
    known = {r.id for r in records}
    for node in outcome.walk():
        assert set(node.counted) <= known
        if not node.met:
            assert node.why_not(), node.requirement
