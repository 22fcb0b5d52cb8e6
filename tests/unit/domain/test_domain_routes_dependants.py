"""Story 07's three routes, and the dependency index that limits re-evaluation."""

from __future__ import annotations

from datetime import date, timedelta

from credstack.domain.checks import compile_check, met_achievements
from credstack.domain.dependants import DependantIndex, counted_by
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Attestation
from tests.unit.domain.domain_builders import Learner, attempt, award, catalog, course, requirement

D = date(2026, 4, 1)

ROUTES = """
ebola-diagnosis: {assessment: ebola-diagnosis-knowledge, min_percent: 75}
basic-supervision-skills:
  attestation: {subject: basic-supervision-skills, role: mentor, program: acme-management}
solar-panel-installation: {course: solar-install-day, min_hours: 8}
"""


def _attest(role: str, program: str) -> Attestation:
    return Attestation(
        "att-1",
        "basic-supervision-skills",
        "mentor-7",
        role,
        program,
        "Runs a stand-up and a one-to-one unaided.",
        D,
    )


def test_three_routes() -> None:
    reqs = catalog(ROUTES)
    learner = Learner(reqs)
    assert learner.add(attempt("ebola-diagnosis-knowledge", 80, D, cut=75), D) == (
        "ebola-diagnosis",
    )
    assert learner.add(course("solar-install-day", D, hours=8), D) == ("solar-panel-installation",)
    assert learner.add(_attest("mentor", "acme-management"), D) == ("basic-supervision-skills",)
    assert learner.award_of("basic-supervision-skills").counted == ("att-1",)


def test_attestation_by_the_wrong_role_or_program_does_not_count() -> None:
    req = catalog(ROUTES)["basic-supervision-skills"]
    for attestation in (_attest("peer", "acme-management"), _attest("mentor", "other")):
        outcome = evaluate(req, [attestation], D)
        assert outcome.reasons == (
            "attestation: no attestation for basic-supervision-skills by a mentor in "
            "acme-management yet",
        )


def test_index_finds_direct_and_transitive_dependants() -> None:
    reqs = catalog("""
    gcp-essentials: {assessment: gcp-exam}
    ccrp: [gcp-essentials, informed-consent]
    specialist: [ccrp, oncology-safety]
    oncology-safety: [{course: onc-training}, {assessment: onc-exam}]
    degree: {credits: 30}
    unrelated: [something-else]
    """)
    index = DependantIndex.build(reqs)
    assert index.direct(("assessment", "gcp-exam")) == {"gcp-essentials"}
    assert index.transitive(["gcp-essentials"]) == ["gcp-essentials", "ccrp", "specialist"]
    assert index.for_record(course("onc-training", D)) == {"oncology-safety"}
    assert index.for_record(course("other", D, credits=3)) == {"degree"}
    assert index.for_record(award("ccrp", D)) == {"specialist"}


def test_counted_by_follows_awards_transitively() -> None:
    # Distinct dates: results are ordered by (date, id), and ids come from a shared counter
    # whose string order ("award-10" < "award-9") depends on how many tests ran before.
    consent = award("informed-consent", D)
    ccrp = award("ccrp", D + timedelta(days=1), counted=(consent.id,))
    specialist = award("specialist", D + timedelta(days=2), counted=(ccrp.id,))
    other = award("other", D)
    assert counted_by(consent.id, [other, specialist, ccrp, consent]) == (ccrp, specialist)


def test_met_achievements_uses_compiled_checks() -> None:
    reqs = catalog("""
    ccrp: [a, b]
    advanced: {n_of: 1, of: [[a, c], [b]]}
    never: {holds: z}
    """)
    checks = {key: compile_check(req) for key, req in reqs.items()}
    records = [award("a", D), award("b", D)]
    assert met_achievements(checks, records, D) == ["ccrp", "advanced"]


def test_holds_with_a_recency_window_and_minimum_grade() -> None:
    req = requirement("{holds: ml-fundamentals, min_grade: B, within: P6Y}")
    old = award("ml-fundamentals", date(2018, 5, 1), grade="A", title="ML fundamentals")
    weak = award("ml-fundamentals", date(2025, 5, 1), grade="C", title="ML fundamentals")
    outcome = evaluate(req, [old, weak], date(2026, 6, 1))
    assert not outcome.met
    assert outcome.reasons == (
        "ML fundamentals graded C; B or better required",
        "ML fundamentals completed 2018-05-01, more than 6 years before 2026-06-01",
    )
