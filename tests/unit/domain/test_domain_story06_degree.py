"""Story 06: credit-bearing certificates stacking into a master's degree, with the audit."""

from __future__ import annotations

from datetime import date

from credstack.domain.audit import degree_audit, render_audit
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, CourseCompletion, Record
from credstack.service.explain import Names
from tests.unit.domain.domain_builders import award, course, requirement

MS_DATA_SCIENCE = """
all:
  - {course: capstone-thesis, providers: [lakeside-university], label: capstone thesis}
  - credits: 30
    from:
      types: [certificate, course]
      issuers: [lakeside-university, harbor-college]   # the articulation list
    min_grade: B
    within: P6Y
    cap:
      - {from: {types: [certificate]}, max: 24, label: stacked certificates}
"""
CONFERRAL = date(2026, 6, 1)
LAKESIDE = "lakeside-university"


def certificate(
    key: str,
    grades: tuple[str, ...],
    on: date,
    *,
    issuer: str = LAKESIDE,
    issuer_name: str = "Lakeside University",
) -> list[Record]:
    courses = [
        course(
            f"{key}-course-{i}",
            on,
            provider=issuer,
            hours=45,
            grade=g,
            credits=3,
            title=f"{key} course {i}",
        )
        for i, g in enumerate(grades, start=1)
    ]
    cert = award(
        key,
        on,
        kind="certificate",
        issuer=issuer,
        credits=12,
        counted=tuple(c.id for c in courses),
        issuer_name=issuer_name,
    )
    return [*courses, cert]


def capstone(on: date = date(2026, 5, 1)) -> CourseCompletion:
    return course(
        "capstone-thesis",
        on,
        provider=LAKESIDE,
        hours=180,
        grade="A",
        credits=6,
        title="Capstone thesis",
    )


def _cert_id(records: list[Record], key: str) -> str:
    return next(r.id for r in records if isinstance(r, Award) and r.achievement_id == key)


def test_jo_gets_30_credits_and_the_audit_shows_each_certificate() -> None:
    two_years_ago = date(2024, 6, 1)
    records = [
        *certificate("cert-data-engineering", ("A", "B+", "B", "A-"), two_years_ago),
        *certificate("cert-machine-learning", ("B", "B", "A", "A"), two_years_ago),
        capstone(),
    ]
    outcome = evaluate(requirement(MS_DATA_SCIENCE), records, CONFERRAL)
    assert outcome.met
    audit = degree_audit(outcome, records)
    assert (audit.total, audit.required) == (30, 30)
    assert audit.group(_cert_id(records, "cert-data-engineering")).counted == 12
    assert audit.group(_cert_id(records, "cert-machine-learning")).counted == 12
    assert [(c.label, c.used, c.max) for c in audit.caps] == [("stacked certificates", 24, 24)]
    assert audit.not_counted == ()
    text = render_audit(audit)
    assert "Credits: 30 of 30 required — complete" in text
    assert "cert-data-engineering: 12 of 12 credits counted" in text
    assert "course Capstone thesis: 6 of 6 credits counted" in text
    named = render_audit(audit, Names({"cert-data-engineering": "Data Engineering"}).text)
    assert "Data Engineering: 12 of 12 credits counted" in named
    assert "cert-data-engineering" not in named


def test_kim_course_graded_c_does_not_count() -> None:
    records = [
        *certificate("cert-data-engineering", ("A", "C", "B", "B"), date(2025, 1, 10)),
        capstone(),
    ]
    outcome = evaluate(requirement(MS_DATA_SCIENCE), records, CONFERRAL)
    assert not outcome.met
    audit = degree_audit(outcome, records)
    assert audit.group(_cert_id(records, "cert-data-engineering")).counted == 9
    assert [line.reason for line in audit.not_counted] == [
        "course cert-data-engineering course 2 graded C; B or better required"
    ]
    assert audit.total == 15
    assert "credits: 15 of 30 credits; 15 more needed" in outcome.why_not()


def test_lee_courses_older_than_six_years_do_not_count() -> None:
    records = [
        *certificate("cert-machine-learning", ("A", "A", "A", "A"), date(2019, 5, 1)),
        capstone(),
    ]
    audit = degree_audit(evaluate(requirement(MS_DATA_SCIENCE), records, CONFERRAL), records)
    assert audit.group(_cert_id(records, "cert-machine-learning")).counted == 0
    assert audit.not_counted[0].reason == (
        "course cert-machine-learning course 1 completed 2019-05-01, "
        "more than 6 years before 2026-06-01"
    )


def test_max_only_the_articulated_institution_counts() -> None:
    harbor = award(
        "cert-analytics",
        date(2025, 3, 1),
        kind="certificate",
        issuer="harbor-college",
        issuer_name="Harbor College",
        credits=12,
    )
    unknown = award(
        "cert-big-data",
        date(2025, 3, 1),
        kind="certificate",
        issuer="unknown-institute",
        issuer_name="Unknown Institute",
        credits=12,
    )
    records: list[Record] = [harbor, unknown, capstone()]
    audit = degree_audit(evaluate(requirement(MS_DATA_SCIENCE), records, CONFERRAL), records)
    assert audit.group(harbor.id).counted == 12
    assert audit.group(unknown.id).counted == 0
    assert audit.group(unknown.id).lines[0].reason == (
        "issued by Unknown Institute, which is not on the articulation list"
    )
    assert audit.total == 18


def test_at_most_24_credits_from_certificates() -> None:
    on = date(2025, 1, 1)
    records = [
        *certificate("cert-data-engineering", ("A",) * 4, on),
        *certificate("cert-machine-learning", ("A",) * 4, on),
        *certificate("cert-statistics", ("A",) * 4, date(2025, 2, 1)),
        capstone(),
    ]
    outcome = evaluate(requirement(MS_DATA_SCIENCE), records, CONFERRAL)
    audit = degree_audit(outcome, records)
    assert audit.total == 30
    assert audit.caps[0].used == 24
    assert audit.group(_cert_id(records, "cert-statistics")).counted == 0
    assert audit.not_counted[0].reason == (
        "only 0 of 3 credits counted: at most 24 credits may come from stacked certificates"
    )


def test_missing_capstone_blocks_the_degree_even_with_30_credits() -> None:
    on = date(2025, 1, 1)
    records = [
        *certificate("cert-data-engineering", ("A",) * 4, on),
        *certificate("cert-machine-learning", ("A",) * 4, on),
        course("elective", on, provider=LAKESIDE, grade="A", credits=6, title="Elective"),
    ]
    outcome = evaluate(requirement(MS_DATA_SCIENCE), records, CONFERRAL)
    audit = degree_audit(outcome, records)
    assert audit.total == 30
    assert not audit.met
    assert audit.other_requirements == (
        "capstone thesis: no recorded course completion (capstone-thesis) "
        "from an approved provider",
    )


def test_a_course_inside_a_certificate_counts_once() -> None:
    records = [*certificate("cert-data-engineering", ("A",) * 4, date(2025, 1, 1))]
    outcome = evaluate(requirement("{credits: 12}"), records, CONFERRAL)
    assert outcome.met
    assert outcome.progress.done == 12


def test_courses_held_as_awards_are_claimed_by_their_certificate() -> None:
    """The catalog may model courses as achievements of type course (awarded before the
    certificate that counts them); the certificate still claims them for the cap and audit."""
    req = requirement("""
    all:
      - {holds: capstone-thesis, label: Capstone thesis}
      - credits: 30
        from: {issuers: [lakeside, harbor-college]}
        min_grade: B
        within: P6Y
        cap: [{from: {types: [certificate]}, max: 24, label: From stacked certificates}]
    """)
    records: list[Record] = []
    for key, grades in (("cert-data-engineering", "ABBC"), ("cert-machine-learning", "AAAA")):
        courses = [
            award(
                f"{key}-{i}",
                date(2024, 1, 10 + i),
                kind="course",
                issuer="lakeside",
                credits=3,
                grade=g,
            )
            for i, g in enumerate(grades)
        ]
        records += courses
        records.append(
            award(
                key,
                date(2024, 1, 20),
                kind="certificate",
                issuer="lakeside",
                credits=12,
                counted=tuple(c.id for c in courses),
            )
        )
    ungraded_course = award(
        "elective", date(2025, 1, 1), kind="course", issuer="lakeside", credits=3
    )
    records += [
        ungraded_course,
        award(
            "capstone-thesis",
            date(2026, 5, 1),
            kind="course",
            issuer="lakeside",
            credits=6,
            grade="A",
        ),
    ]
    outcome = evaluate(req, records, CONFERRAL)
    audit = degree_audit(outcome, records)
    assert audit.group(_cert_id(records, "cert-data-engineering")).counted == 9
    assert audit.group(_cert_id(records, "cert-machine-learning")).counted == 12
    assert audit.caps[0].used == 21
    assert audit.group(ungraded_course.id).lines[0].reason == (
        "course elective has no letter grade; B or better required"
    )
    assert audit.total == 27
    assert not outcome.met
