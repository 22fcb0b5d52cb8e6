"""A batch-issued credential is the credential a single award gets; the row's evidence is in it;
an import that completes a stack awards the stack. On both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from credstack.config import Settings
from credstack.service.actor import Actor
from credstack.service.awards import grant_award
from credstack.service.bulk import run_job, submit_award_import
from credstack.service.catalog import load_catalog
from credstack.service.issuance import award_context, credential_document
from credstack.service.keys import KeyStore
from credstack.service.people import add_issuer, add_learner
from credstack.service.runtime import Runtime, initialise
from credstack.service.sharing import ShareLinks
from credstack.service.status import SignedStatusLists
from credstack.service.verification import OwnIssuers, Verifier
from credstack.service.webhooks import events as webhook_events
from credstack.service.webhooks.endpoints import add_endpoint
from credstack.store.models import AwardRow, HolderDidRow, LearnerRow, OutboxMessageRow
from credstack.vc import dataintegrity
from credstack.vc.vocabulary import parse_datetime
from tests.integration.bulk.bulk_helpers import EXAMPLES, northwind_runtime

BASE = "http://credstack.test"
HEADER = "learner,email,name,achievement,date,score,evidence_url,narrative\n"
NORTHWIND = (EXAMPLES / "northwind-data-academy.yaml").read_text()
# Northwind's job-role certificate without its capstone: the four microcredentials, in order.
STACKED = NORTHWIND.replace(
    "        - {rubric: capstone-project, min_score: 3, label: capstone project}\n", ""
)
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
NARRATIVE = "Passed the final assessment"
PATH = ("spreadsheets-fundamentals", "sql-querying", "data-visualisation", "descriptive-statistics")


def _runtime(tmp_path: Path, database_url: str, catalog: str) -> Runtime:
    return northwind_runtime(tmp_path, database_url, catalog, BASE)


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    runtime = _runtime(tmp_path, database_url, NORTHWIND)
    yield runtime
    runtime.close()


def _import(runtime: Runtime, text: str) -> None:
    submitted = submit_award_import(
        runtime, Actor.operator(), issuer="northwind", text=text, source="class.csv"
    )
    job = run_job(runtime, Actor.operator(), submitted.job.id).job
    assert job.failed == 0, job


def _awards(runtime: Runtime, learner: str) -> list[AwardRow]:
    with runtime.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(AwardRow)
                .join(LearnerRow, LearnerRow.id == AwardRow.learner_id)
                .where(LearnerRow.key == learner)
                .order_by(AwardRow.id)
            )
        )


_VARYING = {"id", "validFrom", "awardedDate", "proof", "statusListIndex", "identityHash", "salt"}


def _shape(document: Any) -> Any:
    """The document with what differs between two awards of one achievement left out."""
    if isinstance(document, dict):
        return {k: "*" if k in _VARYING else _shape(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_shape(v) for v in document]
    return document


def test_a_batch_issued_credential_is_built_as_a_single_award_and_carries_its_evidence(
    runtime: Runtime,
) -> None:
    rows = [
        "ada,ada@example.org,Ada Mensah,sql-querying,2026-05-04,91,"
        "https://northwind.example/records/ada,Passed the final assessment",
        "bo,,Bo Lind,sql-querying,2026-05-04T09:30:00+02:00,,,",
    ]
    _import(runtime, HEADER + "\n".join(rows) + "\n")
    [ada] = _awards(runtime, "ada")
    [bo] = _awards(runtime, "bo")
    with runtime.uow() as uow:
        keys = runtime.keys(uow)
        issuer = uow.issuers.by_key("northwind")
        assert issuer is not None
        cy = add_learner(uow, key="cy", name="Cy Ode", email="cy@example.org")
        single = grant_award(
            uow,
            issuer=issuer,
            learner=cy,
            achievement_key="sql-querying",
            awarded_on=date(2026, 5, 4),
            evidence=[
                {
                    "id": "https://northwind.example/records/cy",
                    "narrative": "Passed the final assessment",
                }
            ],
            score="91",
            origin="bulk",
            keys=keys,
        )
        uow.commit()
        assert single.credential is not None and ada.credential is not None
        assert _shape(ada.credential) == _shape(single.credential)
        assert ada.credential["evidence"] == [
            {
                "type": ["Evidence"],
                "id": "https://northwind.example/records/ada",
                "narrative": "Passed the final assessment",
            }
        ]
        assert bo.credential is not None and "evidence" not in bo.credential
        assert bo.credential["credentialSubject"]["identifier"][0]["identityType"] == "systemId"
        assert bo.credential["validFrom"] == "2026-05-04T07:30:00Z"
        own = OwnIssuers(
            uow,
            KeyStore(uow, runtime.master, BASE),
            SignedStatusLists(),
            ShareLinks(runtime.master),
        )
        verifier = Verifier(own, BASE, now=datetime(2026, 6, 1, tzinfo=UTC))
        for award in (ada, bo, single):
            result = verifier.verify_award(award)
            assert result.verified, result
    indexes = sorted(a.status_list_index for a in (ada, bo, single))
    assert indexes == [0, 1, 2]


def test_an_import_that_completes_a_stack_awards_it_once_with_its_audit_trail(
    tmp_path: Path, database_url: str
) -> None:
    runtime = _runtime(tmp_path, database_url, STACKED)
    try:
        rows = [
            f"ada,ada@example.org,Ada Mensah,{key},2026-05-0{day},,,"
            for day, key in enumerate(PATH, start=1)
        ]
        rows.append("bo,bo@example.org,Bo Lind,sql-querying,2026-05-01,,,")
        _import(runtime, HEADER + "\n".join(rows) + "\n")
        ada = _awards(runtime, "ada")
        assert len(ada) == len(PATH) + 1
        stack = ada[-1]
        assert stack.origin == "automatic"
        assert stack.awarded_on == date(2026, 5, 4)  # the day the last part completed it
        assert sorted(stack.counted) == sorted(f"award:{a.public_id}" for a in ada[:-1])
        assert stack.credential is not None
        assert stack.credential["credentialSubject"]["achievement"]["name"] == "Junior Data Analyst"
        assert len(_awards(runtime, "bo")) == 1
        with runtime.uow(write=False) as uow:
            from credstack.service.audit_trail import events, verify_chain

            issued = [e.subject for e in events(uow) if e.action == "award.issued"]
            assert f"award:{stack.public_id}" in issued
            assert len(issued) == len(PATH) + 2
            assert verify_chain(uow).broken is None
        # Running the finished job again settles nothing a second time.
        _import(runtime, HEADER + "\n".join(rows) + "\n")
        assert len(_awards(runtime, "ada")) == len(PATH) + 1
    finally:
        runtime.close()


def test_a_batch_names_a_bound_did_and_queues_issued_webhooks_as_a_single_award_does(
    tmp_path: Path, database_url: str
) -> None:
    """The batch path writes its rows itself, so it must do what `grant_award` does for each:
    name the learner's bound DID as the subject and tell subscribed endpoints."""
    runtime = initialise(
        Settings(
            data_dir=tmp_path,
            database_url=database_url,
            base_url=BASE,
            webhooks_allow_loopback=True,
        )
    )
    try:
        with runtime.uow() as uow:
            add_issuer(
                uow, runtime.keys(uow), key="northwind", name="Northwind", kind="training-provider"
            )
            load_catalog(uow, issuer_key="northwind", text=NORTHWIND, source="northwind.yaml")
            dee = add_learner(uow, key="dee", name="Dee Vo", email="dee@example.org")
            uow.session.add(HolderDidRow(learner_id=dee.id, did=HOLDER))
            uow.commit()
        add_endpoint(
            runtime,
            Actor.operator(),
            "northwind",
            "http://127.0.0.1:9/hooks",
            [webhook_events.ISSUED],
        )
        rows = [
            "dee,dee@example.org,Dee Vo,sql-querying,2026-05-04,,,",
            "eli,eli@example.org,Eli Ro,sql-querying,2026-05-04,,,",
        ]
        _import(runtime, HEADER + "\n".join(rows) + "\n")
        [dee_award] = _awards(runtime, "dee")
        [eli_award] = _awards(runtime, "eli")
        assert dee_award.credential["credentialSubject"]["id"] == HOLDER
        assert "id" not in eli_award.credential["credentialSubject"]
        with runtime.uow(write=False) as uow:
            queued = uow.session.scalars(
                select(OutboxMessageRow).where(OutboxMessageRow.kind == webhook_events.KIND)
            ).all()
        assert sorted(row.award_id for row in queued) == sorted([dee_award.id, eli_award.id])
        assert {row.details["type"] for row in queued} == {webhook_events.ISSUED}
    finally:
        runtime.close()


def test_a_batch_issued_credential_is_the_one_the_single_award_path_builds_and_signs(
    runtime: Runtime,
) -> None:
    """The batch builds each credential from what its chunk already knows (a new learner's
    name as given, the DIDs and indexes read once); the single-award path rebuilds it from
    the stored rows. Same document, and signed at the proof's time, the same signature."""
    with runtime.uow() as uow:
        dee = add_learner(uow, key="dee", name="Dee Vo", email="dee@example.org")
        uow.session.add(HolderDidRow(learner_id=dee.id, did=HOLDER))
        uow.commit()
    rows = [
        f"ada,ada@example.org,Ada Mensah,sql-querying,2026-05-04,91,https://n.example/ada,{NARRATIVE}",
        "bo,,Bo Lind,data-visualisation,2026-05-04T09:30:00+02:00,,,",
        "dee,dee@example.org,Dee Vo,sql-querying,2026-05-06,,,Observed in class",
        "eli,eli@example.org,Élodie  Ngũgĩ,spreadsheets-fundamentals,2026-05-07,70.25,,",
    ]
    _import(runtime, HEADER + "\n".join(rows) + "\n")
    with runtime.uow(write=False) as uow:
        issuer = uow.issuers.by_key("northwind")
        assert issuer is not None
        key = KeyStore(uow, runtime.master, BASE).signing_key(issuer)
        awards = uow.session.scalars(select(AwardRow).order_by(AwardRow.id)).all()
        assert len(awards) == len(rows)
        for award in awards:
            assert award.credential is not None
            stored = {k: v for k, v in award.credential.items() if k != "proof"}
            rebuilt = credential_document(uow, BASE, award_context(uow, award))
            assert rebuilt == stored
            created = parse_datetime(award.credential["proof"]["created"])
            assert created is not None
            again = dataintegrity.sign(rebuilt, key, created=created)
            assert again["proof"] == award.credential["proof"]
