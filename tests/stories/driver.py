"""Drives the stories through credstack's services on a real database (SQLite or PostgreSQL).

Each verb is one thing a person does in a story: a learner sits an exam, a reviewer scores a
capstone, a registrar records a course, an administrator revokes. Recording goes through the
same `settle` the API and CLI call, so awards are made by the engine, never by the test.
"""

from __future__ import annotations

import uuid
import weakref
from datetime import UTC, date, datetime, time
from pathlib import Path

from credstack.domain.ce import ComplianceReport
from credstack.domain.outcome import Outcome
from credstack.service import ce, engine, lifecycle
from credstack.service.awards import grant_award, holds
from credstack.service.catalog import load_catalog, parsed
from credstack.service.engine import Settlement
from credstack.service.keys import IssuerKeys, MemoryKeys
from credstack.service.people import add_issuer, add_learner
from credstack.store.models import (
    AssessmentAttemptRow,
    AssessmentRow,
    AssessmentVersionRow,
    AwardRow,
    CourseCompletionRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = "https://credstack.test"
_MEMORY_KEYS: weakref.WeakKeyDictionary[UnitOfWork, MemoryKeys] = weakref.WeakKeyDictionary()


def _at(on: date) -> datetime:
    return datetime.combine(on, time(9), tzinfo=UTC)


class Story:
    def __init__(self, uow: UnitOfWork, keys: IssuerKeys) -> None:
        self.uow = uow
        self.keys = keys

    @classmethod
    def in_memory(cls, uow: UnitOfWork) -> Story:
        """A story whose issuers sign with keys held in memory (nothing here is about sealing);
        stories on one unit of work share them, so an issuer one story added signs in the next."""
        keys = _MEMORY_KEYS.get(uow)
        if keys is None:
            keys = _MEMORY_KEYS[uow] = MemoryKeys(uow, BASE)
        return cls(uow, keys)

    # --- set-up -------------------------------------------------------------------------
    def load(self, *files: str) -> None:
        for name in files:
            text = (EXAMPLES / name).read_text()
            catalog = parsed(text, name)
            assert catalog.issuer is not None
            if self.uow.issuers.by_key(catalog.issuer.key) is None:
                add_issuer(
                    self.uow,
                    self.keys,
                    key=catalog.issuer.key,
                    name=catalog.issuer.name,
                    kind=catalog.issuer.kind,
                )
            load_catalog(self.uow, issuer_key=catalog.issuer.key, text=text, source=name)

    def issuer(self, key: str) -> IssuerRow:
        row = self.uow.issuers.by_key(key)
        assert row is not None
        return row

    def learner(self, key: str) -> LearnerRow:
        row = self.uow.learners.by_key(key)
        return row or add_learner(self.uow, key=key, name=key.title())

    # --- what people do -------------------------------------------------------------------
    def _assessment(self, issuer: IssuerRow, key: str) -> AssessmentVersionRow:
        row = self.uow.assessments.by_key(issuer.id, key)
        if row is None:
            row = AssessmentRow(issuer_id=issuer.id, key=key, current_version=1)
            self.uow.assessments.add(row)
            definition = {"id": key, "max_score": 100, "cut_score": {"percent": 70}}
            self.uow.assessments.add(
                AssessmentVersionRow(
                    assessment_id=row.id, version=1, content_hash="test", definition=definition
                )
            )
        version = self.uow.assessments.current(row)
        assert version is not None
        return version

    def sit(
        self,
        learner: str,
        issuer: str,
        assessment: str,
        percent: float,
        on: date,
        *,
        proctoring: str = "unproctored",
        identity: str | None = None,
    ) -> Settlement:
        """An attempt scored out of 100 by the test platform; pass at the cut score (70%)."""
        who, where = self.learner(learner), self.issuer(issuer)
        version = self._assessment(where, assessment)
        cut = version.definition.get("cut_score", {}).get("percent", 70)
        attempt = AssessmentAttemptRow(
            public_id=str(uuid.uuid4()),
            learner_id=who.id,
            issuer_id=where.id,
            assessment_version_id=version.id,
            source="external",
            sat_at=_at(on),
            raw_score=percent,
            max_score=100,
            percent=percent,
            passed=percent >= cut,
            proctoring=proctoring,
            identity_method=identity,
            identity_verified_at=_at(on) if identity else None,
        )
        self.uow.records.add(attempt)
        return engine.settle(
            self.uow,
            self.keys,
            learner=who,
            issuer=where,
            trigger=f"attempt:{attempt.public_id}",
            as_of=on,
        )

    def score_rubric(
        self, learner: str, issuer: str, rubric: str, score: float, on: date
    ) -> Settlement:
        who, where = self.learner(learner), self.issuer(issuer)
        version = self._assessment(where, rubric)
        attempt = AssessmentAttemptRow(
            public_id=str(uuid.uuid4()),
            learner_id=who.id,
            issuer_id=where.id,
            assessment_version_id=version.id,
            source="rubric",
            sat_at=_at(on),
            raw_score=score,
            max_score=4,
            percent=25 * score,
            passed=score >= 3,
        )
        self.uow.records.add(attempt)
        return engine.settle(
            self.uow,
            self.keys,
            learner=who,
            issuer=where,
            trigger=f"attempt:{attempt.public_id}",
            as_of=on,
        )

    def complete_course(
        self,
        learner: str,
        issuer: str,
        provider: str,
        hours: float,
        on: date,
        course: str = "training",
    ) -> Settlement:
        who, where = self.learner(learner), self.issuer(issuer)
        row = CourseCompletionRow(
            public_id=str(uuid.uuid4()),
            learner_id=who.id,
            issuer_id=where.id,
            provider=provider,
            course=course,
            hours=hours,
            completed_on=on,
        )
        self.uow.records.add(row)
        return engine.settle(
            self.uow,
            self.keys,
            learner=who,
            issuer=where,
            trigger=f"course:{row.public_id}",
            as_of=on,
        )

    def award(
        self,
        learner: str,
        issuer: str,
        achievement: str,
        on: date,
        *,
        grade: str | None = None,
        counted: list[str] | None = None,
    ) -> AwardRow:
        """A registrar records an award made outside the engine (a course grade, a transfer)."""
        who, where = self.learner(learner), self.issuer(issuer)
        row = grant_award(
            self.uow,
            issuer=where,
            learner=who,
            achievement_key=achievement,
            awarded_on=on,
            grade=grade,
            counted=counted,
            keys=self.keys,
        )
        engine.settle(
            self.uow,
            self.keys,
            learner=who,
            issuer=where,
            trigger=f"award:{row.public_id}",
            as_of=on,
        )
        return row

    # --- what people see ------------------------------------------------------------------
    def holds(self, learner: str, issuer: str, achievement: str, on: date) -> AwardRow | None:
        where = self.issuer(issuer)
        found = self.uow.achievements.by_key(where.id, achievement)
        assert found is not None
        return holds(self.uow, self.learner(learner), found.id, on)

    def progress(self, learner: str, issuer: str, achievement: str, on: date) -> Outcome:
        return engine.progress(
            self.uow,
            learner=self.learner(learner),
            issuer=self.issuer(issuer),
            achievement_key=achievement,
            as_of=on,
        )

    def revoke(self, award: AwardRow, reason: str, on: date) -> list[AwardRow]:
        return lifecycle.revoke_award(self.uow, award, reason=reason, on=on)

    def ce_report(self, learner: str, issuer: str, achievement: str, on: date) -> ComplianceReport:
        return ce.report_for(
            self.uow,
            learner=self.learner(learner),
            issuer=self.issuer(issuer),
            achievement_key=achievement,
            as_of=on,
        )
