"""Small factories for issuance tests: the CCRB example catalog, a learner, proctored attempts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from credstack.service.awards import grant_award
from credstack.service.catalog import load_catalog
from credstack.service.keys import KeyStore
from credstack.service.people import add_issuer, add_learner
from credstack.store.models import (
    AssessmentAttemptRow,
    AssessmentRow,
    AssessmentVersionRow,
    AwardRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork

__all__ = ["BASE", "Ccrb", "attempt", "ccrb"]

BASE = "http://credstack.test:8000"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
STACK = ("gcp-essentials", "informed-consent", "adverse-event-reporting", "study-close-out")


class Ccrb:
    def __init__(self, uow: UnitOfWork, master: MasterKey, did_method: str = "web") -> None:
        self.uow = uow
        self.keys = KeyStore(uow, master, BASE)
        self.issuer: IssuerRow = add_issuer(
            uow,
            self.keys,
            key="ccrb",
            name="Clinical Research Certification Board",
            kind="certification-body",
            url="https://ccrb.example",
            did_method=did_method,
        )
        text = (EXAMPLES / "clinical-research-board.yaml").read_text(encoding="utf-8")
        load_catalog(uow, issuer_key="ccrb", text=text, source="ccrb.yaml")

    def learner(self, key: str, email: str | None = None) -> LearnerRow:
        return add_learner(self.uow, key=key, name=key.title(), email=email)

    def exam(self, key: str) -> AssessmentVersionRow:
        """The catalog's assessment if it defines one, else a minimal Angoff-cut exam."""
        row = self.uow.assessments.by_key(self.issuer.id, key)
        if row is None:
            row = AssessmentRow(issuer_id=self.issuer.id, key=key, current_version=1)
            self.uow.assessments.add(row)
            self.uow.assessments.add(
                AssessmentVersionRow(
                    assessment_id=row.id,
                    version=1,
                    content_hash=key,
                    definition={
                        "id": key,
                        "name": f"{key} examination",
                        "cut_score": {"percent": 68.5, "set_by": "modified-angoff"},
                    },
                )
            )
        version = self.uow.assessments.current(row)
        assert version is not None
        return version

    def award(
        self,
        learner: LearnerRow,
        achievement: str,
        on: date,
        *,
        proctored: bool = True,
        counted: list[str] | None = None,
    ) -> AwardRow:
        if counted is None:
            exam = {
                "gcp-essentials": "gcp-exam",
                "informed-consent": "consent-exam",
                "adverse-event-reporting": "ae-exam",
                "study-close-out": "close-out-exam",
            }
            row = attempt(
                self.uow,
                self.issuer,
                learner,
                self.exam(exam[achievement]),
                on,
                proctored=proctored,
            )
            counted = [f"attempt:{row.public_id}"]
        return grant_award(
            self.uow,
            issuer=self.issuer,
            learner=learner,
            achievement_key=achievement,
            awarded_on=on,
            counted=counted,
            origin="automatic",
            keys=self.keys,
        )


def attempt(
    uow: UnitOfWork,
    issuer: IssuerRow,
    learner: LearnerRow,
    exam: AssessmentVersionRow,
    on: date,
    *,
    proctored: bool,
) -> AssessmentAttemptRow:
    row = AssessmentAttemptRow(
        public_id=str(uuid.uuid4()),
        learner_id=learner.id,
        issuer_id=issuer.id,
        assessment_version_id=exam.id,
        source="external",
        sat_at=datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
        raw_score=81,
        max_score=100,
        percent=81,
        passed=True,
        proctoring="in_person" if proctored else "unproctored",
        proctored_by="Test centre 12" if proctored else None,
        identity_method="government-id" if proctored else None,
        identity_verified_by="Proctor A" if proctored else None,
        identity_verified_at=datetime(on.year, on.month, on.day, 8, 50, tzinfo=UTC)
        if proctored
        else None,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def ccrb(uow: UnitOfWork, master: MasterKey, did_method: str = "web") -> Ccrb:
    return Ccrb(uow, master, did_method)
