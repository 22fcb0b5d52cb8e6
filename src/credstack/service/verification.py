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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from credstack.domain.records import AwardStatus
from credstack.errors import InvalidInput, NotFound
from credstack.limits import MAX_URL_CHARS
from credstack.service import clock
from credstack.service.identity import issuer_did
from credstack.service.issuance import credential_url
from credstack.service.keys import IssuerKeys
from credstack.service.own_directory import OwnDirectories, OwnDirectory, read_own_directory
from credstack.service.own_status import (
    UNREAD,
    AwardStanding,
    CheckedStatusLists,
    award_standing,
    standing_of,
)
from credstack.service.pdf_verification import verify_pdf
from credstack.service.runtime import Runtime
from credstack.service.sharing import ShareLinks
from credstack.service.status import SignedStatusLists, signed_status_list
from credstack.service.trust_lists import TrustStore
from credstack.service.trusted_status import TrustedStatusLists
from credstack.service.verification_reads import OwnReads, read_together
from credstack.store.models import AwardRow
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from credstack.vc.checks import Check
from credstack.vc.ob2 import Ob2PublicKey
from credstack.vc.pdf_certificate import read_certificate
from credstack.vc.recipient import MAX_EMAIL_LENGTH, check_recipient
from credstack.vc.recognition import IssuerDirectory
from credstack.vc.resolve import DidResolver, KeyResolver, ResolvedKey
from credstack.vc.result import VerificationResult
from credstack.vc.status import FetchedStatusList
from credstack.vc.verify import REQUIRED_CHECKS, verify_credential

__all__ = [
    "NO_OWN_ISSUERS",
    "NoOwnIssuers",
    "OwnIssuers",
    "TrustStore",
    "Verifier",
    "checked_email",
    "installation_verifier",
    "report_json",
    "result_json",
    "uninstalled_verifier",
    "unusable",
    "verifier_for",
]

NOT_VERIFIED_LABEL = "Not verified — as written in the file"
UNRECOGNISED_LABEL = "Authentic, from an issuer this verifier does not recognise"
_PDF = b"%PDF"
_NO_TRUST = TrustStore()


class _Resolver:
    """Our issuers' keys from their DID documents as we serve them (``own``, None without an
    installation); everyone else's from did:key or the trust store."""

    def __init__(self, own: OwnDirectory | None, base_url: str, trust: TrustStore) -> None:
        self._own = own
        self._prefix = issuer_did(base_url, "_")[:-1]
        self._trusted = DidResolver(trust.controllers)

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        controller = verification_method.partition("#")[0]
        if self._own is not None and controller.startswith(self._prefix):
            # A did:key issuer of ours has no did:web document, so nothing signs as it there.
            return self._own.resolver.resolve(verification_method)
        return self._trusted.resolve(verification_method)


@dataclass(frozen=True)
class OwnIssuers:
    """An installation's own side of verifying: its issuers and awards (read through ``uow``),
    their keys (its status lists are signed as they are served), those lists as last signed,
    and its share links."""

    uow: UnitOfWork
    keys: IssuerKeys
    status_lists: SignedStatusLists
    share_links: ShareLinks | None = None
    directories: OwnDirectories | None = None
    """The runtime's cache of our issuers' directory; without it each verification builds it."""
    checked_lists: CheckedStatusLists | None = None
    """The runtime's cache of our status lists as checked; without it, the verifier's own."""
    trusted_lists: TrustedStatusLists | None = None
    """The runtime's cache of the trust directory's status lists as checked; without it each
    verification checks the list it reads."""


@dataclass(frozen=True)
class NoOwnIssuers:
    """No installation behind the verifier: it recognises no issuers of its own, so it needs
    no database, no keys and no master key (`NO_OWN_ISSUERS`)."""


NO_OWN_ISSUERS = NoOwnIssuers()


class Verifier:
    """Verifies what a person presents, against this installation's view of who is trusted.

    With `NO_OWN_ISSUERS` it is the verifier of someone who installed nothing: did:key and the
    trust directory only, no issuers of its own, no database and no files written.
    """

    def __init__(
        self,
        own: OwnIssuers | NoOwnIssuers,
        base_url: str,
        trust: TrustStore | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        self.own = own
        self.uow = own.uow if isinstance(own, OwnIssuers) else None
        """The installation's records; None only for `NO_OWN_ISSUERS`."""
        self.share_links = own.share_links if isinstance(own, OwnIssuers) else None
        self.base_url = base_url.rstrip("/")
        self.trust = trust or TrustStore()
        self.now = now
        self._own_directory: OwnDirectory | None = None
        self._reads: OwnReads | None = None
        """This verification's reads, made together (`service.verification_reads`)."""
        self._checked_lists: CheckedStatusLists | None = None
        if isinstance(own, OwnIssuers):
            given = own.checked_lists
            self._checked_lists = CheckedStatusLists() if given is None else given
        self.hosted: Callable[[str], Mapping[str, Any] | None] | None = None
        """Fetches OB 2.0 hosted documents the trust directory lacks: set for imports only
        (`service.hosted_assertions`); the public verifier fetches nothing."""

    # -- what the verifier asks for -----------------------------------------------------------

    def _refresh(self) -> OwnDirectory | None:
        """Our issuers as the database holds them now; read once per verification, so a verifier
        kept across verifications sees an issuer added or a key created or retired meanwhile."""
        own = self.own
        if not isinstance(own, OwnIssuers):
            return None
        reads = self._reads
        if own.directories is None:
            self._own_directory = read_own_directory(own.uow, self.base_url)
        elif reads is not None:
            self._own_directory = own.directories.of_rows(reads.rows, self.base_url)
        else:
            self._own_directory = own.directories.current(own.uow, self.base_url)
        return self._own_directory

    def _current(self) -> OwnDirectory | None:
        return self._own_directory if self._own_directory is not None else self._refresh()

    @property
    def resolver(self) -> KeyResolver:
        """Keys as of the last verification (or now, before the first)."""
        return _Resolver(self._current(), self.base_url, self.trust)

    @property
    def issuers(self) -> IssuerDirectory:
        """Whom this verifier recognises: our issuers first, then the trust directory's."""
        own = self._current()
        if own is None:
            return IssuerDirectory((), self.trust.directory)
        return own.directory(self.trust.directory)

    def _status_list(self, url: str) -> FetchedStatusList | None:
        prefix = f"{self.base_url}/status/"
        own = self.own
        if isinstance(own, OwnIssuers) and url.startswith(prefix):
            issuer_key, _, list_key = url.removeprefix(prefix).partition("/")
            return self._own_status_list(own, url, issuer_key, list_key)
        if isinstance(own, OwnIssuers) and own.trusted_lists is not None:
            # The same check `verify_credential` makes of a list it is given unchecked.
            return own.trusted_lists.fetch(
                self.trust,
                url,
                checked_by=self._current(),
                verify=lambda document: dataintegrity.verify(document, self.resolver),
            )
        trusted = self.trust.documents.get(url)
        return FetchedStatusList(trusted) if trusted is not None else None

    def _own_status_list(
        self, own: OwnIssuers, url: str, issuer_key: str, list_key: str
    ) -> FetchedStatusList | None:
        if self._checked_lists is None:  # pragma: no cover - set whenever `own` is
            return None
        directory = self._current()
        reads = self._reads
        ours = reads is not None and reads.list_key == (issuer_key, list_key)
        read = reads.list_row if reads is not None and ours else UNREAD
        try:
            return self._checked_lists.fetch(
                own.uow,
                url,
                issuer_key,
                list_key,
                read=read,
                checked_by=(directory,),
                sign=partial(
                    signed_status_list,
                    own.uow,
                    own.keys,
                    own.status_lists,
                    self.base_url,
                    issuer_key,
                    list_key,
                ),
                # We sign our lists with our issuers' keys: did:web ones resolve from our
                # directory, did:key ones from the key itself. The trust directory is not
                # asked, so the outcome depends on the directory alone (`checked_by`).
                verify=partial(
                    dataintegrity.verify,
                    resolver=_Resolver(directory, self.base_url, _NO_TRUST),
                ),
            )
        except NotFound:  # removed between reading its row and signing it
            return None

    def _ob2_document(self, url: str) -> Mapping[str, Any] | None:
        trusted = self.trust.documents.get(url)
        if trusted is None and self.hosted is not None:
            return self.hosted(url)
        return trusted

    def _ob2_key(self, url: str) -> Ob2PublicKey | None:
        return self.trust.ob2_keys.get(url)

    # -- entry points -------------------------------------------------------------------------

    def verify_bytes(self, data: bytes, *, email: str | None = None) -> VerificationResult:
        """A file's content: JSON, a compact JWT, a baked PNG or SVG, or a PDF certificate.

        With ``email``, also whether it was issued to the holder of that address.
        """
        address = checked_email(email) if email is not None else None
        result = self._verify_bytes(data)
        if address is None:
            return result
        return dataclasses.replace(result, recipient=check_recipient(result.credential, address))

    def _verify_bytes(self, data: bytes) -> VerificationResult:
        if data.startswith(_PDF):
            return self._verify_pdf(data)
        self._reads = self._read_together(data)
        try:
            self._refresh()
            result = verify_credential(
                data,
                resolver=self.resolver,
                status_lists=self._status_list,
                now=self.now or clock.now(),
                ob2_fetch=self._ob2_document,
                ob2_keys=self._ob2_key,
                issuers=self.issuers,
            )
            return self._with_suspension(result)
        finally:
            self._reads = None

    def _read_together(self, data: bytes) -> OwnReads | None:
        """Our issuers' rows, and the list and award the credential names if they are ours,
        in one statement. Only a JSON credential is looked into here (a JWT or an image is
        read as before); what it says only chooses what is read."""
        own = self.own
        if not isinstance(own, OwnIssuers) or own.directories is None or data[:1] != b"{":
            return None
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(document, dict):
            return None
        return read_together(own.uow, self._own_list(document), self._own_award(document))

    def _own_list(self, document: Mapping[str, Any]) -> tuple[str, str] | None:
        """The (issuer key, list key) of the first status list the credential names, if ours."""
        status = document.get("credentialStatus")
        entry = status[0] if isinstance(status, list) and status else status
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        prefix = f"{self.base_url}/status/"
        if not isinstance(url, str) or not url.startswith(prefix) or len(url) > MAX_URL_CHARS:
            return None
        issuer_key, _, list_key = url.removeprefix(prefix).partition("/")
        return issuer_key, list_key

    def _own_award(self, document: Mapping[str, Any]) -> str | None:
        """The public id of the award the credential's id names, if it is one of ours."""
        credential_id = document.get("id")
        if not isinstance(credential_id, str) or len(credential_id) > MAX_URL_CHARS:
            return None
        # Our credentials' ids are `credential_url`s (issuance sets them); any other id, even
        # another of our URLs for the same award, is not one of our credentials.
        public_id = credential_id.removeprefix(credential_url(self.base_url, ""))
        return public_id if public_id != credential_id and public_id else None

    def verify_url(self, url: str, *, email: str | None = None) -> VerificationResult:
        """One of our own URLs (credential, share link, verification page) or a trusted one."""
        award = self.award_for_url(url)
        if award is not None:
            return self.verify_award(award, email=email)
        trusted = self.trust.documents.get(url)
        if trusted is not None:
            return self.verify_bytes(json.dumps(trusted).encode("utf-8"), email=email)
        raise InvalidInput(
            f"{url} is not fetched: credstack follows only its own URLs ({self.base_url}) "
            "and documents in its trust directory"
        )

    def verify_award(self, award: AwardRow, *, email: str | None = None) -> VerificationResult:
        if award.credential is None:
            raise InvalidInput(f"credential {award.public_id} has not been issued (not signed)")
        return self.verify_bytes(json.dumps(award.credential).encode("utf-8"), email=email)

    def award_for_url(self, url: str) -> AwardRow | None:
        """The award one of our own URLs points at; None for anyone else's URL."""
        if len(url) > MAX_URL_CHARS:
            return None
        try:
            parts = urlsplit(url.strip())
        except ValueError:  # e.g. "http://[x": not a URL, so not one of ours
            return None
        own = urlsplit(self.base_url)
        if self.uow is None or (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
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
        """The credential inside the certificate, or the one it links to: see pdf_verification."""
        result = verify_pdf(self, data)
        if result is not None:
            return result
        urls = read_certificate(data).urls
        found = f" (it names {urls[0]})" if urls else ""
        return unusable(
            "The PDF neither carries a signed credential nor leads to a credential issued here"
            f"{found}; verify the credential file itself.",
            "pdf",
        )

    def _standing(self, public_id: str) -> AwardStanding | None:
        reads = self._reads
        if reads is not None and reads.public_id == public_id:
            return standing_of(reads.award_row)
        assert self.uow is not None  # pragma: no cover - only asked with our own issuers
        return award_standing(self.uow, public_id)

    def _with_suspension(self, result: VerificationResult) -> VerificationResult:
        """Our credentials carry one status entry (the schema allows one); suspension is ours.

        A revoked credential of ours also carries the issuer's published reason.
        """
        credential_id = result.credential.get("id") if result.credential is not None else None
        if self.uow is None or not isinstance(credential_id, str) or result.impersonation:
            return result
        public_id = self._own_award(result.credential or {})
        if public_id is None:
            return result
        award = self._standing(public_id)
        if award is None or not award.issued:
            return result
        own = self._current()
        identity = own.identities.get(award.issuer_id) if own is not None else None
        signer = result.recognition.signer if result.recognition is not None else None
        if identity is None or signer != identity:
            return result  # someone else's document reusing our id: our records say nothing
        if award.suspended:
            when = award.changed_at
            on = f" on {when.date().isoformat()}" if when is not None else ""
            check = Check("suspension", False, f"The credential was suspended{on}.")
        else:
            check = Check("suspension", True, "The issuer has not suspended the credential.")
        reason = award.reason if award.status == AwardStatus.REVOKED else None
        notes = (f"The issuer's reason for revoking it: {reason}",) if reason else ()
        return dataclasses.replace(
            result,
            checks=(*result.checks, check),
            notes=(*result.notes, *notes),
            revocation_reason=reason,
        )


def checked_email(text: str) -> str:
    """An e-mail address a verifier typed, or a clear error (it is only ever hashed)."""
    address = text.strip()
    if not address:
        raise InvalidInput("the e-mail address is empty")
    if len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput(f"an e-mail address has at most {MAX_EMAIL_LENGTH} characters")
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise InvalidInput(f"{address!r} is not an e-mail address")
    return address


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
        "revocation_reason": result.revocation_reason,
        "recognised": result.recognised,
        "recognition": result.recognition.as_json() if result.recognition else None,
        "recipient": result.recipient.as_json() if result.recipient else None,
        "holder_unconfirmed": result.holder_unconfirmed,
        "summary": None,
    }
    if summary is not None:
        label = _summary_label(result)
        out["summary"] = {
            "verified": result.verified,
            "label": label,
            "text": summary.text if result.recognised else f"{label}: {summary.text}",
            "achievement": summary.achievement_name,
            "kind": summary.kind_words,
            "achievement_type": summary.achievement_type,
            "issuer": summary.issuer_name,
            "issuer_id": summary.issuer_id,
            "issuer_claimed_name": summary.issuer_claimed_name,
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


def report_json(result: VerificationResult) -> bytes:
    """`result_json` as UTF-8 JSON, rendered once where the result is made (a verification
    worker): the server process passes the bytes on, with no result to pickle back and no
    model to validate and serialise again."""
    report = result_json(result)
    try:
        return orjson.dumps(report)
    except orjson.JSONEncodeError:  # a lone surrogate ("\\ud800") that a credential carried
        return json.dumps(report).encode("ascii")


def _summary_label(result: VerificationResult) -> str:
    """How far the content may be taken at its word; said before the content itself."""
    if result.recognised:
        return "Verified"
    return UNRECOGNISED_LABEL if result.verified else NOT_VERIFIED_LABEL


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def verifier_for(runtime: Runtime, uow: UnitOfWork, *, now: datetime | None = None) -> Verifier:
    """The installation's verifier: its own issuers, keys and share links, its trust directory
    (the settings' `trust_directory`), with the runtime's caches of both."""
    own = OwnIssuers(
        uow,
        runtime.keys(uow),
        runtime.caches.status_lists,
        ShareLinks(runtime.master),
        runtime.caches.own_issuers,
        runtime.caches.checked_status_lists,
        runtime.caches.trusted_status_lists,
    )
    trust = runtime.caches.trust.load(runtime.settings.trust_directory)
    return Verifier(own, runtime.settings.base_url, trust, now=now)


def uninstalled_verifier(base_url: str, trust_dir: Path) -> Verifier:
    """The verifier of someone who installed nothing: the trust directory, read once for the
    one command, and did:key; it opens no database and writes no file."""
    return Verifier(NO_OWN_ISSUERS, base_url, TrustStore.read(trust_dir))


@contextmanager
def installation_verifier(runtime: Runtime) -> Iterator[Verifier]:
    """The installation's verifier for a local command, reading its records in one read-only
    unit of work for as long as the command verifies (verifying never writes)."""
    with runtime.uow(write=False) as uow:
        yield verifier_for(runtime, uow)
