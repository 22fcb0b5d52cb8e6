"""Story 08: an employer verifies what a candidate sends, through the CLI and a real server.

The issuer's side (exams sat, awards made by the engine, a revocation) is set up through the
services on the server's own database; everything the employer does goes through
`credstack verify` and the HTTP API / pages of a running `credstack serve`.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pypdfium2
import pytest
import zxingcpp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from credstack.config import Settings
from credstack.service.runtime import open_runtime
from credstack.vc.dataintegrity import sign
from credstack.vc.keys import (
    decode_private_key_multibase,
    generate_signing_key,
    private_key_multibase,
    public_key_multibase,
    signing_key_from_private_key,
)
from credstack.vc.status import Bitstring, status_list_credential
from tests.helpers import Cli, form_csrf, free_port, running_server
from tests.stories.driver import Story

STACK = (
    ("gcp-exam", "gcp-essentials"),
    ("consent-exam", "informed-consent"),
    ("ae-exam", "adverse-event-reporting"),
    ("close-out-exam", "study-close-out"),
)
DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass
class World:
    cli: Cli
    url: str
    eve: dict[str, str]  # achievement key -> credential public id
    revoked: str
    expired: str
    tmp: Path

    def file(self, name: str, data: bytes) -> Path:
        path = self.tmp / name
        path.write_bytes(data)
        return path

    def cli_verify(self, source: str) -> tuple[int, dict[str, Any]]:
        done = self.cli.run("verify", source, "--json")
        report = json.loads(done.stdout) if done.stdout.strip() else {}
        assert "Traceback" not in done.stderr
        return done.returncode, report

    def api_verify(self, data: bytes, **params: str) -> dict[str, Any]:
        answer = httpx.post(f"{self.url}/api/v1/verify", content=data, params=params, timeout=60)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


def _set_up(cli: Cli) -> tuple[dict[str, str], str, str]:
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            story.load("clinical-research-board.yaml")
            eve: dict[str, str] = {}
            for day, (exam, _achievement) in enumerate(STACK, start=2):
                settled = story.sit(
                    "eve",
                    "ccrb",
                    exam,
                    86,
                    date(2026, 3, day),
                    proctoring="in_person",
                    identity="government-id",
                )
                for award in settled.awarded:
                    version = uow.achievements.version_by_id(award.achievement_version_id)
                    assert version is not None
                    eve[str(version.definition["id"])] = award.public_id
            assert {a for _, a in STACK} | {"ccrp"} <= set(eve)
            [fay] = story.sit(
                "fay",
                "ccrb",
                "gcp-exam",
                90,
                date(2026, 3, 2),
                proctoring="in_person",
                identity="government-id",
            ).awarded
            story.revoke(fay, "exam misconduct found later", date(2026, 5, 4))
            gus = story.award("gus", "ccrb", "ccrp", date(2020, 1, 6))
            uow.commit()
            return eve, fay.public_id, gus.public_id
    finally:
        runtime.close()


@contextmanager
def running_world(tmp_path: Path, database_url: str) -> Iterator[World]:
    """The board's set-up on a fresh database, and a server answering for it."""
    port = free_port()
    cli = Cli(tmp_path / "data", database_url, base_url=f"http://127.0.0.1:{port}")
    eve, revoked, expired = _set_up(cli)
    with running_server(cli, "serve", port=port) as url:
        yield World(cli, url, eve, revoked, expired, tmp_path)


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    with running_world(tmp_path, database_url) as running:
        yield running


def _assert_verified_ccrp_microcredential(report: dict[str, Any], name: str) -> None:
    assert report["verified"] is True, report
    assert {c["name"] for c in report["checks"] if c["passed"]} >= {
        "signature",
        "issuer",
        "validity",
        "status",
    }
    summary = report["summary"]
    assert summary["achievement"] == name
    assert summary["kind"] == "microcredential"
    assert summary["issuer"] == "Clinical Research Certification Board"
    assert summary["route"] == "assessment"
    assert summary["proctored"] is True and summary["identity_verified"] is True
    assert summary["competencies"]
    assert "proctored, identity verified" in summary["text"]


def test_each_of_the_four_forms_verifies(world: World) -> None:
    public_id = world.eve["gcp-essentials"]
    credential = httpx.get(f"{world.url}/credentials/{public_id}").content
    png = httpx.get(f"{world.url}/credentials/{public_id}/badge.png").content
    pdf = httpx.get(f"{world.url}/credentials/{public_id}/certificate.pdf").content
    share = world.cli.ok("credential", "share", public_id).splitlines()[0]

    # 1. the credential file, 2. the baked PNG: CLI and API
    for name, data in (("gcp.json", credential), ("gcp.png", png)):
        code, report = world.cli_verify(str(world.file(name, data)))
        assert code == 0
        _assert_verified_ccrp_microcredential(report, "GCP Essentials")
        _assert_verified_ccrp_microcredential(world.api_verify(data), "GCP Essentials")
    multipart = httpx.post(f"{world.url}/api/v1/verify", files={"file": ("gcp.png", png)})
    assert multipart.json()["format"] == "png" and multipart.json()["verified"] is True

    # 3. the share link: CLI, API and the page the employer opens
    code, report = world.cli_verify(share)
    assert code == 0
    _assert_verified_ccrp_microcredential(report, "GCP Essentials")
    _assert_verified_ccrp_microcredential(world.api_verify(b"", url=share), "GCP Essentials")
    page = httpx.get(share).text
    assert 'data-verified="true"' in page
    assert "Good Clinical Practice (ICH E6)" in page and "proctored" in page

    # 4. the PDF certificate: its QR code leads to the verification page of this credential
    bitmap = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    [qr] = zxingcpp.read_barcodes(bitmap)
    assert qr.text == f"{world.url}/verify?credential={public_id}"
    code, report = world.cli_verify(str(world.file("gcp.pdf", pdf)))
    assert code == 0 and report["format"] == "pdf"
    _assert_verified_ccrp_microcredential(report, "GCP Essentials")
    _assert_verified_ccrp_microcredential(world.api_verify(pdf), "GCP Essentials")
    scanned = httpx.get(qr.text).text
    browser = httpx.Client(base_url=world.url)
    form = browser.get("/verify").text
    assert '<label for="file">' in form and 'enctype="multipart/form-data"' in form
    csrf = form_csrf(browser, "/verify")
    uploaded = browser.post("/verify", files={"file": ("gcp.png", png)}, data={"csrf": csrf}).text
    browser.close()
    assert 'data-verified="true"' in uploaded and "Pass</span> <strong>signature" in uploaded
    assert 'data-verified="true"' in scanned and "GCP Essentials" in scanned

    # the certification itself says what it is built from and carries its designation
    ccrp = world.api_verify(httpx.get(f"{world.url}/credentials/{world.eve['ccrp']}").content)
    assert ccrp["verified"] is True
    assert ccrp["summary"]["kind"] == "certification"
    # valid through 2029-03-04: validUntil is that day's last second (issuer zone UTC)
    assert ccrp["summary"]["valid_until"].startswith("2029-03-04T23:59:59")
    assert ccrp["summary"]["counted_credentials"] == [
        "GCP Essentials",
        "Informed Consent",
        "Adverse Event Reporting",
        "Study Close-Out",
    ]


def test_changed_revoked_expired_and_unknown_never_verify(world: World) -> None:
    credential = httpx.get(f"{world.url}/credentials/{world.eve['gcp-essentials']}").json()
    changed = copy.deepcopy(credential)
    changed["name"] = changed["name"].replace("GCP", "GCQ")
    data = json.dumps(changed).encode()
    code, report = world.cli_verify(str(world.file("changed.json", data)))
    api = world.api_verify(data)
    for answer in (report, api):
        assert answer["verified"] is False
        [failed] = [c for c in answer["checks"] if not c["passed"]]
        assert failed["name"] == "signature" and "signature is invalid" in failed["message"]
    assert code == 1

    revoked = httpx.get(f"{world.url}/credentials/{world.revoked}").content
    code, report = world.cli_verify(str(world.file("revoked.json", revoked)))
    assert code == 1
    assert report["headline"] == "Not verified: The credential was revoked on 2026-05-04."
    assert world.api_verify(revoked)["headline"] == report["headline"]
    status = httpx.get(f"{world.url}/status/ccrb/revocation-1").json()
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]

    expired = httpx.get(f"{world.url}/credentials/{world.expired}").content
    code, report = world.cli_verify(str(world.file("expired.json", expired)))
    assert code == 1
    validity = next(c for c in report["checks"] if c["name"] == "validity")
    assert validity == {
        "name": "validity",
        "passed": False,
        "message": "The credential expired on 2023-01-05.",  # its last valid day
    }
    assert "revoked" not in report["headline"]

    stranger = generate_signing_key("did:web:issuer.unknown.example")
    foreign = copy.deepcopy(credential)
    foreign.pop("proof")
    foreign.pop("credentialStatus")
    foreign["issuer"]["id"] = "did:web:issuer.unknown.example"
    signed = sign(foreign, stranger, created=datetime(2026, 3, 1, tzinfo=UTC))
    data = json.dumps(signed).encode()
    code, report = world.cli_verify(str(world.file("stranger.json", data)))
    assert code == 1
    signature = next(c for c in report["checks"] if c["name"] == "signature")
    assert "could not be found among the keys credstack trusts" in signature["message"]
    assert world.api_verify(data)["verified"] is False

    code, report = world.cli_verify(str(world.file("noise.txt", b"hello")))
    assert code == 2 and report["verified"] is False
    refused = world.cli.run("verify", "https://elsewhere.example/badge.json")
    assert refused.returncode == 2 and "is not fetched" in refused.stderr
    empty = httpx.post(f"{world.url}/api/v1/verify", content=b"")
    assert empty.status_code == 422


@pytest.mark.interop
def test_other_issuers_credentials_verify(world: World, tmp_path: Path) -> None:
    """Signed by digitalbazaar's stack (did:key), and Open Badges 2.0 hosted and signed."""
    from tests.interop.node_harness import NodeHarness

    node = NodeHarness()
    key = signing_key_from_private_key(
        "did:key", decode_private_key_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    )
    document = json.loads((DATA / "vc_signing" / "achievement-credential.json").read_text())
    document["issuer"]["id"] = key.controller
    status_list = status_list_credential(
        url="https://example.edu/status/1",
        issuer_id=key.controller,
        purpose="revocation",
        bits=Bitstring(),
        valid_from=datetime(2025, 3, 1, tzinfo=UTC),
    )
    theirs, their_list = node.batch(
        [
            {
                "op": "sign",
                "document": doc,
                "verificationMethod": key.verification_method,
                "publicKeyMultibase": public_key_multibase(key.public_key),
                "privateKeyMultibase": private_key_multibase(key.private_key),
                "created": "2025-03-01T09:00:05Z",
            }
            for doc in (document, status_list)
        ]
    )
    # Another issuer's status list is used only from the trust directory, never fetched.
    trusted = world.cli.data_dir / "trusted"
    trusted.mkdir()
    data = json.dumps(theirs).encode()
    code, report = world.cli_verify(str(world.file("dbz.json", data)))
    assert code == 1 and "could not be retrieved" in report["headline"]
    (trusted / "their-status-list.json").write_text(json.dumps(their_list))
    code, report = world.cli_verify(str(world.file("dbz.json", data)))
    assert code == 3, report  # authentic, but no trust list names the issuer yet
    assert report["recognition"]["status"] == "unrecognised"
    assert world.api_verify(data)["verified"] is True

    # Open Badges 2.0: the trust directory holds what an offline verifier was given.
    issuer = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": "https://badges.example.edu/issuer.json",
        "name": "Example College",
        "revocationList": "https://badges.example.edu/revocations.json",
    }
    badge = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": "https://badges.example.edu/badges/solar.json",
        "name": "Solar panel installation",
        "issuer": issuer["id"],
    }
    hosted = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://badges.example.edu/assertions/77.json",
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$abc"},
        "badge": badge["id"],
        "verification": {"type": "hosted"},
        "issuedOn": "2025-04-01T00:00:00Z",
    }
    revocations = {"id": issuer["revocationList"], "revokedAssertions": []}
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key_doc = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "CryptographicKey",
        "id": "https://badges.example.edu/keys/1.json",
        "owner": issuer["id"],
        "publicKeyPem": pem,
    }
    for i, doc in enumerate((issuer, badge, hosted, revocations, key_doc)):
        (trusted / f"{i}.json").write_text(json.dumps(doc))
    (trusted / "issuers.yaml").write_text(
        f"- did: {key.controller}\n  name: Example University\n"
        f"- did: {issuer['id']}\n  name: Example College\n"
    )
    code, report = world.cli_verify(str(world.file("dbz.json", data)))
    assert code == 0 and report["summary"]["issuer"] == "Example University", report
    code, report = world.cli_verify(str(world.file("ob2.json", json.dumps(hosted).encode())))
    assert code == 0, report
    assert world.api_verify(json.dumps(hosted).encode())["verified"] is True

    signed_assertion = {
        **hosted,
        "id": "urn:uuid:6a1c1e4e-3c1f-4b5e-9e43-5a0c0d1d8f10",
        "verification": {"type": "SignedBadge", "creator": key_doc["id"]},
    }
    head = base64.urlsafe_b64encode(b'{"alg":"RS256"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(signed_assertion).encode()).rstrip(b"=")
    signature = private.sign(head + b"." + body, padding.PKCS1v15(), hashes.SHA256())
    jws = (head + b"." + body + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()
    code, report = world.cli_verify(str(world.file("ob2.jws", jws.encode())))
    assert code == 0, report
    assert world.api_verify(jws.encode())["verified"] is True
    tampered = jws[:-6] + ("AAAAAA" if not jws.endswith("AAAAAA") else "BBBBBB")
    code, report = world.cli_verify(str(world.file("ob2-bad.jws", tampered.encode())))
    assert code == 1


def test_four_microcredentials_together_satisfy_the_ccrp_stack(world: World) -> None:
    """Item 3: she shares the four microcredentials, not the certification itself."""
    files = [
        world.file(f"{key}.json", httpx.get(f"{world.url}/credentials/{world.eve[key]}").content)
        for _, key in STACK
    ]
    done = world.cli.run("verify", *map(str, files), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["all_verified"] is True
    [ccrp] = [s for s in report["stacks"] if s["achievement"] == "ccrp"]
    assert ccrp["met"] is True
    assert ccrp["text"] == (
        "Together, GCP Essentials, Informed Consent, Adverse Event Reporting, Study Close-Out "
        "satisfy the requirements of Certified Clinical Research Professional (4 of 4 "
        "requirements)."
    )
    answer = httpx.post(
        f"{world.url}/api/v1/verify/group",
        files=[("file", (p.name, p.read_bytes())) for p in files[:3]],
    ).json()
    assert answer["all_verified"] is True
    [partial] = [s for s in answer["stacks"] if s["achievement"] == "ccrp"]
    assert partial["met"] is False and partial["progress"] == "3 of 4 requirements"
    assert any("study-close-out" in m for m in partial["missing"])

    revoked = httpx.get(f"{world.url}/credentials/{world.revoked}").json()
    group = httpx.post(
        f"{world.url}/api/v1/verify/group",
        json={"credentials": [revoked, *(json.loads(p.read_text()) for p in files[1:])]},
    ).json()
    assert group["all_verified"] is False
    [short] = [s for s in group["stacks"] if s["achievement"] == "ccrp"]
    assert short["met"] is False
    assert group["not_counted"][0].startswith("GCP Essentials: not verified")


def test_several_files_are_reported_by_name_and_one_credential_counts_once(world: World) -> None:
    """The same credential as JSON and as its baked badge is one award: the stack's sentence
    names it once, and each report says which file it is about."""
    files = [
        world.file(
            f"twice-{key}.json", httpx.get(f"{world.url}/credentials/{world.eve[key]}").content
        )
        for _, key in STACK
    ]
    first = STACK[0][1]
    badge = world.file(
        "twice-badge.png",
        httpx.get(f"{world.url}/credentials/{world.eve[first]}/badge.png").content,
    )
    sources = [str(files[0]), str(badge), *map(str, files[1:])]
    done = world.cli.run("verify", *sources, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [c["source"] for c in report["credentials"]] == sources
    [ccrp] = [s for s in report["stacks"] if s["achievement"] == "ccrp"]
    assert ccrp["met"] is True and ccrp["progress"] == "4 of 4 requirements"
    assert ccrp["text"].count("GCP Essentials") == 1
    assert report["not_counted"] == [
        f"GCP Essentials: the same credential as {files[0]}, counted once"
    ]

    text = world.cli.run("verify", *sources).stdout
    assert text.startswith(f"{files[0]}:\nVerified:")
    assert f"\n{badge}:\nVerified:" in text
