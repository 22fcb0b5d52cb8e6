"""Imported credentials in the nightly run, on SQLite and PostgreSQL: a learner whose only
record is an import is re-evaluated (and found by `engine.reconsider`), and each import's
status is asked again the way the import asked it: revoked at its issuer, it stops counting
and what was awarded on it is flagged; past its last valid day, it expires as an award does;
unanswerable, its last known status is kept and the failure recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from credstack.service import clock, engine
from credstack.service.actor import Actor
from credstack.service.catalog import load_catalog
from credstack.service.imports import import_credential
from credstack.service.learners import set_profile
from credstack.service.people import add_issuer
from credstack.service.reevaluation import Reevaluation, reevaluate
from credstack.service.runtime import Runtime
from credstack.store.models import AuditEventRow, AwardRow, ImportedCredentialRow
from tests.integration.imports.foreign import Institution
from tests.stories.driver import Story

OPERATOR = Actor.operator()
BRIDGE = """format: credstack-catalog/1
issuer: {id: bridge, name: Bridge Institute, kind: training-provider}
partners:
  - {id: harbor-college, name: Harbor College, url: https://harbor.example}
achievements:
  - id: bridge-cert
    type: certificate
    name: Bridge Certificate
    criteria: Twelve credits from Harbor College
    requirements: {credits: 12, from: {issuers: [harbor-college]}}
"""


def _imported_then_catalog(runtime: Runtime, harbor: Institution, *who: str) -> dict[str, str]:
    """Each learner imports a Harbor certificate before any catalog accepts it (nothing is
    settled then); then Bridge publishes a catalog that counts Harbor's credits. Returns each
    learner's import's record id."""
    harbor.publish(runtime.settings.trust_directory)
    with runtime.uow() as uow:
        story = Story(uow, runtime.keys(uow))
        for key in who:
            set_profile(uow, story.learner(key), name=key.title(), email=f"{key}@example.org")
        uow.commit()
    found: dict[str, str] = {}
    for key in who:
        document = harbor.credential(f"{key}@example.org")
        done = import_credential(runtime, OPERATOR, data=json.dumps(document).encode(), learner=key)
        assert done.awarded == ()
        found[key] = f"imported:{done.public_id}"
    with runtime.uow() as uow:
        keys = runtime.keys(uow)
        add_issuer(uow, keys, key="bridge", name="Bridge Institute", kind="training-provider")
        load_catalog(uow, issuer_key="bridge", text=BRIDGE, source="bridge.yaml")
        uow.commit()
    return found


def _bridge_cert(runtime: Runtime, learner: str) -> AwardRow | None:
    with runtime.uow(write=False) as uow:
        story = Story(uow, runtime.keys(uow))
        return story.holds(learner, "bridge", "bridge-cert", clock.today(story.issuer("bridge")))


def _import_row(runtime: Runtime, rid: str) -> ImportedCredentialRow:
    with runtime.uow(write=False) as uow:
        row = uow.session.scalars(
            select(ImportedCredentialRow).where(
                ImportedCredentialRow.public_id == rid.removeprefix("imported:")
            )
        ).one()
        uow.session.expunge(row)
        return row


def _run(runtime: Runtime) -> Reevaluation:
    return reevaluate(runtime, OPERATOR, issuer=None, as_of=None)


def test_reconsider_finds_a_learner_whose_only_record_is_an_import(runtime: Runtime) -> None:
    harbor = Institution()
    imports = _imported_then_catalog(runtime, harbor, "ida")
    with runtime.uow() as uow:
        bridge = uow.issuers.by_key("bridge")
        assert bridge is not None
        made = engine.reconsider(
            uow,
            runtime.keys(uow),
            issuer=bridge,
            achievement_key="bridge-cert",
            as_of=clock.today(bridge),
        )
        uow.commit()
    assert [list(a.counted) for a in made] == [[imports["ida"]]]


def test_the_nightly_run_counts_imports_and_a_revocation_there_flags_what_was_built_on_it(
    runtime: Runtime,
) -> None:
    harbor = Institution()
    imports = _imported_then_catalog(runtime, harbor, "ida", "ray")
    ray_document_index = 1  # Ray's credential was Harbor's second
    harbor.revoked.set(ray_document_index)
    harbor.publish(runtime.settings.trust_directory)

    first = _run(runtime)
    assert (first.imports_checked, first.imports_changed, first.imports_unchecked) == (2, 1, 0)
    assert first.granted == 1  # Ida's; Ray's revoked import no longer counts
    award = _bridge_cert(runtime, "ida")
    assert award is not None and list(award.counted) == [imports["ida"]]
    assert [e["id"] for e in award.evidence] == [imports["ida"]]
    assert _bridge_cert(runtime, "ray") is None
    assert _import_row(runtime, imports["ray"]).status == "revoked"
    assert _import_row(runtime, imports["ida"]).checked_at is not None

    # Harbor revokes Ida's certificate: it stops counting, and her Bridge Certificate, built
    # on it, is flagged for Bridge's recorded decision (as when a counted award is revoked).
    harbor.revoked.set(0)
    harbor.publish(runtime.settings.trust_directory)
    second = _run(runtime)
    assert (second.imports_checked, second.imports_changed, second.granted) == (1, 1, 0)
    row = _import_row(runtime, imports["ida"])
    assert (row.status, row.check_failure) == ("revoked", None)
    with runtime.uow(write=False) as uow:
        flagged = uow.awards.by_public_id(award.public_id)
        assert flagged is not None
        assert flagged.status == "active" and flagged.review_flag is not None
        trail = uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.subject == imports["ida"])
        ).all()
        assert [(e.action, e.details["to"]) for e in trail] == [("imported.status", "revoked")]

    third = _run(runtime)  # a revocation is final: nothing is asked again, nothing changes
    assert (third.imports_checked, third.granted, third.expired) == (0, 0, 0)


def test_an_unanswerable_status_keeps_the_last_known_one_and_an_ended_import_expires(
    runtime: Runtime,
) -> None:
    harbor = Institution()
    imports = _imported_then_catalog(runtime, harbor, "ida", "ray")
    for path in runtime.settings.trust_directory.glob("*-status.json"):
        path.unlink()  # the operator no longer keeps Harbor's status list
    with runtime.uow() as uow:
        # Ray's credential said it was valid until yesterday (its validUntil, as read at
        # import): written here, as the verifier refuses importing a credential already ended.
        row = uow.session.scalars(
            select(ImportedCredentialRow).where(
                ImportedCredentialRow.public_id == imports["ray"].removeprefix("imported:")
            )
        ).one()
        row.valid_until = datetime(2025, 6, 1, tzinfo=UTC)
        uow.commit()
    done = _run(runtime)
    assert (done.imports_checked, done.imports_changed, done.imports_unchecked) == (2, 1, 1)
    ida = _import_row(runtime, imports["ida"])
    assert ida.status == "active" and "could not be retrieved" in (ida.check_failure or "")
    assert _bridge_cert(runtime, "ida") is not None  # kept counting on its last known status
    ray = _import_row(runtime, imports["ray"])
    assert (ray.status, ray.check_failure) == ("expired", None)
    # Expired is not revoked: like an expired award of Bridge's own, it is no longer held, but
    # the credits it recorded were earned and still count (domain.credits).
    assert _bridge_cert(runtime, "ray") is not None
    again = _run(runtime)
    assert (again.imports_checked, again.imports_changed, again.granted) == (1, 0, 0)
