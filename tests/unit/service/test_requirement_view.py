"""Requirement trees read as sentences, with rigor and links, from real catalog YAML."""

from __future__ import annotations

from datetime import date

import yaml

from credstack.domain.parsing import parse_requirement
from credstack.service.learner_record import award_state
from credstack.service.requirement_view import AssessmentFacts, RequirementNode, requirement_view
from credstack.store.models import AwardRow

NAMES = {"gcp-essentials": "GCP Essentials", "capstone-thesis": "Capstone Thesis"}


PARTIES = {"lakeside": "Lakeside University", "harbor-college": "Harbor College"}


def view(text: str) -> RequirementNode:
    tree, problems = parse_requirement(yaml.safe_load(text), ("requirements",))
    assert tree is not None, problems
    return requirement_view(
        tree,
        lambda k: NAMES.get(k, k),
        lambda k: f"/a/{k}" if k in NAMES else None,
        party_name_of=lambda k: PARTIES.get(k, k),
    )


def test_a_stack_names_and_links_what_must_be_held() -> None:
    node = view("{all: [gcp-essentials, informed-consent], label: CCRP stack}")
    assert node.text == "CCRP stack: all of these"
    assert [(c.text, c.link) for c in node.children] == [
        ("Hold GCP Essentials", "/a/gcp-essentials"),
        ("Hold informed-consent", None),
    ]


def test_an_assessment_route_shows_its_rigor() -> None:
    node = view("{assessment: gcp-exam, proctored: true, identity_verified: true}")
    assert node.text == "Pass the assessment gcp-exam"
    assert node.details == ("proctored", "identity verified", "at the assessment's cut score")


def test_n_of_m_and_paths_say_how_many_and_in_what_order() -> None:
    node = view("{n_of: 2, of: [a, b, c]}")
    assert node.text == "Any 2 of these 3"
    assert not node.ordered
    path = view("{path: [a, b]}")
    assert path.ordered
    assert path.text == "Follow this path, in order"


def test_credits_show_sources_grades_windows_and_caps() -> None:
    node = view(
        "{credits: 30, from: {issuers: [lakeside, harbor-college]}, min_grade: B, within: P6Y,"
        " cap: [{from: {types: [certificate]}, max: 24, label: From stacked certificates}]}"
    )
    assert node.text == "Earn 30 credits"
    assert node.details == (
        "from Harbor College, Lakeside University",
        "grade B or better",
        "within 6 years",
        "at most 24 from stacked certificates",
    )


def test_a_label_that_only_repeats_the_name_is_not_shown_twice() -> None:
    assert view("{holds: capstone-thesis, label: Capstone thesis}").text == "Hold Capstone Thesis"


def test_award_state_revoked_wins_over_expired_and_expired_over_flagged() -> None:
    today = date(2026, 6, 1)
    award = AwardRow(status="active", valid_until=date(2026, 1, 1), review_flag="a course lapsed")
    assert award_state(award, today) == "expired"
    award.status = "revoked"
    assert award_state(award, today) == "revoked"
    award.status, award.valid_until = "active", None
    assert award_state(award, today) == "flagged"
    award.review_flag = None
    assert award_state(award, today) == "active"


def test_an_assessment_takes_its_title_and_cut_score_from_the_catalog() -> None:
    tree, _ = parse_requirement({"assessment": "ebola-exam"}, ("requirements",))
    assert tree is not None
    facts = {"ebola-exam": AssessmentFacts("Ebola diagnosis, knowledge assessment", "75%")}
    node = requirement_view(tree, str, lambda _k: None, facts)
    assert node.text == "Pass Ebola diagnosis, knowledge assessment"
    assert node.details == ("proctoring not required", "cut score 75%")
