"""Verifying credentials for whoever presents one: files, images, PDFs and our own URLs.

The pure verifier in ``vc.verify`` never reaches the network; this module supplies what it
asks for, from places credstack already trusts:

- keys: did:key locally; our own issuers' did:web documents straight from the database; any
  other DID only from the trust directory (JSON files an operator put there on purpose);
- status lists: our own from the database (signed as they are served); others' only from the
  trust directory;
- Open Badges 2.0 hosted documents and keys: only from the trust directory.

A URL is followed only when it is this server's own (then it is answered from the database,
without HTTP) or when the trust directory holds the document published at it. Nothing a
credential says can make credstack fetch anything.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from credstack.errors import InvalidInput, NotFound
from credstack.service.identity import issuer_did, issuer_did_document
from credstack.service.keys import KeyStore
from credstack.service.sharing import ShareLinks
from credstack.service.status import is_suspended, signed_status_list, status_changes
from credstack.store.models import AwardRow
from credstack.store.uow import UnitOfWork
from credstack.vc.checks import Check
from credstack.vc.limits import MAX_URL_CHARS
from credstack.vc.ob2 import Ob2PublicKey
from credstack.vc.pdf_links import PdfUnreadable, pdf_urls
from credstack.vc.resolve import DidResolver, ResolvedKey
from credstack.vc.result import VerificationResult
from credstack.vc.status import FetchedStatusList
from credstack.vc.verify import REQUIRED_CHECKS, verify_credential

__all__ = [
    "TRUST_DIR_ENV",
    "TrustStore",
    "Verifier",
    "result_json",
    "trust_directory",
    "unusable",
    "verifier_for",
]

TRUST_DIR_ENV = "CREDSTACK_TRUST_DIR"
_PDF = b"%PDF"


def trust_directory(data_dir: Path) -> Path:
    """``$CREDSTACK_TRUST_DIR``, else ``<data dir>/trusted``."""
    configured = os.environ.get(TRUST_DIR_ENV)
    return Path(configured) if configured else data_dir / "trusted"


@dataclass(frozen=True)
class TrustStore:
    """Documents an operator chose to trust, read from a directory of JSON files.

    Each file holds one document, sorted by what it is: a DID or controller document (it
    lists verification methods), an OB 2.0 ``CryptographicKey`` (it has ``publicKeyPem``),
    or any other document published at its ``id`` URL (OB 2.0 assertions, BadgeClasses,
    issuer profiles and revocation lists, others' status list credentials).
    """

    controllers: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    documents: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    ob2_keys: Mapping[str, Ob2PublicKey] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path | None) -> TrustStore:
        controllers: dict[str, dict[str, Any]] = {}
        documents: dict[str, dict[str, Any]] = {}
        keys: dict[str, Ob2PublicKey] = {}
        if directory is None or not directory.is_dir():
            return cls()
        for path in sorted(directory.glob("*.json")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InvalidInput(f"trusted document {path}: not readable JSON ({exc})") from exc
            if not isinstance(document, dict) or not isinstance(document.get("id"), str):
                raise InvalidInput(f"trusted document {path}: a JSON object with an id is needed")
            ident = str(document["id"])
            if "verificationMethod" in document or "assertionMethod" in document:
                controllers[ident] = document
            elif isinstance(document.get("publicKeyPem"), str):
                keys[ident] = _ob2_key(path, document)
            else:
                documents[ident] = document
        return cls(controllers, documents, keys)


def _ob2_key(path: Path, document: Mapping[str, Any]) -> Ob2PublicKey:
    try:
        key = load_pem_public_key(str(document["publicKeyPem"]).encode("ascii"))
    except ValueError as exc:
        raise InvalidInput(f"trusted key {path}: publicKeyPem is not a PEM public key") from exc
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise InvalidInput(f"trusted key {path}: only RSA and EC keys sign OB 2.0 assertions")
    return Ob2PublicKey(key=key, owner=str(document.get("owner", "")))


class _Resolver:
    """Our issuers' keys from the database; everyone else's from did:key or the trust store."""

    def __init__(self, uow: UnitOfWork, base_url: str, trust: TrustStore) -> None:
        self._uow = uow
        self._prefix = issuer_did(base_url, "_")[:-1]
        self._base_url = base_url
        self._trusted = DidResolver(trust.controllers)

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        controller = verification_method.partition("#")[0]
        if controller.startswith(self._prefix):
            key = controller.removeprefix(self._prefix)
            if ":" in key or self._uow.issuers.by_key(key) is None:
                return None
            document = issuer_did_document(self._uow, self._base_url, key)
            return DidResolver({controller: document}).resolve(verification_method)
        return self._trusted.resolve(verification_method)


class Verifier:
    """Verifies what a person presents, against this installation's view of who is trusted."""

    def __init__(
        self,
        uow: UnitOfWork,
        keys: KeyStore,
        base_url: str,
        trust: TrustStore | None = None,
        *,
        share_links: ShareLinks | None = None,
        now: datetime | None = None,
    ) -> None:
        self.uow = uow
        self.share_links = share_links
        self.keys = keys
        self.base_url = base_url.rstrip("/")
        self.trust = trust or TrustStore()
        self.now = now
        self.resolver = _Resolver(uow, self.base_url, self.trust)

    # -- what the verifier asks for -----------------------------------------------------------

    def _status_list(self, url: str) -> FetchedStatusList | None:
        prefix = f"{self.base_url}/status/"
        if url.startswith(prefix):
            issuer_key, _, list_key = url.removeprefix(prefix).partition("/")
            try:
                signed, row = signed_status_list(
                    self.uow, self.keys, self.base_url, issuer_key, list_key
                )
            except NotFound:
                return None
            return FetchedStatusList(signed, status_changes(self.uow, row))
        trusted = self.trust.documents.get(url)
        return FetchedStatusList(trusted) if trusted is not None else None

    def _ob2_document(self, url: str) -> Mapping[str, Any] | None:
        return self.trust.documents.get(url)

    def _ob2_key(self, url: str) -> Ob2PublicKey | None:
        return self.trust.ob2_keys.get(url)

    # -- entry points -------------------------------------------------------------------------

    def verify_bytes(self, data: bytes) -> VerificationResult:
        """A file's content: JSON, a compact JWT, a baked PNG or SVG, or a PDF certificate."""
        if data.startswith(_PDF):
            return self._verify_pdf(data)
        result = verify_credential(
            data,
            resolver=self.resolver,
            status_lists=self._status_list,
            now=self.now or datetime.now(UTC),
            ob2_fetch=self._ob2_document,
            ob2_keys=self._ob2_key,
        )
        return self._with_suspension(result)

    def verify_url(self, url: str) -> VerificationResult:
        """One of our own URLs (credential, share link, verification page) or a trusted one."""
        award = self.award_for_url(url)
        if award is not None:
            return self.verify_award(award)
        trusted = self.trust.documents.get(url)
        if trusted is not None:
            return self.verify_bytes(json.dumps(trusted).encode("utf-8"))
        raise InvalidInput(
            f"{url} is not fetched: credstack follows only its own URLs ({self.base_url}) "
            "and documents in its trust directory"
        )

    def verify_award(self, award: AwardRow) -> VerificationResult:
        if award.credential is None:
            raise InvalidInput(f"credential {award.public_id} has not been issued (not signed)")
        return self.verify_bytes(json.dumps(award.credential).encode("utf-8"))

    def award_for_url(self, url: str) -> AwardRow | None:
        """The award one of our own URLs points at; None for anyone else's URL."""
        if len(url) > MAX_URL_CHARS:
            return None
        try:
            parts = urlsplit(url.strip())
        except ValueError:  # e.g. "http://[x": not a URL, so not one of ours
            return None
        own = urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            return None
        path = parts.path.removeprefix(own.path.rstrip("/"))
        segments = [s for s in path.split("/") if s]
        if segments[:1] == ["credentials"] and len(segments) >= 2:
            public_id = segments[1].split(".", 1)[0]
            return self.uow.awards.by_public_id(public_id)
        if segments[:1] == ["share"] and len(segments) == 2 and self.share_links is not None:
            return self.share_links.award_for(self.uow, segments[1])
        if segments == ["verify"]:
            wanted = parse_qs(parts.query).get("credential", [])
            return self.uow.awards.by_public_id(wanted[0]) if wanted else None
        return None

    def _verify_pdf(self, data: bytes) -> VerificationResult:
        """A certificate is a pointer: verify the credential its verification URL names."""
        try:
            urls = pdf_urls(data)
        except PdfUnreadable as exc:
            raise InvalidInput(str(exc)) from exc
        for url in urls:
            award = self.award_for_url(url)
            if award is not None and award.credential is not None:
                result = self.verify_award(award)
                return dataclasses.replace(result, source_format="pdf")
        found = f" (it names {urls[0]})" if urls else ""
        return unusable(
            "The PDF does not lead to a credential issued here"
            f"{found}; verify the credential file itself.",
            "pdf",
        )

    def _with_suspension(self, result: VerificationResult) -> VerificationResult:
        """Our credentials carry one status entry (the schema allows one); suspension is ours."""
        credential_id = result.credential.get("id") if result.credential is not None else None
        if not isinstance(credential_id, str):
            return result
        award = self.award_for_url(credential_id)
        if award is None or award.credential is None:
            return result
        if award.credential.get("id") != credential_id:  # pragma: no cover - ids are unique
            return result
        if is_suspended(self.uow, award):
            when = award.status_changed_at
            on = f" on {when.date().isoformat()}" if when is not None else ""
            check = Check("suspension", False, f"The credential was suspended{on}.")
        else:
            check = Check("suspension", True, "The issuer has not suspended the credential.")
        return dataclasses.replace(result, checks=(*result.checks, check))


def unusable(message: str, source_format: str) -> VerificationResult:
    return VerificationResult(
        checks=(Check("parse", False, message),),
        required=REQUIRED_CHECKS,
        source_format=source_format,
    )


def result_json(result: VerificationResult) -> dict[str, Any]:
    """The verification report as JSON; ``verified`` is computed, never defaulted."""
    summary = result.summary
    credential = result.credential or {}
    out: dict[str, Any] = {
        "verified": result.verified,
        "headline": result.headline,
        "format": result.source_format,
        "credential_id": credential.get("id") if isinstance(credential.get("id"), str) else None,
        "checks": [
            {"name": c.name, "passed": c.passed, "message": c.message} for c in result.checks
        ],
        "notes": list(result.notes),
        "summary": None,
    }
    if summary is not None:
        out["summary"] = {
            "text": summary.text,
            "achievement": summary.achievement_name,
            "kind": summary.kind_words,
            "achievement_type": summary.achievement_type,
            "issuer": summary.issuer_name,
            "issuer_id": summary.issuer_id,
            "subject": summary.subject,
            "competencies": list(summary.competencies),
            "route": summary.route,
            "proctored": summary.proctored,
            "identity_verified": summary.identity_verified,
            "cut_score": summary.cut_score,
            "credits": summary.credits,
            "ce_hours": summary.ce_hours,
            "valid_from": _iso(summary.valid_from),
            "valid_until": _iso(summary.valid_until),
            "counted_credentials": list(summary.counted_credentials),
        }
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def verifier_for(
    uow: UnitOfWork,
    keys: KeyStore,
    *,
    base_url: str,
    data_dir: Path,
    share_links: ShareLinks,
    now: datetime | None = None,
) -> Verifier:
    """The installation's verifier: its own issuers, its trust directory, its share links."""
    trust = TrustStore.load(trust_directory(data_dir))
    return Verifier(uow, keys, base_url, trust, share_links=share_links, now=now)
