"""Stories 04 (training requirement on a base certification) and 05 (clusters of stacks)."""

from __future__ import annotations

from datetime import date

from credstack.domain.dependants import support_problems
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, AwardStatus
from tests.unit.domain.domain_builders import Learner, attempt, award, catalog, course

STORY_04 = """
oncology-trial-design:
  all:
    - course: oncology-trial-design-training
      min_hours: 8
      providers: [acrp, oncology-institute]
      label: formal training
    - assessment: oncology-trial-design-exam
oncology-safety:
  all:
    - {course: oncology-safety-training, min_hours: 8, providers: [acrp, oncology-institute],
       label: formal training}
    - {assessment: oncology-safety-exam}
oncology-regulatory:
  all:
    - {course: oncology-regulatory-training, min_hours: 8, providers: [acrp],
       label: formal training}
    - {assessment: oncology-regulatory-exam}
ccrp-oncology-specialist:
  all:
    - {holds: ccrp, label: base certification}
    - oncology-trial-design
    - oncology-safety
    - oncology-regulatory
"""
D = date(2026, 5, 1)


def test_story_04_fay_without_base_certification() -> None:
    reqs = catalog(STORY_04)
    fay = Learner(reqs)
    assert fay.add(course("oncology-safety-training", D, provider="acrp", hours=8), D) == ()
    assert fay.add(attempt("oncology-safety-exam", 80, D), D) == ("oncology-safety",)
    outcome = evaluate(reqs["ccrp-oncology-specialist"], fay.records, D)
    assert not outcome.met
    assert outcome.why_not()[0] == "base certification ccrp is missing"


def test_story_04_gus_needs_training_then_earns_designation_then_ccrp_lapses() -> None:
    reqs = catalog(STORY_04)
    ccrp = award("ccrp", date(2025, 1, 1), kind="certification", valid_until=date(2028, 1, 1))
    gus = Learner(reqs, types={"ccrp-oncology-specialist": "certification"}, records=[ccrp])
    assert gus.add(attempt("oncology-trial-design-exam", 90, D), D) == ()
    outcome = evaluate(reqs["oncology-trial-design"], gus.records, D)
    assert outcome.why_not() == (
        "formal training: no recorded course completion (oncology-trial-design-training) "
        "of at least 8 hours from an approved provider",
    )
    # A short course from an unapproved provider does not count either, and says so.
    gus.add(course("oncology-trial-design-training", D, provider="acme", hours=8), D)
    assert evaluate(reqs["oncology-trial-design"], gus.records, D).why_not() == (
        "course oncology-trial-design-training is from acme, not an approved provider",
    )

    awarded: list[str] = []
    for part in ("oncology-trial-design", "oncology-safety", "oncology-regulatory"):
        awarded += gus.add(course(f"{part}-training", D, provider="acrp", hours=8), D)
        awarded += gus.add(attempt(f"{part}-exam", 85, D), D)
    assert awarded == [
        "oncology-trial-design",
        "oncology-safety",
        "oncology-regulatory",
        "ccrp-oncology-specialist",
    ]
    specialist = gus.award_of("ccrp-oncology-specialist")
    assert ccrp.id in specialist.counted

    # ccrp lapses: the designation is shown as dependent on a lapsed prerequisite
    later = date(2028, 3, 1)
    lapsed = Award(
        **{**{s: getattr(ccrp, s) for s in Award.__slots__}, "status": AwardStatus.EXPIRED}
    )
    records = [lapsed if r is ccrp else r for r in gus.records]
    assert support_problems(specialist, records, later) == (
        f"ccrp ({ccrp.id}) expired on 2028-01-01 (lapsed)",
    )
    assert evaluate(reqs["ccrp-oncology-specialist"], records, later).why_not() == (
        "ccrp expired on 2028-01-01 (lapsed)",
    )


STORY_05 = """
advanced-wound-care:
  all:
    - {holds: wound-care-nurse, label: core certification}
    - n_of: 2
      label: cluster of stacks
      of:
        - {all: [df-assessment, df-offloading], label: diabetic foot}
        - {all: [pi-staging, pi-prevention, pi-support-surfaces], label: pressure injury}
        - {all: [ostomy-care, ostomy-complications], label: ostomy}
"""


def test_story_05_hana_completes_two_stacks() -> None:
    reqs = catalog(STORY_05)
    hana = Learner(reqs, types={"advanced-wound-care": "certification"})
    for a in ("wound-care-nurse", "df-assessment", "df-offloading", "pi-staging", "pi-prevention"):
        assert hana.add(award(a, D), D) == ()
    outcome = evaluate(reqs["advanced-wound-care"], hana.records, D)
    cluster = outcome.children[1]
    assert str(cluster.progress) == "1 of 2 requirements"
    stack_a, stack_b, _ = cluster.children
    assert stack_a.met
    assert str(stack_b.progress) == "2 of 3 requirements"
    assert stack_b.why_not() == ("pi-support-surfaces: not yet earned",)

    assert hana.add(award("pi-support-surfaces", D), D) == ("advanced-wound-care",)
    evidence = {
        r.achievement_id
        for r in hana.records
        if isinstance(r, Award) and r.id in hana.award_of("advanced-wound-care").counted
    }
    assert evidence == {
        "wound-care-nurse",
        "df-assessment",
        "df-offloading",
        "pi-staging",
        "pi-prevention",
        "pi-support-surfaces",
    }


def test_story_05_ivan_without_core_then_with_it() -> None:
    reqs = catalog(STORY_05)
    ivan = Learner(reqs)
    for a in ("df-assessment", "df-offloading", "ostomy-care", "ostomy-complications"):
        assert ivan.add(award(a, D), D) == ()
    outcome = evaluate(reqs["advanced-wound-care"], ivan.records, D)
    assert outcome.why_not() == ("core certification wound-care-nurse is missing",)
    assert ivan.add(award("wound-care-nurse", date(2026, 6, 1)), date(2026, 6, 1)) == (
        "advanced-wound-care",
    )


def test_story_05_leaf_progress_counts_the_closest_stacks() -> None:
    reqs = catalog(STORY_05)
    records = [
        award(a, D)
        for a in (
            "wound-care-nurse",
            "df-assessment",
            "df-offloading",
            "pi-staging",
            "pi-prevention",
        )
    ]
    outcome = evaluate(reqs["advanced-wound-care"], records, D)
    assert str(outcome.leaf_progress()) == "5 of 6 requirements"
