"""A record shared by two stacks of an "any n of m" cluster counts toward one of them only.

The engine's assignment is checked against brute force (every way of handing each record to
one stack or none) on small random trees.
"""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.domain.checks import compile_check
from credstack.domain.evaluator import evaluate
from credstack.domain.parsing import parse_requirement
from credstack.domain.records import Award, Record
from credstack.domain.requirements import (
    AllOf,
    AnyOf,
    Credits,
    Holds,
    NOf,
    Requirement,
    Reuse,
    SourceFilter,
)
from credstack.domain.view import LearnerView
from credstack.service.explain import outcome_json, outcome_text
from tests.unit.domain.domain_builders import award, course, requirement

ON = date(2026, 3, 1)


def test_a_shared_component_completes_one_stack_only() -> None:
    cluster = requirement("n_of: 2\nof: [[intake, wound-basics], [wound-basics, dressing]]")
    records = [award("intake", ON), award("wound-basics", ON), award("dressing", ON)]
    outcome = evaluate(cluster, records, ON)
    assert not outcome.met
    assert [c.met for c in outcome.children].count(True) == 1
    assert "wound-basics counted toward" in " ".join(outcome.notes)


def test_reuse_allowed_lets_a_shared_component_count_in_every_stack() -> None:
    cluster = requirement(
        "n_of: 2\nreuse: allowed\nof: [[intake, wound-basics], [wound-basics, dressing]]"
    )
    records = [award("intake", ON), award("wound-basics", ON), award("dressing", ON)]
    assert evaluate(cluster, records, ON).met
    assert compile_check(cluster)(LearnerView(records, ON))


def test_the_best_assignment_wins_over_first_come() -> None:
    # First-come would give the sql award to the first stack and leave the second short; the
    # first stack can use python instead, so both complete.
    cluster = requirement(
        """
        n_of: 2
        of:
          - {any: [sql, python], label: programming}
          - {all: [sql, stats], label: analytics}
        """
    )
    sql, python, stats = award("sql", ON), award("python", ON), award("stats", ON)
    outcome = evaluate(cluster, [sql, python, stats], ON)
    assert outcome.met
    programming, analytics = outcome.children
    assert python.id in programming.counted and sql.id not in programming.counted
    assert sql.id in analytics.counted
    assert outcome.notes == ("sql counted toward analytics",)
    text = outcome_text(outcome)
    assert "note: sql counted toward analytics" in text
    assert outcome_json(outcome)["notes"] == ["sql counted toward analytics"]
    assert compile_check(cluster)(LearnerView([sql, python, stats], ON))


def test_the_losing_stack_says_where_the_record_went() -> None:
    cluster = requirement(
        "n_of: 2\nof: [{all: [sql, stats], label: analytics}, {all: [sql], label: databases}]"
    )
    outcome = evaluate(cluster, [award("sql", ON), award("stats", ON)], ON)
    assert not outcome.met
    assert "sql: counted toward analytics" in outcome.why_not()


def test_a_course_inside_a_certificate_is_not_counted_again_on_its_own() -> None:
    # Stack one takes certificates' credits, stack two takes the course directly: the course
    # was earned once, so only one of the stacks may count it.
    cluster = requirement(
        """
        n_of: 2
        of:
          - {credits: 3, from: {types: [certificate]}, label: certificate stack}
          - {credits: 3, from: {courses: [sql-101]}, label: course stack}
        """
    )
    sql = course("sql-101", ON, credits=3, grade="A", title="SQL 101")
    cert = award("cert-data", ON, kind="certificate", credits=3, counted=(sql.id,))
    outcome = evaluate(cluster, [sql, cert], ON)
    assert not outcome.met
    assert [c.met for c in outcome.children].count(True) == 1
    loser = next(c for c in outcome.children if not c.met)
    shares = [line for line in loser.contributions if line.counted == 0]
    assert shares and all("counted toward" in (line.reason or "") for line in shares)


def test_reuse_must_be_once_or_allowed() -> None:
    _, problems = parse_requirement(
        {"n_of": 1, "of": ["a", "b"], "reuse": "sometimes"}, ("requirements",)
    )
    assert [p.path for p in problems] == [("requirements", "reuse")]
    assert "'reuse' must be once" in problems[0].message


# --- brute force ---------------------------------------------------------------------------

NAMES = ("a", "b", "c", "d")


@st.composite
def stacks(draw: st.DrawFn) -> Requirement:
    kind = draw(st.sampled_from(("holds", "all", "any", "credits")))
    if kind == "holds":
        return Holds(draw(st.sampled_from(NAMES)))
    if kind == "credits":
        names = draw(st.sets(st.sampled_from(NAMES), min_size=1, max_size=3))
        return Credits(draw(st.integers(1, 4)), SourceFilter(achievements=frozenset(names)))
    children = tuple(
        Holds(n) for n in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))
    )
    return AllOf(children) if kind == "all" else AnyOf(children)


@st.composite
def clusters(draw: st.DrawFn) -> tuple[NOf, list[Record]]:
    children = tuple(draw(st.lists(stacks(), min_size=2, max_size=3)))
    n = draw(st.integers(1, len(children)))
    records: list[Record] = [
        Award(
            id=f"r{i}",
            achievement_id=draw(st.sampled_from(NAMES)),
            issuer_id="issuer",
            achievement_type="badge",
            awarded_on=ON,
            credits=draw(st.integers(0, 2)),
        )
        for i in range(draw(st.integers(0, 5)))
    ]
    return NOf(n, children), records


def brute_force_met(cluster: NOf, records: list[Record]) -> int:
    """Most children met when each record goes to one child (or none), tried every way."""
    best = 0
    for owners in itertools.product(range(len(cluster.children) + 1), repeat=len(records)):
        met = sum(
            evaluate(child, [r for r, o in zip(records, owners, strict=True) if o == i], ON).met
            for i, child in enumerate(cluster.children)
        )
        best = max(best, met)
    return best


@settings(max_examples=150, deadline=None)
@given(clusters())
def test_the_assignment_matches_brute_force(case: tuple[NOf, list[Record]]) -> None:
    cluster, records = case
    outcome = evaluate(cluster, records, ON)
    best = brute_force_met(cluster, records)
    assert sum(c.met for c in outcome.children) == best
    assert outcome.met == (best >= cluster.n)
    assert compile_check(cluster)(LearnerView(records, ON)) == outcome.met
    met_children = [c for c in outcome.children if c.met]
    used = [r for c in met_children for r in c.counted]
    assert len(used) == len(set(used)), "a record counted toward two stacks"


@settings(max_examples=100, deadline=None)
@given(clusters())
def test_reuse_allowed_is_each_stack_on_its_own(case: tuple[NOf, list[Record]]) -> None:
    cluster, records = case
    shared = NOf(cluster.n, cluster.children, reuse=Reuse.ALLOWED)
    alone = sum(evaluate(c, records, ON).met for c in cluster.children)
    assert evaluate(shared, records, ON).met == (alone >= cluster.n)
