"""Recording assessment results: three ways in, every attempt kept, bad input refused."""

from __future__ import annotations

import pytest

from credstack.domain.records import Proctoring
from credstack.errors import Conflict, CredstackError, Forbidden, InvalidInput
from credstack.service.earning import AttemptConditions, ItemResponses, RubricScores, TotalScore
from credstack.store.models import AssessmentAttemptRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import record_result
from tests.integration.earning.earning_helpers import (
    OPERATOR,
    acting,
    at,
    issuer_with_catalog,
    learner,
    proctored,
    signing_keys,
    staff,
)

GCP_KEYS = {
    "gcp-01": "C", "gcp-02": "A", "gcp-03": False, "gcp-04": "D", "gcp-05": "B",
    "gcp-06": True, "gcp-07": "A", "gcp-08": "C", "gcp-09": True, "gcp-10": "B",
}  # fmt: skip


def test_an_external_total_that_passes_awards_the_microcredential(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    ada = learner(uow, "ada")
    done = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
        result=TotalScore(31), conditions=proctored("2026-05-02"), attempt_id="tm-1",
        actor=OPERATOR,
    )  # fmt: skip
    assert done.passed is True
    assert done.percent == pytest.approx(77.5)
    assert [(a.achievement, a.version) for a in done.awarded] == [("ebola-diagnosis", 1)]
    row = uow.session.query(AssessmentAttemptRow).one()
    assert (row.source, row.raw_score, row.max_score, row.proctoring) == (
        "external", 31.0, 40.0, "in_person",
    )  # fmt: skip
    assert row.identity_verified_by == "Test Centre Lyon"
    assert row.identity_verified_at == at("2026-05-02")


def test_a_fail_is_kept_and_awards_nothing(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    ada = learner(uow, "ada")
    done = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
        result=TotalScore(29), conditions=proctored("2026-05-02"),
        actor=OPERATOR,
    )  # fmt: skip
    assert (done.passed, done.awarded) == (False, ())
    assert done.not_awarded == {
        "ebola-diagnosis": ("ebola-exam: attempt on 2026-05-02 scored 72.5%, below the cut score",)
    }
    assert uow.session.query(AssessmentAttemptRow).count() == 1


def test_an_unproctored_pass_is_recorded_but_issues_nothing_and_says_why(uow: UnitOfWork) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    cara = learner(uow, "cara")
    done = record_result(
        uow, signing_keys(uow), issuer=ccrb, learner=cara, assessment="close-out-exam",
        result=TotalScore(90), conditions=AttemptConditions(at("2026-05-02")),
        actor=OPERATOR,
    )  # fmt: skip
    assert done.passed is True
    assert done.awarded == ()
    assert done.not_awarded["study-close-out"] == (
        "close-out-exam: passed on 2026-05-02 in an unproctored attempt; proctoring is required",
    )


def test_item_responses_are_scored_with_the_keys(uow: UnitOfWork) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    ben = learner(uow, "ben")
    answers = dict(GCP_KEYS, **{"gcp-01": "A", "gcp-02": "B"})  # two wrong: 8 of 10
    done = record_result(
        uow, signing_keys(uow), issuer=ccrb, learner=ben, assessment="gcp-exam",
        result=ItemResponses(answers), conditions=proctored("2026-05-02"),
        actor=OPERATOR,
    )  # fmt: skip
    assert (done.passed, done.percent) == (True, 80.0)
    assert [a.achievement for a in done.awarded] == ["gcp-essentials"]
    row = uow.session.query(AssessmentAttemptRow).one()
    assert row.source == "responses" and row.responses == answers


def test_a_rubric_score_needs_a_reviewer_or_assessor(uow: UnitOfWork) -> None:
    northwind = issuer_with_catalog(uow, "northwind")
    ana = learner(uow, "ana")
    clerk = staff(uow, northwind, "clerk@northwind.example", "registrar")
    with pytest.raises(Forbidden, match="needs the reviewer or assessor role at issuer northwind"):
        record_result(
            uow, signing_keys(uow), issuer=northwind, learner=ana, assessment="capstone-project",
            result=RubricScores({"overall": 3}), conditions=AttemptConditions(at("2026-06-01")),
            actor=acting(uow, clerk),
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="must name the reviewer or assessor"):
        record_result(
            uow, signing_keys(uow), issuer=northwind, learner=ana, assessment="capstone-project",
            result=RubricScores({"overall": 3}), conditions=AttemptConditions(at("2026-06-01")),
            actor=OPERATOR,
        )  # fmt: skip
    reviewer = staff(uow, northwind, "rita@northwind.example", "reviewer")
    done = record_result(
        uow, signing_keys(uow), issuer=northwind, learner=ana, assessment="capstone-project",
        result=RubricScores({"overall": 3}), conditions=AttemptConditions(at("2026-06-01")),
        actor=acting(uow, reviewer),
    )  # fmt: skip
    assert (done.passed, done.percent) == (True, 75.0)
    row = uow.session.query(AssessmentAttemptRow).one()
    assert (row.source, row.scored_by_user_id, row.responses) == (
        "rubric", reviewer.id, {"overall": 3},
    )  # fmt: skip
    # the path is not done, so the job-role certificate says what is missing
    assert "junior-data-analyst" in done.not_awarded


@pytest.mark.parametrize(
    ("assessment", "result", "message"),
    [
        ("gcp-exam", ItemResponses({"gcp-99": "A"}), "has no item 'gcp-99'"),
        ("gcp-exam", ItemResponses({"gcp-01": "E"}), "the answer 'E' is not one of them"),
        (
            "close-out-exam",
            TotalScore(101),
            "out of range for 'close-out-exam': use a number from 0 to 100",
        ),
        ("close-out-exam", TotalScore(-1), "out of range"),
        ("close-out-exam", ItemResponses({"q1": "A"}), "scored by an external platform"),
        ("nope-exam", TotalScore(1), "has no assessment 'nope-exam'"),
    ],
)
def test_bad_results_are_refused_and_nothing_is_kept(
    uow: UnitOfWork, assessment: str, result: object, message: str
) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    ben = learner(uow, "ben")
    with pytest.raises(CredstackError, match=message):
        record_result(
            uow, signing_keys(uow), issuer=ccrb, learner=ben, assessment=assessment,
            result=result, conditions=proctored("2026-05-02"),  # type: ignore[arg-type]
            actor=OPERATOR,
        )  # fmt: skip
    assert uow.session.query(AssessmentAttemptRow).count() == 0


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        (AttemptConditions(at("2026-05-02"), Proctoring.ONLINE), "must say who proctored it"),
        (AttemptConditions(at("2026-05-02"), proctored_by="X"), "recorded as unproctored"),
        (AttemptConditions(at("2026-05-02"), identity_method="government-id"), "who verified"),
        (AttemptConditions(at("2026-05-02").replace(tzinfo=None)), "needs a time zone"),
    ],
)
def test_a_sitting_must_record_its_conditions_consistently(
    uow: UnitOfWork, conditions: AttemptConditions, message: str
) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    with pytest.raises(InvalidInput, match=message):
        record_result(
            uow, signing_keys(uow),
            issuer=tmcb, learner=learner(uow, "ada"), assessment="ebola-exam",
            result=TotalScore(35), conditions=conditions,
            actor=OPERATOR,
        )  # fmt: skip


def test_the_attempts_policy_is_enforced_with_a_reason(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")  # ebola-exam: max 3, wait P7D
    ada = learner(uow, "ada")

    def sit(day: str, score: float) -> object:
        return record_result(
            uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
            result=TotalScore(score), conditions=proctored(day),
            actor=OPERATOR,
        )  # fmt: skip

    sit("2026-05-01", 10)
    with pytest.raises(
        Conflict,
        match=r"ada may not sit ebola-exam on 2026-05-05: the waiting "
        r"period of 7 days after the attempt on 2026-05-01 has not passed",
    ):
        sit("2026-05-05", 10)
    sit("2026-05-08", 10)
    sit("2026-05-15", 10)
    with pytest.raises(Conflict, match="all 3 permitted attempts have been used"):
        sit("2026-06-01", 39)
    assert uow.session.query(AssessmentAttemptRow).count() == 3


def test_no_retake_after_a_pass(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    ada = learner(uow, "ada")
    record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
        result=TotalScore(35), conditions=proctored("2026-05-01"),
        actor=OPERATOR,
    )  # fmt: skip
    with pytest.raises(Conflict, match="already passed"):
        record_result(
            uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
            result=TotalScore(38), conditions=proctored("2026-06-01"),
            actor=OPERATOR,
        )  # fmt: skip


def test_the_same_external_attempt_twice_is_recorded_once(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    ada = learner(uow, "ada")
    first = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
        result=TotalScore(35), conditions=proctored("2026-05-01"), attempt_id="P-17",
        actor=OPERATOR,
    )  # fmt: skip
    again = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
        result=TotalScore(35), conditions=proctored("2026-05-01"), attempt_id="P-17",
        actor=OPERATOR,
    )  # fmt: skip
    assert (again.duplicate, again.record_id, again.awarded) == (True, first.record_id, ())
    with pytest.raises(Conflict, match="already recorded with different content"):
        record_result(
            uow, signing_keys(uow), issuer=tmcb, learner=ada, assessment="ebola-exam",
            result=TotalScore(20), conditions=proctored("2026-05-01"), attempt_id="P-17",
            actor=OPERATOR,
        )  # fmt: skip
    assert uow.session.query(AssessmentAttemptRow).count() == 1


def test_a_user_without_a_results_role_cannot_record(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    mentor = staff(uow, tmcb, "m@tmcb.example", "mentor")
    with pytest.raises(Forbidden, match="assessor or admin or registrar role"):
        record_result(
            uow, signing_keys(uow),
            issuer=tmcb, learner=learner(uow, "ada"), assessment="ebola-exam",
            result=TotalScore(35), conditions=proctored("2026-05-01"), actor=acting(uow, mentor),
        )  # fmt: skip
