"""The one authorisation rule: operator, staff by role and program, learner, nobody."""

from __future__ import annotations

import pytest

from credstack.errors import Forbidden, Unauthenticated
from credstack.service.actor import ANONYMOUS, Actor, RoleGrant, authorise, authorise_scope

MENTOR = Actor.staff(
    7, "sam@acme.example", frozenset({RoleGrant("acme", "mentor", "management-program")})
)
ADMIN = Actor.staff(8, "ada@acme.example", frozenset({RoleGrant("acme", "admin")}))


def test_the_operator_may_do_anything_and_is_named_in_messages() -> None:
    authorise(Actor.operator(), "acme", "admin", what="add a learner")
    assert Actor.operator().is_operator and not ADMIN.is_operator


def test_a_role_without_a_program_covers_every_program() -> None:
    authorise(ADMIN, "acme", "admin", what="enrol learners", scope="any-program")
    assert not ADMIN.may("northwind", "admin")


def test_a_program_scoped_role_covers_only_its_program() -> None:
    authorise(MENTOR, "acme", "mentor", what="attest", scope="management-program")
    with pytest.raises(Forbidden) as refused:
        authorise(MENTOR, "acme", "mentor", what="attest", scope="other-program")
    assert str(refused.value) == (
        "sam@acme.example may not attest: it needs the mentor role at issuer acme for program "
        "other-program"
    )


def test_nobody_and_a_learner_hold_no_role() -> None:
    with pytest.raises(Forbidden, match="sign in or send an API token"):
        authorise(ANONYMOUS, "acme", "registrar", what="add a learner")
    learner = Actor.learner(3, "ben")
    with pytest.raises(Forbidden, match="ben may not revoke an award: it needs the admin role"):
        authorise(learner, "acme", "admin", what="revoke an award")
    assert ANONYMOUS.issuers() == frozenset() and MENTOR.issuers() == {"acme"}


def test_what_authorise_returns_acts_only_at_the_issuer_it_was_asked_about() -> None:
    allowed = authorise(ADMIN, "acme", "admin", what="record results")
    assert allowed.at("acme") is ADMIN
    with pytest.raises(Forbidden, match="authorised at issuer acme, not northwind"):
        allowed.at("northwind")


READ = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"


def test_a_delegate_holds_only_its_granted_scopes_and_no_role() -> None:
    delegate = Actor.delegate(5, "client-1", frozenset({READ}))
    assert authorise_scope(delegate, READ) == 5
    with pytest.raises(Forbidden, match=r"profile\.readonly"):
        authorise_scope(delegate, READ.replace("credential", "profile"))
    assert not delegate.may("acme", "admin")
    with pytest.raises(Forbidden):
        authorise(delegate, "acme", "admin", "registrar", what="record an award")


def test_only_a_delegate_passes_the_scope_rule() -> None:
    learner = Actor.learner(5, "ben")
    for actor in (ANONYMOUS, ADMIN, Actor.operator(), learner):
        with pytest.raises(Unauthenticated):
            authorise_scope(actor, READ)
