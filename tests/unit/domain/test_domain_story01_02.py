"""Stories 01 (ordered learning path) and 02 (stack to certification) at the domain level."""

from __future__ import annotations

from datetime import date

from credstack.domain.dependants import counted_by, support_problems
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, AwardStatus, Proctoring
from credstack.domain.requirements import Path
from tests.unit.domain.domain_builders import Learner, attempt, catalog, rubric

STORY_01 = """
spreadsheets-fundamentals: {assessment: spreadsheets-fundamentals-exam, min_percent: 70}
sql-querying: {assessment: sql-querying-exam, min_percent: 70}
data-visualisation: {assessment: data-visualisation-exam, min_percent: 70}
descriptive-statistics: {assessment: descriptive-statistics-exam, min_percent: 70}
junior-data-analyst:
  path:
    - spreadsheets-fundamentals
    - sql-querying
    - data-visualisation
    - descriptive-statistics
    - {rubric: jda-capstone, min_score: 3, label: capstone project}
"""

D = date(2026, 3, 1)


def test_story_01_learning_path() -> None:
    reqs = catalog(STORY_01)
    ana = Learner(reqs, types={"junior-data-analyst": "certificate"})
    jda = reqs["junior-data-analyst"]
    assert isinstance(jda, Path)

    # 1. two passes: two microcredentials, 2 of 5, next step data-visualisation
    assert ana.add(attempt("spreadsheets-fundamentals-exam", 82, D), D) == (
        "spreadsheets-fundamentals",
    )
    assert ana.add(attempt("sql-querying-exam", 71, D), D) == ("sql-querying",)
    outcome = evaluate(jda, ana.records, D)
    assert not outcome.met
    assert str(outcome.progress) == "2 of 5 requirements"
    assert outcome.next_step == 2
    assert outcome.next_step_outcome is not None
    assert outcome.next_step_outcome.reasons == ("data-visualisation: not yet earned",)

    # 2. a failed attempt issues nothing and progress stays 2 of 5
    assert ana.add(attempt("data-visualisation-exam", 64, D), D) == ()
    assert str(evaluate(jda, ana.records, D).progress) == "2 of 5 requirements"
    dv = evaluate(reqs["data-visualisation"], ana.records, D)
    assert dv.reasons == (
        "data-visualisation-exam: attempt on 2026-03-01 scored 64%, below the cut score",
    )

    # 3. retake and the fourth: 4 of 5, only the capstone missing, not awarded
    assert ana.add(attempt("data-visualisation-exam", 88, D), D) == ("data-visualisation",)
    assert ana.add(attempt("descriptive-statistics-exam", 75, D), D) == ("descriptive-statistics",)
    outcome = evaluate(jda, ana.records, D)
    assert str(outcome.progress) == "4 of 5 requirements"
    assert outcome.why_not() == ("capstone project: not yet scored by a reviewer",)
    assert not ana.holds("junior-data-analyst")

    # 4. capstone scored 3 of 4: awarded automatically, five earned items as evidence
    capstone = rubric("jda-capstone", 3, D)
    assert ana.add(capstone, D) == ("junior-data-analyst",)
    jda_award = ana.award_of("junior-data-analyst")
    evidence = {r.id: r for r in ana.records if r.id in jda_award.counted}
    assert len(evidence) == 5
    assert capstone.id in evidence
    assert {r.achievement_id for r in evidence.values() if isinstance(r, Award)} == {
        "spreadsheets-fundamentals",
        "sql-querying",
        "data-visualisation",
        "descriptive-statistics",
    }


STORY_02 = """
gcp-essentials: {assessment: gcp-essentials-exam, proctored: true, identity_verified: true}
informed-consent: {assessment: informed-consent-exam, proctored: true, identity_verified: true}
adverse-event-reporting:
  {assessment: adverse-event-reporting-exam, proctored: true, identity_verified: true}
study-close-out: {assessment: study-close-out-exam, proctored: true, identity_verified: true}
ccrp: [gcp-essentials, informed-consent, adverse-event-reporting, study-close-out]
"""

PARTS = ("gcp-essentials", "informed-consent", "adverse-event-reporting", "study-close-out")


def test_story_02_stack_awards_certification_and_revocation_flags_it() -> None:
    reqs = catalog(STORY_02)
    ben = Learner(reqs, types={"ccrp": "certification"})
    for i, part in enumerate(PARTS):
        new = ben.add(
            attempt(
                f"{part}-exam",
                80,
                date(2026, 1, 10 + i),
                proctoring=Proctoring.IN_PERSON,
                identity_verified=True,
            ),
            date(2026, 1, 10 + i),
        )
        assert new == ((part, "ccrp") if i == 3 else (part,))
    ccrp = ben.award_of("ccrp")
    assert ccrp.awarded_on == date(2026, 1, 13)
    assert len(ccrp.counted) == 4

    # 3. revoking informed-consent flags ccrp: no longer fully supported
    consent = ben.award_of("informed-consent")
    revoked = Award(
        **{
            **{s: getattr(consent, s) for s in Award.__slots__},
            "status": AwardStatus.REVOKED,
            "status_changed_on": date(2026, 4, 1),
        }
    )
    records = [revoked if r is consent else r for r in ben.records]
    awards = [r for r in records if isinstance(r, Award)]
    assert counted_by(consent.id, awards) == (ccrp,)
    assert support_problems(ccrp, records, date(2026, 4, 2)) == (
        f"informed-consent ({consent.id}) was revoked on 2026-04-01",
    )
    outcome = evaluate(reqs["ccrp"], records, date(2026, 4, 2))
    assert not outcome.met
    assert outcome.why_not() == ("informed-consent was revoked on 2026-04-01",)


def test_story_02_unproctored_sitting_issues_nothing_and_says_why() -> None:
    reqs = catalog(STORY_02)
    cara = Learner(reqs)
    d = date(2026, 2, 1)
    assert cara.add(attempt("study-close-out-exam", 90, d, identity_verified=True), d) == ()
    outcome = evaluate(reqs["study-close-out"], cara.records, d)
    assert outcome.reasons == (
        "study-close-out-exam: passed on 2026-02-01 in an unproctored attempt; "
        "proctoring is required",
    )
    ccrp = evaluate(reqs["ccrp"], cara.records, d)
    assert str(ccrp.progress) == "0 of 4 requirements"
    assert ccrp.counted == ()


def test_story_01_progress_reads_the_same_when_the_path_is_nested() -> None:
    """The shipped catalog writes the path inside "all of" with the capstone beside it."""
    reqs = catalog(
        STORY_01.replace(
            """  path:
    - spreadsheets-fundamentals
    - sql-querying
    - data-visualisation
    - descriptive-statistics
    - {rubric: jda-capstone, min_score: 3, label: capstone project}""",
            """  all:
    - path: [spreadsheets-fundamentals, sql-querying, data-visualisation,
             descriptive-statistics]
    - {rubric: jda-capstone, min_score: 3, label: capstone project}""",
        )
    )
    ana = Learner(reqs)
    ana.add(attempt("spreadsheets-fundamentals-exam", 82, D), D)
    ana.add(attempt("sql-querying-exam", 71, D), D)
    outcome = evaluate(reqs["junior-data-analyst"], ana.records, D)
    assert str(outcome.leaf_progress()) == "2 of 5 requirements"
    step = outcome.suggested_next()
    assert step is not None
    assert step.reasons == ("data-visualisation: not yet earned",)
    for exam in ("data-visualisation-exam", "descriptive-statistics-exam"):
        ana.add(attempt(exam, 90, D), D)
    outcome = evaluate(reqs["junior-data-analyst"], ana.records, D)
    assert str(outcome.leaf_progress()) == "4 of 5 requirements"
    step = outcome.suggested_next()
    assert step is not None
    assert step.reasons == ("capstone project: not yet scored by a reviewer",)
