"""The store on SQLite and PostgreSQL: migrations, catalog loading, keys and tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from credstack.errors import Conflict, InvalidInput, NotFound
from credstack.service.catalog import CatalogInvalid, load_catalog
from credstack.service.identity import issuer_did_document
from credstack.service.keys import KeyStore
from credstack.service.people import (
    add_issuer,
    add_user,
    authenticate,
    grant_role,
    issue_token,
)
from credstack.store import migrate
from credstack.store.db import make_engine
from credstack.store.models import AchievementVersionRow, ApiTokenRow, SigningKeyRow
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from credstack.vc.keys import public_key_multibase

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = "https://credstack.test"
NORTHWIND = (EXAMPLES / "northwind-data-academy.yaml").read_text()


def make_issuer(uow: UnitOfWork, master: MasterKey, key: str = "northwind") -> None:
    add_issuer(
        uow,
        KeyStore(uow, master, BASE),
        key=key,
        name="Northwind Data Academy",
        kind="training-provider",
    )


def test_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        # Read without alembic when an installation opens; alembic itself is the oracle.
        with engine.connect() as connection:
            alembic_says = MigrationContext.configure(connection).get_current_revision()
        assert migrate.current_revision(engine) == alembic_says
        migrate.downgrade(engine, "0032_change_marks")
        assert migrate.current_revision(engine) == "0032_change_marks"
        migrate.upgrade(engine)
        assert migrate.drift(engine) == []
        migrate.upgrade(engine)  # applying again is a no-op
        assert migrate.drift(engine) == []
    finally:
        engine.dispose()


def test_the_head_revision_is_alembic_s_head() -> None:
    directory = ScriptDirectory.from_config(migrate._config())
    assert migrate.head_revision() == directory.get_current_head()
    assert migrate._scanned_head() == directory.get_current_head()


def test_loading_the_same_catalog_twice_changes_nothing(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    make_issuer(uow, master_key)
    first = load_catalog(uow, issuer_key="northwind", text=NORTHWIND, source="n.yaml")
    assert sorted(c for c in first.created if not c.startswith("assessment ")) == sorted(
        [
            "spreadsheets-fundamentals",
            "sql-querying",
            "data-visualisation",
            "descriptive-statistics",
            "junior-data-analyst",
        ]
    )
    versions_before = uow.session.scalars(select(AchievementVersionRow)).all()
    loads_before = len(uow.catalog_loads.for_issuer(uow.issuers.by_key("northwind").id))
    second = load_catalog(uow, issuer_key="northwind", text=NORTHWIND, source="n.yaml")
    assert not second.changed
    assert len([u for u in second.unchanged if not u.startswith("assessment ")]) == 5
    assert uow.session.scalars(select(AchievementVersionRow)).all() == versions_before
    issuer = uow.issuers.by_key("northwind")
    assert issuer is not None
    assert len(uow.catalog_loads.for_issuer(issuer.id)) == loads_before


def test_a_changed_definition_becomes_a_new_version(uow: UnitOfWork, master_key: MasterKey) -> None:
    make_issuer(uow, master_key)
    load_catalog(uow, issuer_key="northwind", text=NORTHWIND, source="n.yaml")
    changed = NORTHWIND.replace(
        "Writes correct, readable SQL queries over relational data.",
        "Writes correct, fast SQL queries.",
    )
    report = load_catalog(uow, issuer_key="northwind", text=changed, source="n.yaml")
    assert report.new_versions == ["sql-querying v2"]
    issuer = uow.issuers.by_key("northwind")
    assert issuer is not None
    sql = uow.achievements.by_key(issuer.id, "sql-querying")
    assert sql is not None and sql.current_version == 2
    versions = uow.achievements.versions(sql.id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].definition["description"].startswith("Writes correct, readable")
    assert versions[1].definition["description"] == "Writes correct, fast SQL queries."


def test_a_bad_catalog_loads_nothing(uow: UnitOfWork, master_key: MasterKey) -> None:
    make_issuer(uow, master_key)
    broken = NORTHWIND.replace(
        "requirements: {assessment: sql-exam}", "requirements: {all: [ghost-credential]}"
    )
    with pytest.raises(CatalogInvalid) as info:
        load_catalog(uow, issuer_key="northwind", text=broken, source="n.yaml")
    assert any("ghost-credential" in p for p in info.value.problems)
    issuer = uow.issuers.by_key("northwind")
    assert issuer is not None
    assert uow.achievements.all(issuer.id) == []


def test_unknown_issuer_and_wrong_issuer(uow: UnitOfWork, master_key: MasterKey) -> None:
    with pytest.raises(NotFound, match="unknown issuer 'nobody'"):
        load_catalog(uow, issuer_key="nobody", text=NORTHWIND, source="n.yaml")
    make_issuer(uow, master_key, key="other")
    with pytest.raises(InvalidInput, match="for issuer 'northwind', not 'other'"):
        load_catalog(uow, issuer_key="other", text=NORTHWIND, source="n.yaml")


def test_private_keys_are_sealed_and_rotation_keeps_old_keys(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    make_issuer(uow, master_key)
    issuer = uow.issuers.by_key("northwind")
    assert issuer is not None
    keys = KeyStore(uow, master_key, BASE)
    first = keys.signing_key(issuer)
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    raw = first.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    stored = uow.session.scalars(select(SigningKeyRow)).all()
    assert all(raw not in row.encrypted_private_key for row in stored)
    with pytest.raises(Exception, match="could not be decrypted"):
        KeyStore(uow, MasterKey(b"x" * 32), BASE).signing_key(issuer)

    keys.create(issuer)
    second = keys.signing_key(issuer)
    assert second.verification_method != first.verification_method
    document = issuer_did_document(uow, BASE, "northwind")
    listed = {m["publicKeyMultibase"] for m in document["verificationMethod"]}
    assert {
        public_key_multibase(first.public_key),
        public_key_multibase(second.public_key),
    } <= listed
    assert document["id"] == "did:web:credstack.test:issuers:northwind"


def test_tokens_are_hashed_and_carry_roles(uow: UnitOfWork, master_key: MasterKey) -> None:
    make_issuer(uow, master_key)
    issuer = uow.issuers.by_key("northwind")
    assert issuer is not None
    user = add_user(uow, email="rita@northwind.example", name="Rita Reviewer")
    grant_role(uow, user=user, issuer=issuer, role="reviewer")
    with pytest.raises(Conflict):
        grant_role(uow, user=user, issuer=issuer, role="reviewer")
    token = issue_token(uow, user=user, name="ci")
    rows = uow.session.scalars(select(ApiTokenRow)).all()
    assert all(token not in (r.token_hash, r.name) for r in rows)
    principal = authenticate(uow, token)
    assert principal is not None
    assert principal.has_role("northwind", "reviewer")
    assert not principal.has_role("northwind", "admin")
    assert not principal.has_role("other", "reviewer")
    assert authenticate(uow, token + "x") is None
