"""Credentials from another institution: genuinely signed with a fresh did:key, issued to an
e-mail address the way OB 3.0 hides it (salted hash), in every form a learner may hold one."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image

from credstack.vc import jose
from credstack.vc.baking import bake_png, bake_svg
from credstack.vc.clr import clr_credential
from credstack.vc.dataintegrity import sign
from credstack.vc.documents import hash_email
from credstack.vc.keys import SigningKey, generate_signing_key
from credstack.vc.model import IssuerProfile, SubjectIdentity
from credstack.vc.status import Bitstring, status_list_credential, status_list_entry

__all__ = ["HARBOR_URL", "Institution", "png_badge", "svg_badge"]

HARBOR_URL = "https://harbor.example"
DATA = Path(__file__).resolve().parents[2] / "data"
SIGNED_AT = datetime(2025, 5, 2, tzinfo=UTC)

_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


@dataclass
class Institution:
    """Another institution with its own key; what it issues, and its published status list."""

    name: str = "Harbor College"
    url: str = HARBOR_URL
    key: SigningKey = field(default_factory=lambda: generate_signing_key("did:key"))
    revoked: Bitstring = field(default_factory=Bitstring)
    issued: int = 0

    @property
    def did(self) -> str:
        return self.key.controller

    @property
    def status_url(self) -> str:
        return f"{self.url}/status/1"

    def credential(
        self,
        email: str,
        *,
        achievement: str = "hc-cert-analytics",
        name: str = "Graduate Certificate in Applied Analytics",
        achievement_type: str = "Certificate",
        credits: float | None = 12,
        valid_from: datetime = datetime(2025, 5, 1, tzinfo=UTC),
        credential_id: str | None = None,
    ) -> dict[str, Any]:
        """A signed OB 3.0 credential for the holder of `email`, with a status entry."""
        document = json.loads((DATA / "vc_signing" / "achievement-credential.json").read_text())
        salt = secrets.token_hex(8)
        document["id"] = credential_id or f"urn:uuid:{uuid.uuid4()}"
        document["name"] = name
        document["issuer"] = {
            "id": self.did,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
        }
        document["validFrom"] = document["awardedDate"] = valid_from.isoformat().replace(
            "+00:00", "Z"
        )
        document.pop("validUntil", None)
        subject = document["credentialSubject"]
        subject.pop("id", None)
        subject.pop("result", None)
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": hash_email(email, salt),
                "identityType": "emailAddress",
                "salt": salt,
            }
        ]
        achieved = subject["achievement"]
        achieved.pop("resultDescription", None)
        achieved["id"] = f"{self.url}/achievements/{achievement}"
        achieved["name"] = name
        achieved["achievementType"] = achievement_type
        if credits is None:
            subject.pop("creditsEarned", None)
            achieved.pop("creditsAvailable", None)
        else:
            subject["creditsEarned"] = credits
            achieved["creditsAvailable"] = credits
        index = self.issued
        self.issued += 1
        document["credentialStatus"] = status_list_entry(
            list_url=self.status_url, index=index, purpose="revocation"
        )
        signed: dict[str, Any] = sign(document, self.key, created=SIGNED_AT)
        return signed

    def clr(self, email: str, credentials: list[dict[str, Any] | str]) -> dict[str, Any]:
        """A signed CLR 2.0 ClrCredential for the holder of `email`, wrapping `credentials`."""
        salt = secrets.token_hex(8)
        record = clr_credential(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            issuer=IssuerProfile(self.did, self.name, self.url),
            name=f"{self.name} learner record",
            subject=SubjectIdentity(email_hash=hash_email(email, salt), salt=salt),
            credentials=credentials,
            valid_from=SIGNED_AT,
        )
        signed: dict[str, Any] = sign(record, self.key, created=SIGNED_AT)
        return signed

    def jwt(self, document: dict[str, Any]) -> str:
        unsigned = {k: v for k, v in document.items() if k != "proof"}
        return jose.sign_jwt(unsigned, self.key, issued_at=SIGNED_AT)

    def revoke(self, document: dict[str, Any]) -> None:
        self.revoked.set(int(document["credentialStatus"]["statusListIndex"]))

    def publish(self, trusted: Path, *, listed: bool = True) -> None:
        """Its status list (signed as published), and when `listed` a trust-list entry naming
        it with its web site: what an operator puts in the trust directory."""
        trusted.mkdir(parents=True, exist_ok=True)
        status = status_list_credential(
            url=self.status_url,
            issuer_id=self.did,
            purpose="revocation",
            bits=self.revoked,
            valid_from=SIGNED_AT,
        )
        slug = "-".join(self.name.lower().split())
        (trusted / f"{slug}-status.json").write_text(
            json.dumps(sign(status, self.key, created=SIGNED_AT))
        )
        entry = trusted / f"{slug}.yaml"
        if listed:
            entry.write_text(f"- did: {self.did}\n  name: {self.name}\n  url: {self.url}\n")
        elif entry.exists():
            entry.unlink()


def png_badge(payload: str) -> bytes:
    picture = BytesIO()
    Image.new("RGB", (8, 8), "navy").save(picture, format="PNG")
    return bake_png(picture.getvalue(), payload)


def svg_badge(payload: str) -> bytes:
    return bake_svg(_SVG, payload).encode("utf-8")
