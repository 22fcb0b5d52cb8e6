"""Verifying Open Badges 2.0 assertions, hosted or signed, as far as can be done offline.

Nothing here touches the network: hosted documents come through a fetcher the caller
supplies (and restricts), signing keys through a key lookup. Whatever could not be checked
is reported as a failed check with a plain reason, so an OB 2.0 assertion is never
"verified" on the strength of checks that did not run.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credstack.vc.checks import Check, StatusFound
from credstack.vc.result import VerificationResult
from credstack.vc.vocabulary import parse_datetime

__all__ = [
    "OB2_CONTEXT",
    "Ob2Fetcher",
    "Ob2KeyLookup",
    "Ob2PublicKey",
    "is_ob2_assertion",
    "verify_ob2",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_REQUIRED = frozenset({"parse", "structure", "signature", "issuer", "validity", "status"})
_MAX_REASON = 200
"""Characters of an issuer's revocation reason shown: a sentence, not a document."""

# Returns the JSON document published at a URL, or None when the caller will not or cannot
# serve it. The caller owns the allow-list; this module never opens a connection.
Ob2Fetcher = Callable[[str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Ob2PublicKey:
    """An OB 2.0 ``CryptographicKey``: the public key and the issuer profile that owns it."""

    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    owner: str


Ob2KeyLookup = Callable[[str], Ob2PublicKey | None]


def is_ob2_assertion(document: Mapping[str, Any]) -> bool:
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return OB2_CONTEXT in contexts or document.get("type") == "Assertion"


def verify_ob2(
    payload: str,
    *,
    now: datetime,
    fetch: Ob2Fetcher | None = None,
    key_lookup: Ob2KeyLookup | None = None,
    source_format: str = "json",
) -> VerificationResult:
    text = payload.strip()
    if text.startswith("{"):
        return _verify_hosted(text, now, fetch, source_format)
    return _verify_signed(text, now, fetch, key_lookup, source_format)


def _result(
    checks: list[Check], assertion: Mapping[str, Any] | None, fmt: str, notes: list[str]
) -> VerificationResult:
    return VerificationResult(
        checks=tuple(checks),
        required=_REQUIRED,
        credential=assertion,
        summary=None,
        source_format=fmt,
        notes=tuple(notes),
    )


def _verify_hosted(
    text: str, now: datetime, fetch: Ob2Fetcher | None, fmt: str
) -> VerificationResult:
    notes: list[str] = []
    try:
        assertion = json.loads(text)
    except json.JSONDecodeError:
        return _result([Check("parse", False, "The assertion is not valid JSON.")], None, fmt, [])
    if not isinstance(assertion, dict):
        return _result(
            [Check("parse", False, "The assertion is not a JSON object.")], None, fmt, []
        )
    checks = [Check("parse", True, "The Open Badges 2.0 assertion was read.")]
    checks.append(_structure(assertion))
    verification = assertion.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if kind not in ("hosted", "HostedBadge"):
        checks.append(
            Check(
                "signature",
                False,
                "The assertion is neither hosted nor signed, so it cannot be verified.",
            )
        )
        return _result(checks, assertion, fmt, notes)
    assertion_id = assertion.get("id")
    hosted = fetch(assertion_id) if fetch is not None and isinstance(assertion_id, str) else None
    if hosted is None:
        checks.append(
            Check(
                "signature",
                False,
                "The hosted copy of the assertion could not be retrieved, so it could not be "
                "confirmed that the issuer still publishes it.",
            )
        )
    elif hosted.get("revoked") is True:
        # OB 2.0 revokes a hosted assertion by hosting it (or a stub of it: id, revoked and a
        # reason) marked revoked, with 410 Gone: revoked, not a different assertion. That is
        # the status check's to say (`_revocation`), as for one on a revocation list.
        checks.append(_revoked_copy(hosted, assertion))
    elif dict(hosted) != assertion:
        checks.append(
            Check("signature", False, "The assertion differs from the copy its issuer hosts.")
        )
    else:
        checks.append(Check("signature", True, "The assertion matches the copy its issuer hosts."))
    issuer = _issuer_profile(assertion, fetch)
    checks.append(_hosted_origin(assertion, issuer))
    checks.append(_validity(assertion, now))
    revoked = hosted if hosted is not None and hosted.get("revoked") is True else assertion
    checks.append(_revocation(revoked, issuer, fetch, notes))
    return _result(checks, assertion, fmt, notes)


def _verify_signed(
    token: str,
    now: datetime,
    fetch: Ob2Fetcher | None,
    key_lookup: Ob2KeyLookup | None,
    fmt: str,
) -> VerificationResult:
    notes: list[str] = []
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError
        header = json.loads(_b64url(parts[0]))
        assertion = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (ValueError, binascii.Error):
        return _result(
            [Check("parse", False, "The input is neither JSON nor a compact JWS.")], None, fmt, []
        )
    if not isinstance(header, dict) or not isinstance(assertion, dict):
        return _result(
            [Check("parse", False, "The JWS does not carry a JSON assertion.")], None, fmt, []
        )
    checks = [Check("parse", True, "The signed Open Badges 2.0 assertion was read.")]
    checks.append(_structure(assertion))
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    key = key_lookup(creator) if key_lookup is not None and isinstance(creator, str) else None
    issuer = _issuer_profile(assertion, fetch)
    issuer_id = _issuer_id(assertion, issuer)
    if key is None:
        checks.append(
            Check(
                "signature",
                False,
                f"The signing key {creator!r} could not be found, so the "
                "signature could not be checked.",
            )
        )
        checks.append(Check("issuer", False, "The issuer's signing key is not known."))
    else:
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        checks.append(_signature(header.get("alg"), key, signed, signature))
        if issuer_id is not None and key.owner == issuer_id:
            checks.append(Check("issuer", True, "The signing key belongs to the issuer."))
        else:
            checks.append(
                Check("issuer", False, "The signing key does not belong to the badge's issuer.")
            )
    checks.append(_validity(assertion, now))
    checks.append(_revocation(assertion, issuer, fetch, notes))
    return _result(checks, assertion, fmt, notes)


def _signature(alg: object, key: Ob2PublicKey, signed: bytes, signature: bytes) -> Check:
    try:
        if alg == "RS256" and isinstance(key.key, rsa.RSAPublicKey):
            key.key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256" and isinstance(key.key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                raise InvalidSignature
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
        else:
            return Check(
                "signature",
                False,
                f"The signature algorithm {alg!r} is not supported with this key.",
            )
    except InvalidSignature:
        return Check(
            "signature",
            False,
            "The signature is invalid: the assertion was changed after it was signed.",
        )
    return Check("signature", True, "The signature is valid.")


def _structure(assertion: Mapping[str, Any]) -> Check:
    missing = [
        name
        for name in ("id", "recipient", "badge", "verification", "issuedOn")
        if name not in assertion
    ]
    if assertion.get("type") != "Assertion":
        return Check("structure", False, "The document is not an Open Badges 2.0 Assertion.")
    if missing:
        return Check("structure", False, f"The assertion lacks {', '.join(missing)}.")
    recipient = assertion.get("recipient")
    if not isinstance(recipient, Mapping) or not {"type", "identity"} <= recipient.keys():
        return Check("structure", False, "The assertion's recipient is incomplete.")
    return Check("structure", True, "The assertion has the structure Open Badges 2.0 requires.")


def _issuer_profile(
    assertion: Mapping[str, Any], fetch: Ob2Fetcher | None
) -> Mapping[str, Any] | None:
    badge = assertion.get("badge")
    if isinstance(badge, str):
        badge = fetch(badge) if fetch is not None else None
    if not isinstance(badge, Mapping):
        return None
    issuer = badge.get("issuer")
    if isinstance(issuer, str):
        issuer = fetch(issuer) if fetch is not None else None
    return issuer if isinstance(issuer, Mapping) else None


def _issuer_id(assertion: Mapping[str, Any], issuer: Mapping[str, Any] | None) -> str | None:
    if issuer is not None and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    badge = assertion.get("badge")
    if isinstance(badge, Mapping) and isinstance(badge.get("issuer"), str):
        return str(badge["issuer"])
    return None


def _hosted_origin(assertion: Mapping[str, Any], issuer: Mapping[str, Any] | None) -> Check:
    """The assertion must live on its issuer's host, or on one the issuer's profile allows.

    Only the profile's ``allowedOrigins`` count: an assertion cannot widen its own policy.
    """
    if issuer is None:
        return Check(
            "issuer",
            False,
            "The issuer's profile could not be retrieved, so the assertion's "
            "host could not be matched to the issuer.",
        )
    host = urlsplit(str(assertion.get("id", ""))).hostname
    issuer_host = urlsplit(str(issuer.get("id", ""))).hostname
    allowed = {issuer_host}
    policy = issuer.get("verification")
    if isinstance(policy, Mapping):
        origins = policy.get("allowedOrigins")
        allowed.update(origins if isinstance(origins, list) else [origins])
    if host is not None and host in allowed:
        return Check("issuer", True, f"The assertion is hosted on the issuer's domain ({host}).")
    return Check(
        "issuer",
        False,
        f"The assertion is hosted on {host}, which is not an allowed domain of the issuer.",
    )


def _validity(assertion: Mapping[str, Any], now: datetime) -> Check:
    issued = parse_datetime(assertion.get("issuedOn"))
    expires = parse_datetime(assertion.get("expires"))
    if issued is None:
        return Check("validity", False, "The assertion's issue date is missing or unreadable.")
    if issued > now:
        return Check("validity", False, f"The assertion is not valid until {issued.date()}.")
    if expires is not None and expires < now:
        return Check("validity", False, f"The assertion expired on {expires.date()}.")
    return Check("validity", True, "The assertion is within its validity period.")


def _revocation(
    assertion: Mapping[str, Any],
    issuer: Mapping[str, Any] | None,
    fetch: Ob2Fetcher | None,
    notes: list[str],
) -> Check:
    if assertion.get("revoked") is True:
        return Check("status", False, _revoked(assertion), StatusFound.REVOKED)
    list_url = issuer.get("revocationList") if issuer is not None else None
    if not isinstance(list_url, str):
        return Check("status", True, "The issuer publishes no revocation list for it.")
    revocations = fetch(list_url) if fetch is not None else None
    if revocations is None:
        notes.append("The issuer's revocation list could not be retrieved.")
        return Check("status", False, "The issuer's revocation list could not be retrieved.")
    for entry in revocations.get("revokedAssertions", []) or []:
        entry_id = entry.get("id") if isinstance(entry, Mapping) else entry
        if entry_id == assertion.get("id"):
            return Check(
                "status",
                False,
                "The assertion is on its issuer's revocation list.",
                StatusFound.REVOKED,
            )
    return Check("status", True, "The assertion is not on its issuer's revocation list.")


_REVOCATION_FIELDS = frozenset({"revoked", "revocationReason"})


def _revoked_copy(hosted: Mapping[str, Any], assertion: Mapping[str, Any]) -> Check:
    """The signature check against a hosted copy marked revoked: the whole assertion, or a
    stub naming only its id (which the issuer's own URL answered for)."""
    kept = {k: v for k, v in hosted.items() if k not in _REVOCATION_FIELDS}
    if kept == {k: v for k, v in assertion.items() if k not in _REVOCATION_FIELDS}:
        return Check("signature", True, "The assertion matches the copy its issuer hosts.")
    if kept.keys() <= {"@context", "type", "id"}:
        return Check("signature", True, "The issuer hosts the assertion, marked revoked.")
    return Check("signature", False, "The assertion differs from the copy its issuer hosts.")


def _revoked(assertion: Mapping[str, Any]) -> str:
    """That the issuer revoked it, with the issuer's reason (one line, bounded) if it gave one."""
    reason = assertion.get("revocationReason")
    shown = " ".join(reason.split())[:_MAX_REASON] if isinstance(reason, str) else ""
    return f"The assertion was revoked{f' ({shown})' if shown else ''}."


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
