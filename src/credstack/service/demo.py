"""The demo installation: example catalogs, a few learners and awards, an admin token.

Running it twice is safe: whatever already exists is left as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from importlib.resources import files
from pathlib import Path

from credstack.domain.records import Proctoring
from credstack.errors import CredstackError
from credstack.service import engine
from credstack.service.actor import Actor
from credstack.service.awards import grant_award, holds
from credstack.service.catalog import load_catalog, parsed
from credstack.service.earning import AttemptConditions, TotalScore, record_result
from credstack.service.earning.results import authorise_recording
from credstack.service.people import add_issuer, add_learner, add_user, grant_role, issue_token
from credstack.service.runtime import Runtime
from credstack.store.uow import UnitOfWork

__all__ = ["ATTEMPTS", "COURSES", "DEMO_ADMIN", "LEARNERS", "examples_dir", "seed"]

DEMO_ADMIN = "admin@demo.credstack.invalid"
LEARNERS = (
    ("ana", "Ana Alves", "ana@example.org"),
    ("ben", "Ben Brooks", "ben@example.org"),
    ("dana", "Dana Diaz", "dana@example.org"),
    ("hana", "Hana Hall", "hana@example.org"),
    ("jo", "Jo Jensen", "jo@example.org"),
)
# (learner, issuer, assessment, score, date, proctored): attempts recorded as a test platform
# would; every award the demo shows is then made by the stacking engine, as in production.
ATTEMPTS = (
    ("ana", "northwind", "spreadsheets-exam", 82, date(2026, 9, 1), False),
    ("ana", "northwind", "sql-exam", 71, date(2026, 9, 20), False),
    ("ana", "northwind", "visualisation-exam", 64, date(2026, 10, 1), False),
    ("ana", "northwind", "visualisation-exam", 88, date(2026, 10, 20), False),
    ("ben", "ccrb", "gcp-exam", 8, date(2026, 3, 2), True),
    ("ben", "ccrb", "consent-exam", 81, date(2026, 3, 9), True),
    ("ben", "ccrb", "ae-exam", 77, date(2026, 3, 16), True),
    ("ben", "ccrb", "close-out-exam", 85, date(2026, 3, 23), True),
    ("ben", "ccrb", "ethics-quiz", 9, date(2026, 5, 2), False),
    ("hana", "wcb", "wcn-exam", 78, date(2026, 1, 10), True),
    ("hana", "wcb", "df-assessment-exam", 80, date(2026, 2, 1), False),
    ("hana", "wcb", "df-offloading-exam", 84, date(2026, 2, 8), False),
    ("hana", "wcb", "pi-staging-exam", 90, date(2026, 2, 15), False),
    ("hana", "wcb", "pi-prevention-exam", 73, date(2026, 2, 22), False),
)
# (learner, issuer, course achievement, grade, date): a registrar's recorded course grades.
COURSES = tuple(
    ("jo", "lakeside", course, "A-", date(2025, 5, 15))
    for course in ("de-pipelines", "de-warehousing", "de-streaming", "de-cloud", "ml-foundations")
)


def examples_dir() -> Path:
    """The example catalogs: packaged with a wheel, or beside `src/` in a checkout."""
    packaged = Path(str(files("credstack"))) / "_examples"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "examples"
    if checkout.is_dir():
        return checkout
    raise CredstackError("the example catalogs are missing from this installation")


def seed(runtime: Runtime, examples: Path) -> list[str]:
    lines: list[str] = []
    with runtime.uow() as uow:
        for path in sorted(examples.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            catalog = parsed(text, str(path))
            if catalog.issuer is None:
                raise CredstackError(f"{path}: an example catalog must name its issuer")
            profile = catalog.issuer
            if uow.issuers.by_key(profile.key) is None:
                add_issuer(
                    uow,
                    runtime.keys(uow),
                    key=profile.key,
                    name=profile.name,
                    kind=profile.kind,
                    url=profile.url,
                    email=profile.email,
                )
            report = load_catalog(uow, issuer_key=profile.key, text=text, source=path.name)
            lines.append(
                f"catalog {path.name}: {len(report.created)} created, "
                f"{len(report.new_versions)} new versions, "
                f"{len(report.unchanged)} unchanged"
            )
        admin = uow.users.by_email(DEMO_ADMIN) or add_user(
            uow, email=DEMO_ADMIN, name="Demo administrator"
        )
        for issuer in uow.issuers.all():
            if ("admin", "") not in uow.users.roles(admin.id, issuer.id):
                grant_role(uow, user=admin, issuer=issuer, role="admin")
        for key, name, email in LEARNERS:
            if uow.learners.by_key(key) is None:
                add_learner(uow, key=key, name=name, email=email)
        seeded = _seed_records(runtime, uow)
        token = issue_token(uow, user=admin, name="demo")
        uow.commit()
    lines.append(f"{len(LEARNERS)} learners, {seeded} new awards made by the stacking engine")
    lines.append(f"admin API token (shown once): {token}")
    return lines


def _seed_records(runtime: Runtime, uow: UnitOfWork) -> int:
    """Record the demo's attempts and grades once; the engine makes (and signs) the awards."""
    keys = runtime.keys(uow)
    made = 0
    for learner_key, issuer_key, assessment, score, on, proctored in ATTEMPTS:
        issuer, learner = uow.issuers.by_key(issuer_key), uow.learners.by_key(learner_key)
        if issuer is None or learner is None:
            continue
        attempt_id = f"demo-{learner_key}-{assessment}-{on.isoformat()}"
        conditions = AttemptConditions(
            sat_at=datetime.combine(on, time(10), tzinfo=UTC),
            proctoring=Proctoring.IN_PERSON if proctored else Proctoring.NONE,
            proctored_by="Demo Test Centre" if proctored else None,
            identity_method="government ID check" if proctored else None,
            identity_verified_by="Demo Test Centre" if proctored else None,
            identity_verified_at=datetime.combine(on, time(9), tzinfo=UTC) if proctored else None,
        )
        result = TotalScore(score)
        recorded = record_result(
            uow,
            keys,
            issuer=issuer,
            learner=learner,
            assessment=assessment,
            result=result,
            conditions=conditions,
            by=authorise_recording(Actor.operator(), issuer.key, assessment, result),
            attempt_id=attempt_id,
        )
        made += len(recorded.awarded)
    for learner_key, issuer_key, course, grade, on in COURSES:
        issuer, learner = uow.issuers.by_key(issuer_key), uow.learners.by_key(learner_key)
        if issuer is None or learner is None:
            continue
        achievement = uow.achievements.by_key(issuer.id, course)
        if achievement is None or holds(uow, learner, achievement.id, on) is not None:
            continue
        award = grant_award(
            uow,
            issuer=issuer,
            learner=learner,
            achievement_key=course,
            awarded_on=on,
            grade=grade,
            keys=keys,
        )
        settled = engine.settle(
            uow, keys, learner=learner, issuer=issuer, trigger=f"award:{award.public_id}", as_of=on
        )
        made += 1 + len(settled.awarded)
    return made
