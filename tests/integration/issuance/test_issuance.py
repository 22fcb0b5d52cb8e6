"""Issuing real awards: signed, schema-valid, carrying route and rigor; status lists; verifying."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

from credstack.service.issuance import credential_jwt
from credstack.service.sharing import ShareLinks, share_url
from credstack.service.status import (
    SignedStatusLists,
    mark_reinstated,
    mark_revoked,
    mark_suspended,
)
from credstack.service.verification import OwnIssuers, Verifier, result_json
from credstack.store.secrets import MasterKey
from credstack.store.uow import UnitOfWork
from credstack.vc.baking import bake_png
from credstack.vc.schema import schema_errors

from .factories import BASE, STACK, ccrb

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _verifier(uow: UnitOfWork, master: MasterKey, now: datetime = NOW) -> Verifier:
    from credstack.service.keys import KeyStore

    own = OwnIssuers(uow, KeyStore(uow, master, BASE), SignedStatusLists(), ShareLinks(master))
    return Verifier(own, BASE, now=now)


def test_every_issued_credential_matches_the_ob30_schema(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key)
    ben = board.learner("ben", "ben@example.org")
    awards = [board.award(ben, key, date(2026, 3, 2 + i)) for i, key in enumerate(STACK)]
    ccrp = board.award(
        ben, "ccrp", date(2026, 3, 9), counted=[f"award:{a.public_id}" for a in awards]
    )
    for award in [*awards, ccrp]:
        assert award.credential is not None
        unsigned = {k: v for k, v in award.credential.items() if k != "proof"}
        assert schema_errors(unsigned, strict=True) == []
        assert schema_errors(award.credential) == []
    document = ccrp.credential
    assert document is not None
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["humanCode"] == "CCRP"
    # valid through 2029-03-08 (P3Y from 2026-03-09): its last second in the issuer zone (UTC)
    assert document["validUntil"] == "2029-03-08T23:59:59Z"
    assert [e["name"] for e in document["evidence"]] == [
        "GCP Essentials",
        "Informed Consent",
        "Adverse Event Reporting",
        "Study Close-Out",
    ]
    assert {a["targetCode"] for a in achievement["alignment"]} == {
        "BOK-1",
        "BOK-2",
        "BOK-3",
        "BOK-4",
    }


def test_the_route_and_its_rigor_are_in_the_signed_data(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key)
    ben = board.learner("ben", "ben@example.org")
    award = board.award(ben, "gcp-essentials", date(2026, 3, 2))
    assert award.credential is not None
    [route] = [e for e in award.credential["evidence"] if e["name"] == "Earning route"]
    assert route["description"].startswith(
        "route: assessment; proctored: yes; identity verified: yes"
    )
    assert "cut score" in route["description"]
    identifier = award.credential["credentialSubject"]["identifier"][0]
    assert "ben@example.org" not in json.dumps(award.credential)
    assert identifier["identityHash"].startswith("sha256$")
    result = _verifier(uow, master_key).verify_bytes(json.dumps(award.credential).encode())
    assert result.verified, result.failures
    summary = result_json(result)["summary"]
    assert summary["proctored"] is True and summary["identity_verified"] is True
    assert summary["competencies"] == ["Good Clinical Practice (ICH E6)"]
    assert summary["issuer"] == "Clinical Research Certification Board"


def test_one_changed_character_fails_the_signature(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = ccrb(uow, master_key)
    award = board.award(board.learner("ben", "ben@example.org"), "gcp-essentials", date(2026, 3, 2))
    changed = copy.deepcopy(award.credential)
    assert changed is not None
    changed["name"] = changed["name"].replace("GCP", "GCQ")
    result = _verifier(uow, master_key).verify_bytes(json.dumps(changed).encode())
    assert not result.verified
    signature = result.check("signature")
    assert signature is not None and not signature.passed
    assert "signature is invalid" in signature.message


def test_revocation_and_suspension_show_with_their_dates(
    uow: UnitOfWork, master_key: MasterKey
) -> None:
    board = ccrb(uow, master_key)
    ben = board.learner("ben", "ben@example.org")
    award = board.award(ben, "informed-consent", date(2026, 3, 9))
    other = board.award(ben, "gcp-essentials", date(2026, 3, 2))
    assert (award.status_list_index, other.status_list_index) == (0, 1)
    verifier = _verifier(uow, master_key)
    payload = json.dumps(award.credential).encode()
    assert verifier.verify_bytes(payload).verified

    award.status, award.status_changed_at = "suspended", datetime(2026, 4, 1, 10, tzinfo=UTC)
    mark_suspended(uow, award)
    result = verifier.verify_bytes(payload)
    assert not result.verified
    assert [c.message for c in result.failures] == ["The credential was suspended on 2026-04-01."]
    award.status = "active"
    mark_reinstated(uow, award)
    assert verifier.verify_bytes(payload).verified

    award.status, award.status_changed_at = "revoked", datetime(2026, 5, 4, 10, tzinfo=UTC)
    mark_revoked(uow, award)
    result = verifier.verify_bytes(payload)
    assert not result.verified
    assert result.headline == "Not verified: The credential was revoked on 2026-05-04."
    assert verifier.verify_bytes(json.dumps(other.credential).encode()).verified


def test_expired_credentials_say_expired(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = ccrb(uow, master_key)
    ben = board.learner("ben", "ben@example.org")
    awards = [board.award(ben, key, date(2026, 3, 2 + i)) for i, key in enumerate(STACK)]
    ccrp = board.award(
        ben, "ccrp", date(2026, 3, 9), counted=[f"award:{a.public_id}" for a in awards]
    )
    later = _verifier(uow, master_key, datetime(2029, 3, 10, tzinfo=UTC))
    result = later.verify_bytes(json.dumps(ccrp.credential).encode())
    assert not result.verified
    validity = result.check("validity")
    # valid through 2029-03-08 and no longer: it expired at the end of that day
    assert validity is not None and validity.message == "The credential expired on 2029-03-08."


def test_jwt_png_and_share_link_forms_verify(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = ccrb(uow, master_key)
    award = board.award(board.learner("cara", None), "gcp-essentials", date(2026, 3, 2))
    verifier = _verifier(uow, master_key)
    token = credential_jwt(uow, board.keys, award)
    assert verifier.verify_bytes(token.encode()).verified
    from credstack.service.badges import badge_png

    png = bake_png(badge_png("GCP Essentials", "MicroCredential"), json.dumps(award.credential))
    assert verifier.verify_bytes(png).source_format == "png"
    assert verifier.verify_bytes(png).verified
    links = ShareLinks(master_key)
    link = links.token(award)  # a link of the first kind keeps verifying
    assert verifier.verify_url(share_url(BASE, link)).verified
    assert links.award_for(uow, link[:-2] + ("AA" if link[-2:] != "AA" else "BB")) is None
    dated = links.token(award, expires_on=date(2026, 6, 8))
    assert links.award_for(uow, dated, today=date(2026, 6, 8)) is not None
    assert links.award_for(uow, dated, today=date(2026, 6, 9)) is None


def test_unknown_issuer_keys_are_not_resolved(uow: UnitOfWork, master_key: MasterKey) -> None:
    board = ccrb(uow, master_key)
    award = board.award(board.learner("ben", "ben@example.org"), "gcp-essentials", date(2026, 3, 2))
    own = OwnIssuers(uow, board.keys, SignedStatusLists(), ShareLinks(master_key))
    elsewhere = Verifier(own, "http://other.test", now=NOW)
    result = elsewhere.verify_bytes(json.dumps(award.credential).encode())
    assert not result.verified
    issuer = result.check("issuer")
    assert issuer is not None and "could not be resolved" in issuer.message
