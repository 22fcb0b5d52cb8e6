"""Story 08, issue 8: "Verified" means issued by whom it says, to whom it says, as it says.

An employer is shown forged, foreign and misattributed credentials through the CLI, the API
and the pages of a running server; none of them may read as this server's issuers' work.
"""

from __future__ import annotations

import copy
import html
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credstack.config import Settings
from credstack.service.people import add_learner
from credstack.service.runtime import open_runtime
from credstack.vc import jose
from credstack.vc.dataintegrity import sign
from credstack.vc.keys import SigningKey, signing_key_from_private_key
from tests.helpers import Cli, form_csrf
from tests.stories.driver import Story
from tests.stories.test_story_08_employer_verification import STACK, World, running_world

BOARD = "Clinical Research Certification Board"
NOT_VERIFIED = "Not verified — as written in the file"
PROCTORED = {"proctoring": "in_person", "identity": "government-id"}


@dataclass
class TrustWorld(World):
    ivy: dict[str, str]  # achievement key -> public id, for ivy@example.org
    hal: str  # hal@example.org's GCP Essentials

    def credential(self, public_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.url}/credentials/{public_id}").json()
        return answer

    def group(self, credentials: list[Any], **params: str) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.url}/api/v1/verify/group",
            json={"credentials": credentials},
            params=params,
            timeout=120,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


def _learners_with_addresses(cli: Cli) -> tuple[dict[str, str], str]:
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            add_learner(uow, key="ivy", name="Ivy", email="ivy@example.org")
            add_learner(uow, key="hal", name="Hal", email="hal@example.org")
            ivy: dict[str, str] = {}
            for day, (exam, _achievement) in enumerate(STACK, start=2):
                sat = story.sit("ivy", "ccrb", exam, 88, date(2026, 3, day), **PROCTORED)
                for award in sat.awarded:
                    version = uow.achievements.version_by_id(award.achievement_version_id)
                    assert version is not None
                    ivy[str(version.definition["id"])] = award.public_id
            [hal] = story.sit("hal", "ccrb", "gcp-exam", 91, date(2026, 3, 2), **PROCTORED).awarded
            assert {a for _, a in STACK} | {"ccrp"} <= set(ivy)
            uow.commit()
            return ivy, hal.public_id
    finally:
        runtime.close()


@pytest.fixture
def trust(tmp_path: Path, database_url: str) -> Iterator[TrustWorld]:
    """Story 08's world (its server running), plus two learners known by their addresses."""
    with running_world(tmp_path, database_url) as world:
        ivy, hal = _learners_with_addresses(world.cli)
        yield TrustWorld(**vars(world), ivy=ivy, hal=hal)


def _stranger() -> SigningKey:
    return signing_key_from_private_key("did:key", Ed25519PrivateKey.generate())


def _re_signed(credential: dict[str, Any], key: SigningKey, **issuer: Any) -> dict[str, Any]:
    """A real credential's content, signed again by someone else's key."""
    forged = copy.deepcopy(credential)
    forged.pop("proof")
    forged.pop("credentialStatus", None)
    merged = {**forged["issuer"], "id": key.controller, **issuer}
    forged["issuer"] = {k: v for k, v in merged.items() if v is not None}
    return sign(forged, key, created=datetime(2026, 3, 9, tzinfo=UTC))


def _page_post(where: World, path: str, files: Any, **form: str) -> str:
    """Post a form as a browser would: load the page first, send its CSRF token back."""
    with httpx.Client(base_url=where.url, timeout=60) as browser:
        answer = browser.post(path, files=files, data={**form, "csrf": form_csrf(browser, path)})
    assert answer.status_code < 500, answer.text
    return answer.text


def _page_verify(where: World, data: bytes, **form: str) -> str:
    return _page_post(where, "/verify", {"file": ("c.json", data)}, **form)


def test_impersonation_is_not_verified_anywhere(trust: TrustWorld) -> None:
    stranger = _stranger()
    forged = _re_signed(trust.credential(trust.eve["gcp-essentials"]), stranger)
    assert forged["issuer"]["name"] == BOARD
    data = json.dumps(forged).encode()
    code, cli = trust.cli_verify(str(trust.file("forged.json", data)))
    api = trust.api_verify(data)
    expected = (
        f"Not verified: The credential claims to be from {BOARD}, but it was signed by "
        f"{stranger.controller}, which {BOARD} never used: an impersonation."
    )
    for report in (cli, api):
        assert report["verified"] is False and report["recognised"] is False
        assert report["headline"] == expected
        assert report["recognition"]["status"] == "impersonation"
        assert report["recognition"]["signer"] == stranger.controller
        summary = report["summary"]
        assert summary["verified"] is False and summary["label"] == NOT_VERIFIED
        assert summary["issuer"] is None and summary["issuer_claimed_name"] == BOARD
        assert summary["text"].startswith(f"{NOT_VERIFIED}: GCP Essentials (microcredential)")
    assert code == 1
    page = _page_verify(trust, data)
    assert '<h2 id="result-heading">Not verified</h2>' in page
    assert 'data-recognition="impersonation"' in page
    assert f"What the file claims ({NOT_VERIFIED})" in page
    assert page.index("an impersonation") < page.index("What the file claims")

    # a self-issued VC-JWT with the board's name is the same impersonation
    unsigned = {k: v for k, v in forged.items() if k != "proof"}
    token = jose.sign_jwt(unsigned, stranger)
    code, report = trust.cli_verify(str(trust.file("forged.jwt", token.encode())))
    assert code == 1 and report["recognition"]["status"] == "impersonation"
    assert trust.api_verify(token.encode())["headline"] == expected

    # keeping the board's own DID while signing with another key is no better
    kept = _re_signed(
        trust.credential(trust.eve["gcp-essentials"]),
        stranger,
        id=trust.credential(trust.eve["gcp-essentials"])["issuer"]["id"],
    )
    code, report = trust.cli_verify(str(trust.file("kept.json", json.dumps(kept).encode())))
    assert code == 1 and report["recognition"]["status"] == "impersonation"


def test_unrecognised_issuers_say_so_until_a_trust_list_names_them(trust: TrustWorld) -> None:
    acme, beta = _stranger(), _stranger()
    theirs = _re_signed(trust.credential(trust.hal), acme, name="Acme Skills", url=None)
    data = json.dumps(theirs).encode()
    path = str(trust.file("acme.json", data))
    code, report = trust.cli_verify(path)
    assert code == 3, report
    assert report["verified"] is True and report["recognised"] is False
    assert report["headline"].startswith(
        f"Authentic, but not from a recognised issuer: The issuer {acme.controller} calls "
        'itself "Acme Skills", not a recognised issuer.'
    )
    assert report["summary"]["issuer"] is None
    assert report["summary"]["text"].startswith(
        "Authentic, from an issuer this verifier does not recognise: GCP Essentials"
    )
    assert 'calls itself "Acme Skills", not a recognised issuer' in report["summary"]["text"]
    page = _page_verify(trust, data)
    assert '<h2 id="result-heading">Authentic, issuer not recognised</h2>' in page
    help_text = trust.cli.run("verify", "--help").stdout
    assert "3 authentic, but from an issuer" in " ".join(help_text.split())

    trusted = trust.cli.data_dir / "trusted"
    trusted.mkdir()
    (trusted / "partners.yaml").write_text(
        f"- did: {acme.controller}\n  name: Acme Skills Academy\n  url: https://acme.example\n"
    )
    registry = {"meta": {}, "registry": {beta.controller: {"name": "Beta College", "url": None}}}
    (trusted / "dcc-registry.json").write_text(json.dumps(registry))
    code, report = trust.cli_verify(path)
    assert code == 0, report
    assert report["headline"] == "Verified: issued by Acme Skills Academy; every check passed."
    assert report["recognition"]["source"] == "trust list partners.yaml"
    assert trust.api_verify(data)["summary"]["issuer"] == "Acme Skills Academy"
    listed = _re_signed(trust.credential(trust.hal), beta, name="Beta")
    code, report = trust.cli_verify(str(trust.file("beta.json", json.dumps(listed).encode())))
    assert code == 0 and report["summary"]["issuer"] == "Beta College"

    (trusted / "broken.yaml").write_text("- did: not-a-did\n  name: X\n")
    refused = trust.cli.run("verify", path)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert f"{trusted / 'broken.yaml'}: entry 1: did must be a DID" in refused.stderr
    answer = httpx.post(f"{trust.url}/api/v1/verify", content=data)
    assert answer.status_code == 422 and "broken.yaml" in answer.text


def test_forged_and_foreign_groups_combine_nothing(trust: TrustWorld) -> None:
    stranger = _stranger()
    real = [trust.credential(trust.eve[key]) for _, key in STACK]
    forged = trust.group([_re_signed(c, stranger) for c in real])
    assert forged["stacks"] == [] and len(forged["not_counted"]) == 4
    assert all("impersonation" in line for line in forged["not_counted"])
    renamed = trust.group([_re_signed(c, stranger, name="Acme", url=None) for c in real])
    assert renamed["stacks"] == []
    assert all("not from an issuer this server recognises" in n for n in renamed["not_counted"])

    # our credentials' ids, signed by an issuer the operator does recognise: still not ours
    trusted = trust.cli.data_dir / "trusted"
    trusted.mkdir()
    (trusted / "acme.yaml").write_text(f"- did: {stranger.controller}\n  name: Acme\n")
    foreign = trust.group([_re_signed(c, stranger, name="Acme", url=None) for c in real])
    assert foreign["stacks"] == []
    assert all("but it was signed by" in line for line in foreign["not_counted"])

    # two people's credentials are not one person's stack
    ivy = [trust.credential(trust.ivy[key]) for _, key in STACK]
    mixed = [trust.credential(trust.hal), *ivy[1:]]
    answer = trust.group(mixed)
    assert answer["all_verified"] is True
    assert answer["stacks"] == []
    assert answer["holder"].startswith("Nothing was combined: these credentials are not shown")
    answer = trust.group(mixed, email="ivy@example.org")
    assert answer["stacks"] == []
    assert answer["holder"] == (
        "Nothing was combined: GCP Essentials was not issued to ivy@example.org."
    )
    whole = trust.group(ivy, email="Ivy@Example.org")
    [ccrp] = [s for s in whole["stacks"] if s["achievement"] == "ccrp"]
    assert ccrp["met"] is True and whole["holder"] is None
    page = _page_post(
        trust,
        "/employer",
        [("files", (f"{i}.json", json.dumps(c).encode())) for i, c in enumerate(mixed)],
        email="ivy@example.org",
    )
    assert 'data-holder="mismatch"' in page and 'data-met="true"' not in page


def test_recipient_and_revocation_reason_are_shown(trust: TrustWorld) -> None:
    data = json.dumps(trust.credential(trust.ivy["gcp-essentials"])).encode()
    path = str(trust.file("ivy.json", data))
    yes = trust.cli.run("verify", path, "--email", "ivy@example.org")
    assert yes.returncode == 0, yes.stderr
    assert "recipient: Issued to the holder of ivy@example.org: yes." in yes.stdout
    no = trust.cli.run("verify", path, "--email", "eve@example.org", "--json")
    assert no.returncode == 1
    assert json.loads(no.stdout)["recipient"] == {
        "email": "eve@example.org",
        "matches": False,
        "message": "Issued to the holder of eve@example.org: no.",
    }
    api = trust.api_verify(data, email="ivy@example.org")
    assert api["recipient"]["matches"] is True and api["verified"] is True
    page = _page_verify(trust, data, email="eve@example.org")
    assert 'data-matches="false"' in page and "eve@example.org: no." in page
    bad = trust.cli.run("verify", path, "--email", "not an address")
    assert bad.returncode == 2 and "is not an e-mail address" in bad.stderr
    refused = httpx.post(f"{trust.url}/api/v1/verify", content=data, params={"email": "x"})
    assert refused.status_code == 422

    revoked = json.dumps(trust.credential(trust.revoked)).encode()
    code, report = trust.cli_verify(str(trust.file("revoked.json", revoked)))
    assert code == 1
    assert report["revocation_reason"] == "exam misconduct found later"
    reason = "The issuer's reason for revoking it: exam misconduct found later"
    assert reason in report["notes"]
    assert trust.api_verify(revoked)["revocation_reason"] == "exam misconduct found later"
    text = trust.cli.run("verify", str(trust.tmp / "revoked.json")).stdout
    assert f"note: {reason}" in text
    assert reason in html.unescape(_page_verify(trust, revoked))


@pytest.mark.interop
def test_impersonation_signed_by_another_implementation(trust: TrustWorld) -> None:
    """digitalbazaar's signer re-signs our credential under its did:key, the name kept."""
    from credstack.vc.keys import private_key_multibase, public_key_multibase
    from tests.interop.node_harness import NodeHarness

    key = _stranger()
    unsigned = copy.deepcopy(trust.credential(trust.eve["gcp-essentials"]))
    unsigned.pop("proof")
    unsigned.pop("credentialStatus")
    unsigned["issuer"]["id"] = key.controller
    [theirs] = NodeHarness().batch(
        [
            {
                "op": "sign",
                "document": unsigned,
                "verificationMethod": key.verification_method,
                "publicKeyMultibase": public_key_multibase(key.public_key),
                "privateKeyMultibase": private_key_multibase(key.private_key),
                "created": "2026-03-09T09:00:00Z",
            }
        ]
    )
    data = json.dumps(theirs).encode()
    code, report = trust.cli_verify(str(trust.file("dbz-forged.json", data)))
    assert code == 1
    assert report["recognition"]["status"] == "impersonation"
    signature = next(c for c in report["checks"] if c["name"] == "signature")
    assert signature["passed"] is True  # authentic signature, false claim
    assert trust.api_verify(data)["verified"] is False


def test_verifying_needs_no_installation_and_writes_nothing(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    key = _stranger()
    document = json.loads(
        (
            Path(__file__).resolve().parents[1]
            / "data"
            / "vc_signing"
            / "achievement-credential.json"
        ).read_text()
    )
    document["issuer"]["id"] = key.controller
    document.pop("credentialStatus", None)
    signed = sign(document, key, created=datetime(2026, 3, 1, tzinfo=UTC))
    good, bad = work / "credential.json", work / "changed.json"
    good.write_text(json.dumps(signed))
    bad.write_text(json.dumps({**signed, "validFrom": "2026-01-01T00:00:00Z"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "credstack", "verify", *args],
            cwd=work,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    before = sorted(p for p in tmp_path.rglob("*"))
    done = run(str(good), "--json")
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["verified"] is True
    assert "master key" not in done.stderr and "init" not in done.stderr
    assert run(str(bad)).returncode == 1
    trust_dir = tmp_path / "trust"
    trust_dir.mkdir()
    (trust_dir / "list.yaml").write_text(f"- did: {key.controller}\n  name: Example College\n")
    before.extend([trust_dir, trust_dir / "list.yaml"])
    listed = run(str(good), CREDSTACK_TRUST_DIR=str(trust_dir))
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert listed.stdout.startswith("Verified: issued by Example College")
    assert sorted(p for p in tmp_path.rglob("*")) == sorted(before)


def test_an_address_that_does_not_match_leads_the_answer(trust: TrustWorld) -> None:
    """An employer who asks "is this Eve's?" about Ivy's genuine credential reads "no" first,
    not "Verified", on the CLI, in the API's JSON and on the page."""
    data = json.dumps(trust.credential(trust.ivy["gcp-essentials"])).encode()
    path = str(trust.file("ivy-for-eve.json", data))
    cli = trust.cli.run("verify", path, "--email", "eve@example.org")
    assert cli.returncode == 1
    assert cli.stdout.startswith("Not issued to the holder of eve@example.org. Verified:")
    api = trust.api_verify(data, email="eve@example.org")
    assert api["verified"] is True and api["holder_unconfirmed"] is True
    assert api["headline"].startswith("Not issued to the holder of eve@example.org.")
    matching = trust.api_verify(data, email="ivy@example.org")
    assert matching["holder_unconfirmed"] is False
    assert matching["headline"].startswith("Verified:")
    page = html.unescape(_page_verify(trust, data, email="eve@example.org"))
    assert "Authentic, but not shown to be issued to eve@example.org" in page
    assert 'class="result failed"' in page
