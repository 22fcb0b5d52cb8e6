"""The demo installation: example catalogs, a few learners and awards, an admin token.

Running it twice is safe: whatever already exists is left as it is.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

from credstack.errors import CredstackError
from credstack.service.awards import grant_award
from credstack.service.catalog import load_catalog, parsed
from credstack.service.people import add_issuer, add_learner, add_user, grant_role, issue_token
from credstack.service.runtime import Runtime

__all__ = ["DEMO_ADMIN", "LEARNERS", "examples_dir", "seed"]

DEMO_ADMIN = "admin@demo.credstack.invalid"
LEARNERS = (
    ("ana", "Ana Alves", "ana@example.org"),
    ("ben", "Ben Brooks", "ben@example.org"),
    ("dana", "Dana Diaz", "dana@example.org"),
    ("jo", "Jo Jensen", "jo@example.org"),
)
# (learner, issuer, achievement, date): a few awards so pages and the API have something to show.
AWARDS = (
    ("ana", "northwind", "spreadsheets-fundamentals", date(2026, 9, 1)),
    ("ana", "northwind", "sql-querying", date(2026, 9, 20)),
    ("ben", "ccrb", "gcp-essentials", date(2026, 3, 2)),
    ("ben", "ccrb", "informed-consent", date(2026, 3, 9)),
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
        seeded = 0
        for learner_key, issuer_key, achievement, on in AWARDS:
            awarding = uow.issuers.by_key(issuer_key)
            learner = uow.learners.by_key(learner_key)
            if awarding is None or learner is None:
                continue
            held = {
                uow.achievements.version_by_id(a.achievement_version_id)
                for a in uow.awards.for_learner(learner.id)
            }
            if any(v is not None and v.definition.get("id") == achievement for v in held):
                continue
            grant_award(
                uow,
                issuer=awarding,
                learner=learner,
                achievement_key=achievement,
                awarded_on=on,
                keys=runtime.keys(uow),
            )
            seeded += 1
        token = issue_token(uow, user=admin, name="demo")
        uow.commit()
    lines.append(f"{len(LEARNERS)} learners, {seeded} new awards")
    lines.append(f"admin API token (shown once): {token}")
    return lines
