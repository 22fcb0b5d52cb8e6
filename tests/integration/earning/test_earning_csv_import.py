"""Importing a test platform's CSV: a clear error per row, all or nothing unless partial."""

from __future__ import annotations

import pytest

from credstack.errors import InvalidInput
from credstack.service.earning import ImportRejected
from credstack.store.models import AssessmentAttemptRow, AwardRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import import_results
from tests.integration.earning.earning_helpers import (
    OPERATOR,
    issuer_with_catalog,
    learner,
    signing_keys,
)

HEADER = "learner,assessment,attempt_id,sat_at,score,proctoring,proctored_by\n"
GOOD = (
    "ada,ebola-exam,T-1,2026-05-02T09:00:00+00:00,31,in_person,Lyon centre\n"
    "bo,ebola-exam,T-2,2026-05-02T09:00:00+00:00,12,,\n"
)
BAD = (
    "ada,ebola-exam,T-1,2026-05-02T09:00:00+00:00,31,in_person,Lyon centre\n"
    "zed,ebola-exam,T-3,2026-05-02T09:00:00+00:00,30,,\n"
    "bo,ebola-exam,T-4,2026-05-02T09:00:00+00:00,41,,\n"
    "bo,ebola-exam,T-5,yesterday,20,,\n"
    "bo,ebola-exam,T-6,2026-05-02T09:00:00,20,,\n"
    "bo,ebola-exam,T-7,2026-05-02T09:00:00+00:00,lots,,\n"
    "bo,ebola-exam,T-8,2026-05-02T09:00:00+00:00,20,remote,\n"
    "bo,ebola-exam\n"
)
BAD_PROBLEMS = [
    "row 3: unknown learner 'zed'",
    "row 4: assessment ebola-exam: a score of 41.0 is out of range for 'ebola-exam': use a "
    "number from 0 to 40",
    "row 5: sat_at 'yesterday' is not an ISO 8601 date and time",
    "row 6: sat_at '2026-05-02T09:00:00' needs a time zone, e.g. 2026-05-02T09:00:00+00:00",
    "row 7: score 'lots' is not a number",
    "row 8: proctoring 'remote': use one of unproctored, online, in_person",
    "row 9: has 2 cells; the header has 7",
]


@pytest.fixture
def tmcb(uow: UnitOfWork) -> object:
    issuer = issuer_with_catalog(uow, "tmcb")
    learner(uow, "ada")
    learner(uow, "bo")
    return issuer


def test_a_good_file_is_recorded_and_reimporting_it_changes_nothing(
    uow: UnitOfWork, tmcb: object
) -> None:
    report = import_results(uow, signing_keys(uow), issuer=tmcb, text=HEADER + GOOD, actor=OPERATOR)  # type: ignore[arg-type]
    assert [(row, r.passed) for row, r in report.recorded] == [(2, True), (3, False)]
    assert [a.achievement for a in report.recorded[0][1].awarded] == ["ebola-diagnosis"]
    again = import_results(uow, signing_keys(uow), issuer=tmcb, text=HEADER + GOOD, actor=OPERATOR)  # type: ignore[arg-type]
    assert (again.recorded, again.skipped, again.problems) == ([], [2, 3], [])
    assert uow.session.query(AssessmentAttemptRow).count() == 2
    assert uow.session.query(AwardRow).count() == 1


def test_a_bad_row_rejects_the_whole_file_with_every_problem_by_row(
    uow: UnitOfWork, tmcb: object
) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_results(uow, signing_keys(uow), issuer=tmcb, text=HEADER + BAD, actor=OPERATOR)  # type: ignore[arg-type]
    assert caught.value.problems == BAD_PROBLEMS
    assert caught.value.message.startswith("the import was rejected, nothing was recorded")


def test_partial_import_keeps_the_good_rows(uow: UnitOfWork, tmcb: object) -> None:
    report = import_results(
        uow,
        signing_keys(uow),
        issuer=tmcb,
        text=HEADER + BAD,
        partial=True,  # type: ignore[arg-type]
        actor=OPERATOR,
    )
    assert [str(p) for p in report.problems] == BAD_PROBLEMS
    assert [row for row, _ in report.recorded] == [2]
    assert uow.session.query(AssessmentAttemptRow).count() == 1
    assert uow.session.query(AwardRow).count() == 1


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        (
            "learner,assessment,attempt,sat_at,score\n",
            [
                "row 1: unknown column 'attempt'; expected learner, assessment, attempt_id, "
                "sat_at, score, proctoring, proctored_by, identity_method, "
                "identity_verified_by, identity_verified_at, learner_name or item:<item id>",
                "row 1: the required column 'attempt_id' is missing",
            ],
        ),
        (
            "learner,assessment,attempt_id,sat_at\n",
            ["row 1: give either a 'score' column or item:<id> columns with the answers"],
        ),
        ("", ["row 1: the file is empty; the first row must be a header"]),
    ],
)
def test_wrong_columns_are_reported_on_the_header_row(
    uow: UnitOfWork, tmcb: object, header: str, problems: list[str]
) -> None:
    text = header + GOOD if header else ""
    with pytest.raises(ImportRejected) as caught:
        import_results(uow, signing_keys(uow), issuer=tmcb, text=text, actor=OPERATOR)  # type: ignore[arg-type]
    assert caught.value.problems == problems
    assert uow.session.query(AssessmentAttemptRow).count() == 0


def test_item_answers_new_learners_and_a_changed_duplicate(uow: UnitOfWork) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    items = ",".join(f"item:gcp-{n:02d}" for n in range(1, 11))
    text = (
        f"learner,learner_name,assessment,attempt_id,sat_at,{items}\n"
        "kim,Kim Lee,gcp-exam,G-1,2026-04-01T09:00:00+00:00,C,A,false,D,B,true,A,C,true,B\n"
        "lou,Lou Ma,gcp-exam,G-2,2026-04-01T09:00:00+00:00,A,A,true,D,,true,A,C,false,B\n"
        "max,Max Ng,gcp-exam,G-3,2026-04-01T09:00:00+00:00,C,A,maybe,D,B,true,A,C,true,B\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_results(
            uow, signing_keys(uow), issuer=ccrb, text=text, add_learners=True, actor=OPERATOR
        )
    assert caught.value.problems == ["row 4: item gcp-03 is true/false, not 'maybe'"]
    report = import_results(
        uow,
        signing_keys(uow),
        issuer=ccrb,
        text=text,
        add_learners=True,
        partial=True,
        actor=OPERATOR,
    )
    assert [(row, r.percent) for row, r in report.recorded] == [(2, 100.0), (3, 60.0)]
    assert uow.learners.by_key("lou") is not None
    changed = text.replace("G-2,2026-04-01T09:00:00+00:00,A,A", "G-2,2026-04-01T09:00:00+00:00,C,A")
    with pytest.raises(InvalidInput) as again:
        import_results(
            uow, signing_keys(uow), issuer=ccrb, text=changed, add_learners=True, actor=OPERATOR
        )
    assert "row 3: attempt G-2 was already recorded with different content (score 6)" in str(
        again.value
    )


def test_a_partial_import_commits_in_batches_and_an_all_or_nothing_one_never(
    uow: UnitOfWork, tmcb: object
) -> None:
    """Batches keep a big import from holding SQLite's write lock (issue 10); each checkpoint
    sees the rows before it recorded, and an all-or-nothing import is never cut into batches."""
    header = "learner,learner_name,assessment,attempt_id,sat_at,score\n"
    rows = "".join(f"b{n},B {n},ebola-exam,B-{n},2026-05-02T09:00:00+00:00,10\n" for n in range(5))
    seen: list[int] = []

    def checkpoint() -> None:
        uow.commit()
        seen.append(uow.session.query(AssessmentAttemptRow).count())

    report = import_results(
        uow,
        signing_keys(uow),
        issuer=tmcb,  # type: ignore[arg-type]
        text=header + rows,
        partial=True,
        add_learners=True,
        checkpoint=checkpoint,
        batch_rows=2,
        batch_seconds=3600,
        actor=OPERATOR,
    )
    assert [row for row, _ in report.recorded] == [2, 3, 4, 5, 6]
    assert seen == [2, 4]
    whole = "".join(f"w{n},W {n},ebola-exam,W-{n},2026-05-02T09:00:00+00:00,10\n" for n in range(5))
    kept = import_results(
        uow,
        signing_keys(uow),
        issuer=tmcb,  # type: ignore[arg-type]
        text=header + whole,
        add_learners=True,
        checkpoint=checkpoint,
        batch_rows=1,
        actor=OPERATOR,
    )
    assert len(kept.recorded) == 5 and seen == [2, 4]
