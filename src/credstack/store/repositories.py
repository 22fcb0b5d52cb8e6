"""Queries, one class per aggregate. Every query that touches tenant data takes the issuer."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from credstack.domain.catalog import ReviewStatus
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    ApiTokenRow,
    AssessmentAttemptRow,
    AssessmentRow,
    AssessmentVersionRow,
    AttestationRow,
    AwardEventRow,
    AwardRow,
    CatalogLoadRow,
    CeCountRow,
    CeCycleRow,
    CompetencyRow,
    CourseCompletionRow,
    FrameworkRow,
    ImportedCredentialRow,
    IssuerRow,
    LearnerRow,
    MembershipRow,
    PartnerRow,
    SigningKeyRow,
    UserRow,
)

PUBLISHED = ReviewStatus.PUBLISHED
"""The one status from which credentials are issued (quality review, story 09)."""

__all__ = [
    "PUBLISHED",
    "Achievements",
    "Assessments",
    "Awards",
    "CatalogLoads",
    "Issuers",
    "Learners",
    "Records",
    "SigningKeys",
    "Users",
]


class _Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()


class Issuers(_Repository):
    def by_key(self, key: str) -> IssuerRow | None:
        return self.session.scalar(select(IssuerRow).where(IssuerRow.key == key))

    def all(self) -> Sequence[IssuerRow]:
        return self.session.scalars(select(IssuerRow).order_by(IssuerRow.key)).all()

    def count(self, keys: Collection[str] | None = None) -> int:
        """How many issuers (among ``keys`` when given)."""
        query = select(func.count()).select_from(IssuerRow)
        if keys is not None:
            query = query.where(IssuerRow.key.in_(list(keys)))
        return self.session.scalar(query) or 0

    def window(
        self, offset: int, limit: int, keys: Collection[str] | None = None
    ) -> Sequence[IssuerRow]:
        """A slice of `all` (among ``keys`` when given), read in SQL."""
        query = select(IssuerRow).order_by(IssuerRow.key).offset(offset).limit(limit)
        if keys is not None:
            query = query.where(IssuerRow.key.in_(list(keys)))
        return self.session.scalars(query).all()

    def partners(self, issuer_id: int) -> Sequence[PartnerRow]:
        return self.session.scalars(
            select(PartnerRow).where(PartnerRow.issuer_id == issuer_id).order_by(PartnerRow.key)
        ).all()

    def partner(self, issuer_id: int, key: str) -> PartnerRow | None:
        return self.session.scalar(
            select(PartnerRow).where(PartnerRow.issuer_id == issuer_id, PartnerRow.key == key)
        )

    def frameworks(self, issuer_id: int) -> Sequence[FrameworkRow]:
        return self.session.scalars(
            select(FrameworkRow)
            .where(FrameworkRow.issuer_id == issuer_id)
            .order_by(FrameworkRow.key)
        ).all()

    def framework(self, issuer_id: int, key: str) -> FrameworkRow | None:
        return self.session.scalar(
            select(FrameworkRow).where(FrameworkRow.issuer_id == issuer_id, FrameworkRow.key == key)
        )

    def competencies(self, framework_id: int) -> Sequence[CompetencyRow]:
        return self.session.scalars(
            select(CompetencyRow)
            .where(CompetencyRow.framework_id == framework_id)
            .order_by(CompetencyRow.key)
        ).all()


class Users(_Repository):
    def by_email(self, email: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.email == email))

    def roles(self, user_id: int, issuer_id: int) -> set[tuple[str, str]]:
        rows = self.session.execute(
            select(MembershipRow.role, MembershipRow.scope).where(
                MembershipRow.user_id == user_id, MembershipRow.issuer_id == issuer_id
            )
        ).all()
        return {(role, scope) for role, scope in rows}

    def memberships(self, user_id: int) -> Sequence[MembershipRow]:
        return self.session.scalars(
            select(MembershipRow).where(MembershipRow.user_id == user_id)
        ).all()

    def token_by_hash(self, token_hash: str) -> ApiTokenRow | None:
        return self.session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))

    def tokens(self, user_id: int) -> Sequence[ApiTokenRow]:
        return self.session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        ).all()

    def get(self, user_id: int) -> UserRow | None:
        return self.session.get(UserRow, user_id)


class Learners(_Repository):
    def by_key(self, key: str) -> LearnerRow | None:
        return self.session.scalar(select(LearnerRow).where(LearnerRow.key == key))

    def all(self) -> Sequence[LearnerRow]:
        return self.session.scalars(select(LearnerRow).order_by(LearnerRow.key)).all()

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(LearnerRow)) or 0

    def add_unless_taken(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, LearnerRow]:
        """Insert new learners (attribute values) in one statement, leaving out any whose key
        or address another transaction has taken; every learner now under one of the keys.

        Two import workers may create the same learner in concurrent batches: on PostgreSQL
        the later insert waits for the earlier transaction and then skips its row, so the
        caller uses the learner the other made instead of failing on the unique key. Rows go
        in key order, so two such inserts wait on each other in one order and cannot deadlock.
        """
        if not rows:
            return {}
        ordered = sorted(rows, key=lambda row: str(row["key"]))
        dialect = self.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        # The table, not the mapped class: a Core executemany, without the ORM's bulk insert.
        table = LearnerRow.__table__
        self.session.execute(module.insert(table).on_conflict_do_nothing(), ordered)
        keys = [row["key"] for row in ordered]
        return {
            row.key: row
            for row in self.session.scalars(select(LearnerRow).where(LearnerRow.key.in_(keys)))
        }

    def page(self, offset: int, limit: int) -> Sequence[LearnerRow]:
        """``limit`` learners by key from ``offset``: a list that pages in SQL."""
        query = select(LearnerRow).order_by(LearnerRow.key).offset(offset).limit(limit)
        return self.session.scalars(query).all()


class Achievements(_Repository):
    def by_key(self, issuer_id: int, key: str) -> AchievementRow | None:
        return self.session.scalar(
            select(AchievementRow).where(
                AchievementRow.issuer_id == issuer_id, AchievementRow.key == key
            )
        )

    def all(self, issuer_id: int) -> Sequence[AchievementRow]:
        return self.session.scalars(
            select(AchievementRow)
            .where(AchievementRow.issuer_id == issuer_id)
            .order_by(AchievementRow.key)
        ).all()

    def count(self, issuer_id: int) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(AchievementRow)
                .where(AchievementRow.issuer_id == issuer_id)
            )
            or 0
        )

    def window(
        self, issuer_id: int, offset: int, limit: int
    ) -> Sequence[tuple[AchievementRow, AchievementVersionRow]]:
        """A slice of `all`, each with its current version, in one SQL read."""
        rows = self.session.execute(
            select(AchievementRow, AchievementVersionRow)
            .join(
                AchievementVersionRow,
                (AchievementVersionRow.achievement_id == AchievementRow.id)
                & (AchievementVersionRow.version == AchievementRow.current_version),
            )
            .where(AchievementRow.issuer_id == issuer_id)
            .order_by(AchievementRow.key)
            .offset(offset)
            .limit(limit)
        ).all()
        return [(a, v) for a, v in rows]

    def version(self, achievement_id: int, version: int) -> AchievementVersionRow | None:
        if not 0 < version < 2**31:  # no row holds it; SQLite cannot even compare 10**20
            return None
        return self.session.scalar(
            select(AchievementVersionRow).where(
                AchievementVersionRow.achievement_id == achievement_id,
                AchievementVersionRow.version == version,
            )
        )

    def current(self, achievement: AchievementRow) -> AchievementVersionRow:
        row = self.version(achievement.id, achievement.current_version)
        if row is None:  # pragma: no cover - guarded by the load transaction
            raise LookupError(
                f"achievement {achievement.key} has no version {achievement.current_version}"
            )
        return row

    def versions(self, achievement_id: int) -> Sequence[AchievementVersionRow]:
        return self.session.scalars(
            select(AchievementVersionRow)
            .where(AchievementVersionRow.achievement_id == achievement_id)
            .order_by(AchievementVersionRow.version)
        ).all()

    def issuable(self, achievement: AchievementRow) -> AchievementVersionRow | None:
        """The newest published version: while v2 is in review, v1 is still what is issued."""
        published = [v for v in self.versions(achievement.id) if v.status == PUBLISHED]
        return published[-1] if published else None

    def version_by_id(self, version_id: int) -> AchievementVersionRow | None:
        return self.session.get(AchievementVersionRow, version_id)


class Assessments(_Repository):
    def by_key(self, issuer_id: int, key: str) -> AssessmentRow | None:
        return self.session.scalar(
            select(AssessmentRow).where(
                AssessmentRow.issuer_id == issuer_id, AssessmentRow.key == key
            )
        )

    def current(self, assessment: AssessmentRow) -> AssessmentVersionRow | None:
        return self.session.scalar(
            select(AssessmentVersionRow).where(
                AssessmentVersionRow.assessment_id == assessment.id,
                AssessmentVersionRow.version == assessment.current_version,
            )
        )


class CatalogLoads(_Repository):
    def for_issuer(self, issuer_id: int) -> Sequence[CatalogLoadRow]:
        return self.session.scalars(
            select(CatalogLoadRow)
            .where(CatalogLoadRow.issuer_id == issuer_id)
            .order_by(CatalogLoadRow.id)
        ).all()


_AWARDS = AwardRow.__table__.c
_SIGNED_TEXT = select(cast(_AWARDS.credential, Text)).where(
    _AWARDS.public_id == bindparam("public_id")
)
"""Built once: a Core statement of one column, read without the ORM (see `signed_text`)."""


class Awards(_Repository):
    def signed_text(self, public_id: str) -> str | None:
        """The award's signed credential as the database keeps it (JSON text); None for no
        such award or one not signed. Neither the row is loaded nor the JSON decoded: the
        credential's stable URL sends it as it is, and that read is the server's most frequent.
        """
        text = self.session.connection().scalar(_SIGNED_TEXT, {"public_id": public_id})
        return None if text is None or text == "null" else str(text)

    def for_learner(self, learner_id: int) -> Sequence[AwardRow]:
        return self.session.scalars(
            select(AwardRow).where(AwardRow.learner_id == learner_id).order_by(AwardRow.id)
        ).all()

    def parties(self, award: AwardRow) -> tuple[LearnerRow, IssuerRow]:
        """The learner who holds the award and the issuer who made it (foreign keys: both exist)."""
        learner = self.session.get(LearnerRow, award.learner_id)
        issuer = self.session.get(IssuerRow, award.issuer_id)
        if learner is None or issuer is None:  # pragma: no cover - foreign keys forbid it
            raise LookupError(f"award {award.public_id} has lost its learner or issuer")
        return learner, issuer

    def by_public_id(self, public_id: str) -> AwardRow | None:
        return self.session.scalar(select(AwardRow).where(AwardRow.public_id == public_id))

    def count(self, issuer_id: int | None = None) -> int:
        query = select(func.count(AwardRow.id))
        if issuer_id is not None:
            query = query.where(AwardRow.issuer_id == issuer_id)
        return int(self.session.scalar(query) or 0)


class SigningKeys(_Repository):
    def active(self, issuer_id: int) -> SigningKeyRow | None:
        return self.session.scalar(
            select(SigningKeyRow)
            .where(SigningKeyRow.issuer_id == issuer_id, SigningKeyRow.retired_at.is_(None))
            .order_by(SigningKeyRow.id.desc())
        )

    def all(self, issuer_id: int) -> Sequence[SigningKeyRow]:
        return self.session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.issuer_id == issuer_id)
            .order_by(SigningKeyRow.id)
        ).all()

    def by_issuer(self) -> dict[int, list[SigningKeyRow]]:
        """Every issuer's keys, oldest first, in one query (not one per issuer)."""
        found: dict[int, list[SigningKeyRow]] = {}
        for row in self.session.scalars(select(SigningKeyRow).order_by(SigningKeyRow.id)):
            found.setdefault(row.issuer_id, []).append(row)
        return found


class Records(_Repository):
    """What a learner did, across every issuer: the stacking engine's input."""

    def attempts(self, learner_id: int) -> Sequence[AssessmentAttemptRow]:
        return self.session.scalars(
            select(AssessmentAttemptRow)
            .where(AssessmentAttemptRow.learner_id == learner_id)
            .order_by(AssessmentAttemptRow.id)
        ).all()

    def attestations(self, learner_id: int) -> Sequence[AttestationRow]:
        return self.session.scalars(
            select(AttestationRow)
            .where(AttestationRow.learner_id == learner_id)
            .order_by(AttestationRow.id)
        ).all()

    def completions(self, learner_id: int) -> Sequence[CourseCompletionRow]:
        return self.session.scalars(
            select(CourseCompletionRow)
            .where(CourseCompletionRow.learner_id == learner_id)
            .order_by(CourseCompletionRow.id)
        ).all()

    def imported(self, learner_id: int) -> Sequence[ImportedCredentialRow]:
        """The credentials from elsewhere the learner imported, oldest first."""
        return self.session.scalars(
            select(ImportedCredentialRow)
            .where(ImportedCredentialRow.learner_id == learner_id)
            .order_by(ImportedCredentialRow.id)
        ).all()

    def imported_by_id(self, learner_id: int, credential_id: str) -> ImportedCredentialRow | None:
        return self.session.scalar(
            select(ImportedCredentialRow).where(
                ImportedCredentialRow.learner_id == learner_id,
                ImportedCredentialRow.credential_id == credential_id,
            )
        )

    def assessment_version(self, version_id: int) -> AssessmentVersionRow | None:
        return self.session.get(AssessmentVersionRow, version_id)

    def events(self, award_id: int) -> Sequence[AwardEventRow]:
        return self.session.scalars(
            select(AwardEventRow)
            .where(AwardEventRow.award_id == award_id)
            .order_by(AwardEventRow.id)
        ).all()

    def cycles(self, award_id: int) -> Sequence[CeCycleRow]:
        return self.session.scalars(
            select(CeCycleRow).where(CeCycleRow.award_id == award_id).order_by(CeCycleRow.number)
        ).all()

    def counted_in_cycles(self, award_ids: Sequence[int]) -> dict[int, int]:
        """Award id -> the CE cycle it already counted in (one activity, one cycle)."""
        if not award_ids:
            return {}
        rows = self.session.execute(
            select(CeCountRow.counted_award_id, CeCountRow.cycle_id).where(
                CeCountRow.counted_award_id.in_(award_ids)
            )
        ).all()
        return {int(award_id): int(cycle_id) for award_id, cycle_id in rows}
