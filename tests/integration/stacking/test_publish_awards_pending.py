"""Publishing a version awards it to learners whose records already meet it."""

from __future__ import annotations

from datetime import date

from credstack.service import clock
from credstack.service.catalog import load_catalog
from credstack.service.people import add_issuer, add_user, grant_role
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import review, set_review_required
from tests.integration.earning.earning_helpers import OPERATOR, acting
from tests.stories.driver import EXAMPLES, Story


def test_a_pass_recorded_during_review_is_awarded_on_publication(uow: UnitOfWork) -> None:
    story = Story.in_memory(uow)
    catalog = (EXAMPLES / "tropical-medicine-board.yaml").read_text()
    issuer = add_issuer(uow, story.keys, key="tmcb", name="Tropical Medicine Board")
    set_review_required(uow, issuer, required=True, actor=OPERATOR)
    load_catalog(uow, issuer_key="tmcb", text=catalog, source="tropical-medicine-board.yaml")
    admin = add_user(uow, email="admin@tmcb.example", name="Admin")
    reviewer = add_user(uow, email="reviewer@tmcb.example", name="Reviewer")
    grant_role(uow, user=admin, issuer=issuer, role="admin")
    grant_role(uow, user=reviewer, issuer=issuer, role="reviewer")

    settled = story.sit("amal", "tmcb", "ebola-exam", 90, date(2026, 2, 1))
    assert settled.awarded == []  # the microcredential is still a draft
    assert story.holds("amal", "tmcb", "ebola-diagnosis", clock.today(issuer)) is None

    for action, by in (("submit", admin), ("approve", reviewer), ("publish", admin)):
        review(
            uow,
            issuer=issuer,
            achievement_key="ebola-diagnosis",
            action=action,
            actor=acting(uow, by),
            comment="ok",
            keys=story.keys,
        )
    award = story.holds("amal", "tmcb", "ebola-diagnosis", clock.today(issuer))
    assert award is not None
    assert award.origin == "automatic"
    assert award.credential is not None  # signed on publication
    assert len(award.counted) == 1
