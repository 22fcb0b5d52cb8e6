"""Importing credentials from elsewhere as a use case, on SQLite and PostgreSQL: every format
the verifier reads is kept once per credential id, every refusal says why, and an imported
certificate from a partner on the articulation list counts toward Lakeside's degree."""

from __future__ import annotations

import base64
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from credstack.errors import Conflict, Forbidden, InvalidInput, TooLarge
from credstack.limits import MAX_IMPORT_BYTES
from credstack.service import clock, engine
from credstack.service.actor import ANONYMOUS, Actor
from credstack.service.imports import import_credential, imported_credentials
from credstack.service.learners import erase_learner, set_profile
from credstack.service.runtime import Runtime
from credstack.store.models import AwardRow, ImportedCredentialRow
from credstack.vc.documents import hash_email
from tests.integration.imports.foreign import Institution, png_badge, svg_badge
from tests.stories.driver import Story

DE = ["de-pipelines", "de-warehousing", "de-streaming", "de-cloud"]
OPERATOR = Actor.operator()


def _seed(runtime: Runtime, *who: str) -> dict[str, Actor]:
    """Lakeside's catalog (Harbor College on its articulation list, by web site) and learners
    with e-mail addresses."""
    actors = {}
    with runtime.uow() as uow:
        story = Story(uow, runtime.keys(uow))
        story.load("lakeside-university.yaml")
        for key in who:
            learner = story.learner(key)
            set_profile(uow, learner, name=key.title(), email=f"{key}@example.org")
            actors[key] = Actor.learner(learner.id, key)
        uow.commit()
    return actors


def _trusted(runtime: Runtime) -> Path:
    return runtime.settings.trust_directory


def _bytes(document: object) -> bytes:
    return json.dumps(document).encode()


def test_every_format_is_imported_once_per_credential_and_counts_where_accepted(
    runtime: Runtime,
) -> None:
    actors = _seed(runtime, "max")
    harbor = Institution()
    harbor.publish(_trusted(runtime))
    certificate = harbor.credential("max@example.org")

    first = import_credential(runtime, actors["max"], data=_bytes(certificate))
    assert first.credential_id == certificate["id"]
    assert first.credential == certificate  # kept unchanged, proof and evidence included
    assert first.credential["evidence"][0]["name"] == "Capstone analysis"
    assert (first.issuer, first.recognised, first.replaced) == ("Harbor College", True, False)
    assert first.achievement == "Graduate Certificate in Applied Analytics"
    assert first.counts_for == ("Lakeside University",)
    assert first.source_format == "json"

    again = import_credential(runtime, OPERATOR, learner="max", data=_bytes(certificate))
    assert again.replaced and again.public_id == first.public_id

    course = harbor.credential(
        "max@example.org", achievement="hc-analytics-1", name="Applied Analytics I", credits=3
    )
    token = harbor.jwt(course)
    as_jwt = import_credential(runtime, actors["max"], data=token.encode())
    assert (as_jwt.source_format, as_jwt.compact) == ("jwt", token)
    baked = harbor.credential("max@example.org", achievement="b", name="Badge B", credits=None)
    as_png = import_credential(runtime, actors["max"], data=png_badge(harbor.jwt(baked)))
    assert as_png.source_format == "png" and as_png.compact is not None
    svg = harbor.credential("max@example.org", achievement="c", name="Badge C", credits=None)
    as_svg = import_credential(runtime, actors["max"], data=svg_badge(json.dumps(svg)))
    assert as_svg.source_format == "svg" and as_svg.compact is None

    held = imported_credentials(runtime, actors["max"])
    assert [c.achievement for c in held] == [
        "Graduate Certificate in Applied Analytics",
        "Applied Analytics I",
        "Badge B",
        "Badge C",
    ]
    with runtime.uow(write=False) as uow:
        rows = uow.session.scalar(select(func.count()).select_from(ImportedCredentialRow))
        assert rows == 4
        report = uow.session.scalars(select(ImportedCredentialRow)).first()
        assert report is not None and report.verification["verified"] is True


def test_an_imported_partner_certificate_completes_the_degree_and_the_trail_names_it(
    runtime: Runtime,
) -> None:
    actors = _seed(runtime, "nia")
    with runtime.uow() as uow:
        story = Story(uow, runtime.keys(uow))
        for key in DE:
            story.award("nia", "lakeside", key, date(2025, 5, 15), grade="B+")
        story.award("nia", "lakeside", "capstone-thesis", date(2025, 6, 1), grade="A")
        uow.commit()
    harbor = Institution()
    harbor.publish(_trusted(runtime))

    done = import_credential(
        runtime, actors["nia"], data=_bytes(harbor.credential("nia@example.org"))
    )
    assert done.awarded == ("Master of Science in Data Science (Lakeside University)",)
    with runtime.uow(write=False) as uow:
        story = Story(uow, runtime.keys(uow))
        today = clock.today(story.issuer("lakeside"))
        degree = story.holds("nia", "lakeside", "ms-data-science", today)
        assert degree is not None and degree.credential is not None
        imported = f"imported:{done.public_id}"
        assert imported in degree.counted
        (entry,) = [e for e in degree.evidence if e["id"] == imported]
        assert entry["kind"] == "imported"
        assert entry["name"] == "Graduate Certificate in Applied Analytics"
        assert entry["issuer"] == "harbor-college"
        # The signed degree names the imported credential among what it counted.
        named = [e.get("id") for e in degree.credential["evidence"]]
        assert done.credential_id in named
        _, audit = engine.audit(
            uow,
            learner=story.learner("nia"),
            issuer=story.issuer("lakeside"),
            achievement_key="ms-data-science",
            as_of=today,
        )
        by_source = {g.description: g for g in audit.groups}
        harbor_group = by_source["Graduate Certificate in Applied Analytics"]
        assert sum(line.counted for line in harbor_group.lines) == Decimal(12)
        assert (audit.total, audit.met) == (Decimal(30), True)


def test_an_issuer_off_the_trust_list_is_kept_but_not_counted(runtime: Runtime) -> None:
    actors = _seed(runtime, "max")
    stranger = Institution(name="Unknown Institute", url="https://unknown.example")
    stranger.publish(_trusted(runtime), listed=False)
    done = import_credential(
        runtime, actors["max"], data=_bytes(stranger.credential("max@example.org"))
    )
    assert not done.recognised and done.counts_for == () and done.awarded == ()
    assert done.issuer.startswith(stranger.did)
    with runtime.uow(write=False) as uow:
        story = Story(uow, runtime.keys(uow))
        _, audit = engine.audit(
            uow,
            learner=story.learner("max"),
            issuer=story.issuer("lakeside"),
            achievement_key="ms-data-science",
            as_of=clock.today(story.issuer("lakeside")),
        )
        reasons = [line.reason for g in audit.groups for line in g.lines if line.reason]
        assert audit.total == 0
        assert reasons == [
            f'issued by {stranger.did} (calls itself "Unknown Institute", not a recognised '
            "issuer), which is not on the articulation list"
        ]


def test_each_refusal_says_why_and_keeps_nothing(runtime: Runtime) -> None:
    actors = _seed(runtime, "max", "ana")
    harbor = Institution()
    harbor.publish(_trusted(runtime))
    max_ = actors["max"]

    def refused(data: bytes, error: type[Exception] = InvalidInput) -> str:
        with pytest.raises(error) as caught:
            import_credential(runtime, max_, data=data)
        return str(caught.value)

    tampered = harbor.credential("max@example.org")
    tampered["credentialSubject"]["creditsEarned"] = 60
    assert refused(_bytes(tampered)) == (
        "not imported: Not verified: The signature is invalid: the credential was changed "
        "after it was signed, or it was signed with a different key."
    )

    someone_else = refused(_bytes(harbor.credential("ana@example.org")))
    assert "not shown to be issued to this learner" in someone_else
    assert "no." in someone_else

    revoked = harbor.credential("max@example.org")
    harbor.revoke(revoked)
    harbor.publish(_trusted(runtime))
    assert "revoked" in refused(_bytes(revoked)).lower()

    assert "could not be read" in refused(b"not a credential at all")
    assert "empty" in refused(b"   ")
    assert "PDF" in refused(b"%PDF-1.7 ...")
    assert str(MAX_IMPORT_BYTES) in refused(b" " * (MAX_IMPORT_BYTES + 1), TooLarge)

    # Only the learner themselves (or the operator) imports; nobody imports into another's.
    good = _bytes(harbor.credential("max@example.org"))
    with pytest.raises(Forbidden):
        import_credential(runtime, ANONYMOUS, data=good)
    with pytest.raises(Forbidden):
        import_credential(runtime, actors["ana"], learner="max", data=good)
    with runtime.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ImportedCredentialRow)) == 0


def test_a_credential_issued_here_is_not_imported_and_a_learner_needs_an_address(
    runtime: Runtime,
) -> None:
    actors = _seed(runtime, "max")
    with runtime.uow() as uow:
        story = Story(uow, runtime.keys(uow))
        own = story.award("max", "lakeside", "de-pipelines", date(2025, 5, 15), grade="A")
        document = own.credential
        no_address = story.learner("zoe")
        uow.commit()
    assert document is not None
    with pytest.raises(Conflict, match="issued here"):
        import_credential(runtime, actors["max"], data=_bytes(document))
    with pytest.raises(InvalidInput, match="no e-mail address"):
        import_credential(
            runtime,
            OPERATOR,
            learner="zoe",
            data=_bytes(Institution().credential("zoe@example.org")),
        )
    assert no_address is not None
    with runtime.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(AwardRow)) == 1


def _ob2_world(trusted: Path, email: str) -> tuple[str, dict[str, object]]:
    """An Open Badges 2.0 issuer (RSA key, profile, BadgeClass, revocation list) as an operator
    puts it in the trust directory, named by the trust list with Harbor's web site; a signed
    assertion (a JWS) for the holder of `email`, and the same assertion as a hosted one."""
    trusted.mkdir(parents=True, exist_ok=True)
    issuer = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": "https://badges.harbor.example/issuer.json",
        "name": "Harbor College",
        "revocationList": "https://badges.harbor.example/revocations.json",
    }
    badge = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": "https://badges.harbor.example/badges/analytics.json",
        "name": "Analytics Foundations",
        "issuer": issuer["id"],
    }
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key_doc = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "CryptographicKey",
        "id": "https://badges.harbor.example/keys/1.json",
        "owner": issuer["id"],
        "publicKeyPem": pem,
    }
    revocations = {"id": issuer["revocationList"], "revokedAssertions": []}
    for name, doc in (("i", issuer), ("b", badge), ("k", key_doc), ("r", revocations)):
        (trusted / f"ob2-{name}.json").write_text(json.dumps(doc))
    (trusted / "ob2.yaml").write_text(
        f"- did: {issuer['id']}\n  name: Harbor College\n  url: https://harbor.example\n"
    )
    salt = "s4lt"
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "urn:uuid:6a1c1e4e-3c1f-4b5e-9e43-5a0c0d1d8f10",
        "recipient": {
            "type": "email",
            "hashed": True,
            "identity": hash_email(email, salt),
            "salt": salt,
        },
        "badge": badge["id"],
        "verification": {"type": "SignedBadge", "creator": key_doc["id"]},
        "issuedOn": "2025-04-01T00:00:00Z",
    }
    head = base64.urlsafe_b64encode(b'{"alg":"RS256"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(assertion).encode()).rstrip(b"=")
    signature = private.sign(head + b"." + body, padding.PKCS1v15(), hashes.SHA256())
    jws = (head + b"." + body + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()
    hosted = {
        **assertion,
        "id": "https://badges.harbor.example/assertions/77.json",
        "verification": {"type": "hosted"},
    }
    return jws, hosted


def test_open_badges_2_signed_assertions_import_and_an_unreachable_hosted_one_is_refused(
    runtime: Runtime,
) -> None:
    actors = _seed(runtime, "max")
    jws, hosted = _ob2_world(_trusted(runtime), "max@example.org")
    done = import_credential(runtime, actors["max"], data=jws.encode())
    assert (done.issuer, done.recognised, done.compact) == ("Harbor College", True, jws)
    assert done.achievement == "Analytics Foundations"
    assert done.counts_for == ("Lakeside University",)
    baked = import_credential(runtime, actors["max"], data=png_badge(jws))
    assert baked.replaced and baked.source_format == "png"
    with pytest.raises(InvalidInput, match="not imported") as caught:
        import_credential(runtime, actors["max"], data=_bytes(hosted))
    assert "hosted copy of the assertion could not be retrieved" in str(caught.value)


def test_erasing_a_learner_removes_what_they_imported(runtime: Runtime) -> None:
    actors = _seed(runtime, "max")
    harbor = Institution()
    harbor.publish(_trusted(runtime))
    import_credential(runtime, actors["max"], data=_bytes(harbor.credential("max@example.org")))
    with runtime.uow() as uow:
        learner = uow.learners.by_key("max")
        assert learner is not None
        erase_learner(uow, learner, reason="asked", actor="operator", keys=runtime.keys(uow))
        uow.commit()
    with runtime.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ImportedCredentialRow)) == 0


def test_an_imported_row_is_built_whole_after_every_check_never_half(runtime: Runtime) -> None:
    """Every look-up (the issuer directory, the trust list) and check runs before the row is
    built: no statement ever runs while a half-built imported row waits in the session, where
    autoflush would send it with its NOT NULL columns empty (it did, once)."""
    actors = _seed(runtime, "ivy")
    harbor = Institution()
    harbor.publish(_trusted(runtime))
    pending: list[ImportedCredentialRow] = []
    half_built: list[str] = []

    def attached(_session: Session, instance: object) -> None:
        if isinstance(instance, ImportedCredentialRow):
            pending.append(instance)

    def executing(*_args: object) -> None:
        for row in pending:
            if inspect(row).pending and (row.credential_id is None or row.issuer_ref is None):
                half_built.append(row.public_id)

    event.listen(Session, "after_attach", attached)
    event.listen(runtime.engine, "before_cursor_execute", executing)
    try:
        certificate = harbor.credential("ivy@example.org")
        done = import_credential(runtime, actors["ivy"], data=_bytes(certificate))
        again = import_credential(runtime, actors["ivy"], data=_bytes(certificate))
    finally:
        event.remove(Session, "after_attach", attached)
        event.remove(runtime.engine, "before_cursor_execute", executing)
    assert pending and not half_built
    assert (done.replaced, again.replaced, again.public_id) == (False, True, done.public_id)
    assert again.issuer == "Harbor College"
