"""Issue 10: a results CSV with a field over 128 KiB is refused with its line (was a 500)."""

from __future__ import annotations

import pytest

from credstack.service.earning import ImportRejected
from credstack.store.models import AssessmentAttemptRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import import_results
from tests.integration.earning.earning_helpers import (
    OPERATOR,
    issuer_with_catalog,
    learner,
    signing_keys,
)

HEADER = "learner,assessment,attempt_id,sat_at,score,proctoring,proctored_by\n"
GOOD = "ada,ebola-exam,T-1,2026-05-02T09:00:00+00:00,31,in_person,Lyon centre\n"
HUGE = 'ada,ebola-exam,T-2,2026-05-02T09:00:00+00:00,30,,"' + "x" * (129 * 1024) + '"\n'


@pytest.mark.parametrize("partial", [False, True])
def test_a_field_over_128_kib_rejects_the_file_naming_its_line(
    uow: UnitOfWork, partial: bool
) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    learner(uow, "ada")
    with pytest.raises(ImportRejected) as caught:
        import_results(
            uow,
            signing_keys(uow),
            issuer=tmcb,
            text=HEADER + GOOD + HUGE,
            partial=partial,
            actor=OPERATOR,
        )
    assert [str(p) for p in caught.value.problems] == ["row 3: a field is longer than 128 KiB"]
    assert caught.value.http_status == 422 and caught.value.exit_code == 1
    assert uow.session.query(AssessmentAttemptRow).count() == 0


def test_a_header_field_over_128_kib_is_refused_on_line_1(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")
    with pytest.raises(ImportRejected) as caught:
        import_results(
            uow,
            signing_keys(uow),
            issuer=tmcb,
            text='"' + "h" * (129 * 1024) + '"\n',
            actor=OPERATOR,
        )
    assert [str(p) for p in caught.value.problems] == ["row 1: a field is longer than 128 KiB"]
