"""The review workflow: draft -> in-review -> approved -> published -> retired."""

from __future__ import annotations

import pytest

from credstack.errors import Conflict, Forbidden, InvalidInput
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.earning import TotalScore, history, is_issuable, issuable_version
from credstack.store.models import AwardRow, IssuerRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import record_result, review, set_review_required
from tests.integration.earning.earning_helpers import (
    EXAMPLES,
    OPERATOR,
    acting,
    issuer_with_catalog,
    learner,
    proctored,
    signing_keys,
    staff,
)


def _people(uow: UnitOfWork, issuer: IssuerRow) -> tuple[Actor, Actor]:
    return (
        acting(uow, staff(uow, issuer, "office@tmcb.example", "admin")),
        acting(uow, staff(uow, issuer, "rev@tmcb.example", "reviewer")),
    )


def test_a_draft_issues_nothing_until_it_is_reviewed_and_published(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb", review_required=True)
    keys = signing_keys(uow)
    office, rev = _people(uow, tmcb)
    ebola = uow.achievements.by_key(tmcb.id, "ebola-diagnosis")
    assert ebola is not None
    v1 = uow.achievements.current(ebola)
    assert (v1.status, is_issuable(v1), issuable_version(uow, ebola)) == ("draft", False, None)

    draft_pass = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=learner(uow, "ada"), assessment="ebola-exam",
        result=TotalScore(35), conditions=proctored("2026-05-02"),
        actor=OPERATOR,
    )  # fmt: skip
    assert draft_pass.awarded == ()
    assert draft_pass.not_awarded == {
        "ebola-diagnosis": (
            "ebola-diagnosis v1 is draft: nothing is issued until a version has been reviewed "
            "and published",
        )
    }

    steps = [
        review(uow, issuer=tmcb, achievement_key="ebola-diagnosis", action="submit", actor=office,
               keys=keys),
        review(uow, issuer=tmcb, achievement_key="ebola-diagnosis", action="send-back", actor=rev,
               comment="State how the cut score was set.", keys=keys),
        review(uow, issuer=tmcb, achievement_key="ebola-diagnosis", action="submit", actor=office,
               keys=keys),
        review(uow, issuer=tmcb, achievement_key="ebola-diagnosis", action="approve", actor=rev,
               keys=keys),
        review(uow, issuer=tmcb, achievement_key="ebola-diagnosis", action="publish", actor=office,
               keys=keys),
    ]  # fmt: skip
    assert [(s.action, s.from_status, s.to_status, s.by) for s in steps] == [
        ("submit", "draft", "in-review", "office@tmcb.example"),
        ("send-back", "in-review", "draft", "rev@tmcb.example"),
        ("submit", "draft", "in-review", "office@tmcb.example"),
        ("approve", "in-review", "approved", "rev@tmcb.example"),
        ("publish", "approved", "published", "office@tmcb.example"),
    ]
    assert steps[1].comment == "State how the cut score was set."
    assert [s.action for s in history(uow, issuer=tmcb, achievement_key="ebola-diagnosis")] == [
        "submit", "send-back", "submit", "approve", "publish",
    ]  # fmt: skip
    assert issuable_version(uow, ebola) == v1

    published_pass = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=learner(uow, "bo"), assessment="ebola-exam",
        result=TotalScore(36), conditions=proctored("2026-05-03"),
        actor=OPERATOR,
    )  # fmt: skip
    assert [(a.achievement, a.version) for a in published_pass.awarded] == [("ebola-diagnosis", 1)]


def test_steps_out_of_order_roles_and_comments_are_refused(uow: UnitOfWork) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb", review_required=True)
    keys = signing_keys(uow)
    office, rev = _people(uow, tmcb)
    with pytest.raises(
        Conflict, match="ebola-diagnosis v1 is draft; publish applies to a version that is approved"
    ):
        review(
            uow,
            keys=keys,
            issuer=tmcb,
            achievement_key="ebola-diagnosis",
            action="publish",
            actor=office,
        )
    with pytest.raises(Forbidden, match="needs the reviewer role"):
        review(
            uow,
            keys=keys,
            issuer=tmcb,
            achievement_key="ebola-diagnosis",
            action="approve",
            actor=office,
        )
    review(
        uow,
        keys=keys,
        issuer=tmcb,
        achievement_key="ebola-diagnosis",
        action="submit",
        actor=office,
    )
    with pytest.raises(InvalidInput, match="send-back needs a comment"):
        review(
            uow,
            keys=keys,
            issuer=tmcb,
            achievement_key="ebola-diagnosis",
            action="send-back",
            actor=rev,
        )
    with pytest.raises(InvalidInput, match="review action 'accept'"):
        review(
            uow,
            keys=keys,
            issuer=tmcb,
            achievement_key="ebola-diagnosis",
            action="accept",
            actor=rev,
        )
    note = review(
        uow, keys=keys, issuer=tmcb, achievement_key="ebola-diagnosis", action="comment", actor=rev,
        comment="Reads well.",
    )  # fmt: skip
    assert (note.from_status, note.to_status) == ("in-review", "in-review")


def test_a_changed_definition_is_a_new_version_and_issued_credentials_keep_theirs(
    uow: UnitOfWork,
) -> None:
    tmcb = issuer_with_catalog(uow, "tmcb")  # no review yet: v1 published
    keys = signing_keys(uow)
    office, rev = _people(uow, tmcb)
    first = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=learner(uow, "ada"), assessment="ebola-exam",
        result=TotalScore(35), conditions=proctored("2026-05-02"),
        actor=OPERATOR,
    )  # fmt: skip
    assert [(a.achievement, a.version) for a in first.awarded] == [("ebola-diagnosis", 1)]
    set_review_required(uow, tmcb, required=True, actor=office)
    text = (EXAMPLES / "tropical-medicine-board.yaml").read_text()
    changed = text.replace("(cut score 75%).", "(cut score 75%, proctored).")
    report = load_catalog(uow, issuer_key="tmcb", text=changed, source="v2.yaml")
    assert report.new_versions == ["ebola-diagnosis v2"]
    ebola = uow.achievements.by_key(tmcb.id, "ebola-diagnosis")
    assert ebola is not None
    assert [(v.version, v.status) for v in uow.achievements.versions(ebola.id)] == [
        (1, "published"), (2, "draft"),
    ]  # fmt: skip
    assert issuable_version(uow, ebola) is not None and issuable_version(uow, ebola).version == 1
    for action, by in (("submit", office), ("approve", rev), ("publish", office)):
        review(
            uow, keys=keys, issuer=tmcb, achievement_key="ebola-diagnosis", action=action, actor=by
        )
    assert [(v.version, v.status) for v in uow.achievements.versions(ebola.id)] == [
        (1, "retired"), (2, "published"),
    ]  # fmt: skip
    second = record_result(
        uow, signing_keys(uow), issuer=tmcb, learner=learner(uow, "bo"), assessment="ebola-exam",
        result=TotalScore(35), conditions=proctored("2026-06-02"),
        actor=OPERATOR,
    )  # fmt: skip
    assert [(a.achievement, a.version) for a in second.awarded] == [("ebola-diagnosis", 2)]
    versions = {
        a.public_id: uow.achievements.version_by_id(a.achievement_version_id)
        for a in uow.session.query(AwardRow).all()
    }
    assert sorted(v.version for v in versions.values() if v is not None) == [1, 2]
    assert versions[first.awarded[0].award_id].version == 1  # type: ignore[union-attr]
    retire = review(
        uow, issuer=tmcb, achievement_key="ebola-diagnosis", action="retire", actor=office,
        comment="Replaced by the 2027 standard.", keys=keys,
    )  # fmt: skip
    assert (retire.version, retire.to_status) == (2, "retired")
    assert issuable_version(uow, ebola) is None
