"""The verifier: bytes in (JSON, compact JWT, baked PNG or SVG), a plain-words report out.

Each step adds a ``Check``; the result is verified only when every required check ran and
passed (see ``VerificationResult.verified``), so nothing is "valid" by default. Key
resolution, status lists and OB 2.0 documents come from callbacks the caller supplies;
this module never reaches the network.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credstack.limits import MAX_BASE58_CHARS, MAX_CONTEXTS, MAX_PROOFS
from credstack.vc import dataintegrity, jose
from credstack.vc.baking import BakingError, extract_png, extract_svg
from credstack.vc.checks import Check
from credstack.vc.clr import clr_structure_check, embedded_credentials
from credstack.vc.jsonld import CONTEXT_FILES
from credstack.vc.ob2 import Ob2Fetcher, Ob2KeyLookup, is_ob2_assertion, verify_ob2
from credstack.vc.recognition import IssuerDirectory, recognise
from credstack.vc.resolve import KeyResolver
from credstack.vc.result import VerificationResult
from credstack.vc.safejson import InputRefused
from credstack.vc.safejson import loads as bounded_loads
from credstack.vc.schema import schema_check
from credstack.vc.status import StatusListFetcher, check_status
from credstack.vc.summary import summarize
from credstack.vc.vocabulary import CLR_CONTEXT, OB3_CONTEXT_PATTERN, VC2_CONTEXT, parse_datetime

__all__ = ["REQUIRED_CHECKS", "verify_credential"]

REQUIRED_CHECKS = frozenset(
    {"parse", "context", "type", "schema", "signature", "issuer", "validity", "status"}
)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S")
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_OB_TYPES = ("OpenBadgeCredential", "AchievementCredential", "EndorsementCredential")
_CLR_TYPE = "ClrCredential"


@dataclass(frozen=True)
class _Payload:
    text: str
    source_format: str
    ob2: bool = False


def verify_credential(
    data: bytes | str,
    *,
    resolver: KeyResolver,
    status_lists: StatusListFetcher | None = None,
    now: datetime | None = None,
    ob2_fetch: Ob2Fetcher | None = None,
    ob2_keys: Ob2KeyLookup | None = None,
    issuers: IssuerDirectory | None = None,
) -> VerificationResult:
    """Verify one credential, whatever form it arrived in, and recognise who signed it.

    ``issuers`` is whom the caller recognises; without it every issuer is unrecognised.
    Input past a bound in ``credstack.limits`` raises ``InputRefused`` before any
    expensive step: it is not a credential anyone issued, and saying so costs nothing.
    """
    moment = now or datetime.now(UTC)
    context = _Context(resolver, status_lists, moment, ob2_fetch, ob2_keys, issuers)
    try:
        payload = _payload(data)
    except BakingError as exc:
        return _failed_parse(str(exc), "image")
    except UnicodeDecodeError:
        return _failed_parse("The file is neither text nor a PNG image.", "unknown")
    if payload.ob2:
        _check_bounds(payload.text)
        return _ob2(payload.text, payload.source_format, context)
    if _JWS.match(payload.text):
        return _verify_jwt(payload, context)
    try:
        document = bounded_loads(payload.text)
    except json.JSONDecodeError:
        return _failed_parse(
            "The input is not JSON, a compact JWT, or a badge image.", payload.source_format
        )
    if not isinstance(document, dict):
        return _failed_parse("The JSON is not a credential object.", payload.source_format)
    if is_ob2_assertion(document):
        return _ob2(payload.text, "json", context)
    refuse_hostile(document)
    parsed = Check("parse", True, "The credential was read as JSON.")
    if _context_check(document, _as_list(document.get("type"))).passed:
        signature = dataintegrity.verify(document, resolver)
    else:
        # Without known contexts the signed statements are undefined; JSON-LD processing of
        # them is where hostile contexts cost time, so it is not attempted.
        signature = Check(
            "signature",
            False,
            "The signature was not checked: the credential's JSON-LD contexts are not all known.",
        )
    methods = _proof_methods(document)
    checks = [parsed, *_document_checks(document, signature, context, methods)]
    return _result(checks, document, payload.source_format, context, methods)


@dataclass(frozen=True)
class _Context:
    resolver: KeyResolver
    status_lists: StatusListFetcher | None
    now: datetime
    ob2_fetch: Ob2Fetcher | None
    ob2_keys: Ob2KeyLookup | None
    issuers: IssuerDirectory | None


def _ob2(text: str, fmt: str, context: _Context) -> VerificationResult:
    """An OB 2.0 issuer is identified by its profile URL (its BadgeClass names it)."""
    result = verify_ob2(
        text,
        now=context.now,
        fetch=context.ob2_fetch,
        key_lookup=context.ob2_keys,
        source_format=fmt,
    )
    badge = result.credential.get("badge") if result.credential is not None else None
    if isinstance(badge, str) and context.ob2_fetch is not None:
        badge = context.ob2_fetch(badge)
    issuer = badge.get("issuer") if isinstance(badge, Mapping) else None
    if isinstance(issuer, str) and context.ob2_fetch is not None:
        issuer = context.ob2_fetch(issuer) or issuer
    profile = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    signer = profile.get("id") if isinstance(profile.get("id"), str) else None
    return dataclasses.replace(result, recognition=recognise(profile, signer, context.issuers))


def _check_bounds(text: str) -> None:
    # Only the bounds matter here; the OB 2.0 verifier reports malformed JSON in its words.
    with contextlib.suppress(json.JSONDecodeError):
        bounded_loads(text)


def refuse_hostile(document: Mapping[str, Any]) -> None:
    """Raise InputRefused for shapes no issuer writes and that only cost the verifier time."""
    contexts = document.get("@context")
    entries = contexts if isinstance(contexts, list) else [contexts]
    if len(entries) > MAX_CONTEXTS:
        raise InputRefused(
            f"The credential lists {len(entries)} JSON-LD contexts; at most {MAX_CONTEXTS} "
            "are accepted."
        )
    named = [c for c in entries if isinstance(c, str)]
    if len(set(named)) != len(named):
        raise InputRefused("The credential lists the same JSON-LD context more than once.")
    if any(not _SCHEME.match(c) for c in named):
        raise InputRefused("The credential's @context must name JSON-LD context URLs.")
    proofs = document.get("proof")
    proof_list = proofs if isinstance(proofs, list) else [proofs]
    if len(proof_list) > MAX_PROOFS:
        raise InputRefused(f"The credential has more than {MAX_PROOFS} proofs.")
    for proof in proof_list:
        value = proof.get("proofValue") if isinstance(proof, dict) else None
        if isinstance(value, str) and len(value) > MAX_BASE58_CHARS:
            raise InputRefused(
                f"A proofValue is {len(value)} characters long; an Ed25519 signature needs "
                f"about 88 and at most {MAX_BASE58_CHARS} are accepted."
            )


def _payload(data: bytes | str) -> _Payload:
    if isinstance(data, bytes) and data.startswith(_PNG_SIGNATURE):
        baked = extract_png(data)
        return _Payload(baked.payload, "png", baked.version == "ob2")
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff").strip()
    if text.startswith("<"):
        baked = extract_svg(text)
        return _Payload(baked.payload, "svg", baked.version == "ob2")
    return _Payload(text, "jwt" if _JWS.match(text) else "json")


def _verify_jwt(payload: _Payload, context: _Context) -> VerificationResult:
    header, claims = _unverified_jwt(payload.text)
    if header is None or claims is None:
        return _failed_parse("The JWT could not be decoded.", payload.source_format)
    if is_ob2_assertion(claims):
        return _ob2(payload.text, payload.source_format, context)
    wrapped = claims.get("vc")
    # OB 3.0 JWTs (VC 1.1 style) wrap the credential in "vc"; VC-JOSE-COSE signs it directly.
    document: dict[str, Any] = wrapped if isinstance(wrapped, dict) else claims
    refuse_hostile(document)
    parsed = Check("parse", True, "The credential was read from a compact JWT.")
    _verified, jws_check = jose.verify_jwt(payload.text, context.resolver)
    signature = Check("signature", jws_check.passed, jws_check.message)
    kid = header.get("kid")
    methods = [kid] if isinstance(kid, str) else []
    checks = [
        _jwt_validity(claims, context.now) if check.name == "validity" and check.passed else check
        for check in _document_checks(document, signature, context, methods)
    ]
    return _result([parsed, *checks], document, payload.source_format, context, methods)


def _jwt_validity(claims: Mapping[str, Any], now: datetime) -> Check:
    """The token's own `exp` and `nbf` bind as the credential's dates do (RFC 7519 §4.1.4-5):
    a token past `exp` is refused even when the credential inside names no expiry."""
    for claim in ("exp", "nbf"):
        value = claims.get(claim)
        if value is None:
            continue
        moment = _numeric_date(value)
        if moment is None:
            return Check("validity", False, f"The JWT's {claim} claim is not a date.")
        if claim == "exp" and moment < now:
            return Check("validity", False, f"The JWT expired on {moment.date().isoformat()}.")
        if claim == "nbf" and moment > now:
            return Check(
                "validity", False, f"The JWT is not valid until {moment.date().isoformat()}."
            )
    return Check("validity", True, "The credential is within its validity period.")


def _numeric_date(value: object) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _unverified_jwt(token: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Decode without verifying, only to run the structural checks; jose does the signature."""
    try:
        head, body, _sig = token.split(".")
        header = bounded_loads(_b64url(head).decode("utf-8"))
        claims = bounded_loads(_b64url(body).decode("utf-8"))
    except (ValueError, binascii.Error):
        return None, None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None, None
    return header, claims


def _document_checks(
    document: Mapping[str, Any], signature: Check, context: _Context, methods: list[str]
) -> list[Check]:
    resolver, status_lists, now = context.resolver, context.status_lists, context.now
    types = _as_list(document.get("type"))
    checks = [_context_check(document, types), _type_check(types)]
    if _CLR_TYPE in types:
        checks.append(clr_structure_check(document))
    else:
        checks.append(schema_check(document))
    checks.append(signature)
    checks.append(_issuer_check(document, resolver, methods))
    checks.append(_validity_check(document, now))
    checks.append(
        check_status(
            document,
            status_lists,
            now=now,
            verify_list=lambda status_list: dataintegrity.verify(status_list, resolver),
        )
    )
    if _CLR_TYPE in types:
        checks.append(_embedded_check(document, context))
    return checks


def _context_check(document: Mapping[str, Any], types: list[Any]) -> Check:
    contexts = _as_list(document.get("@context"))
    if not contexts or contexts[0] != VC2_CONTEXT:
        return Check(
            "context",
            False,
            "The credential does not begin with the W3C Verifiable Credentials 2.0 context.",
        )
    for context in contexts:
        if not isinstance(context, str):
            return Check(
                "context", False, "The credential embeds a context; only known ones are accepted."
            )
        if context not in CONTEXT_FILES:
            return Check(
                "context",
                False,
                f"The credential uses the context {context}, which this verifier does not know "
                "(contexts are never fetched from the web).",
            )
    wanted = CLR_CONTEXT if _CLR_TYPE in types else None
    if wanted is not None and not any(
        str(c).startswith(wanted.rsplit("/", 1)[0]) for c in contexts
    ):
        return Check("context", False, "The CLR credential does not use the CLR 2.0 context.")
    if wanted is None and not any(re.match(OB3_CONTEXT_PATTERN, str(c)) for c in contexts):
        return Check("context", False, "The credential does not use an Open Badges 3.0 context.")
    return Check("context", True, "The credential uses only known JSON-LD contexts.")


def _type_check(types: list[Any]) -> Check:
    if "VerifiableCredential" not in types:
        return Check("type", False, "The document is not a Verifiable Credential.")
    if not any(t in types for t in (*_OB_TYPES, _CLR_TYPE)):
        shown = ", ".join(str(t) for t in types)
        return Check(
            "type", False, f"The credential's type ({shown}) is not an Open Badges or CLR type."
        )
    return Check("type", True, "The document is an Open Badges credential.")


def _proof_methods(document: Mapping[str, Any]) -> list[str]:
    return [
        str(proof.get("verificationMethod"))
        for proof in _as_list(document.get("proof"))
        if isinstance(proof, Mapping) and proof.get("verificationMethod")
    ]


def _signer(resolver: KeyResolver, methods: list[str]) -> str | None:
    """The DID that controls the signing key: whom the signature actually speaks for."""
    for method in methods:
        resolved = resolver.resolve(method)
        if resolved is not None:
            return resolved.controller
    return methods[0].partition("#")[0] if methods else None


def _issuer_check(document: Mapping[str, Any], resolver: KeyResolver, methods: list[str]) -> Check:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str):
        return Check("issuer", False, "The credential does not name its issuer.")
    if not methods:
        return Check(
            "issuer",
            False,
            "The credential does not name the key that signed it, so its "
            "issuer cannot be confirmed.",
        )
    for method in methods:
        resolved = resolver.resolve(method)
        if resolved is None:
            continue
        if resolved.controller == issuer_id:
            return Check("issuer", True, f"The signing key belongs to the issuer {issuer_id}.")
        return Check(
            "issuer",
            False,
            f"The signing key belongs to {resolved.controller}, not to the issuer {issuer_id}.",
        )
    return Check(
        "issuer",
        False,
        f"The issuer's key {methods[0]} could not be resolved, so the issuer is not known.",
    )


def _validity_check(document: Mapping[str, Any], now: datetime) -> Check:
    raw_from = document.get("validFrom", document.get("issuanceDate"))
    raw_until = document.get("validUntil", document.get("expirationDate"))
    valid_from = parse_datetime(raw_from)
    valid_until = parse_datetime(raw_until)
    if valid_from is None:
        return Check("validity", False, "The credential's start date is missing or unreadable.")
    if raw_until is not None and valid_until is None:
        return Check("validity", False, "The credential's expiry date is unreadable.")
    if valid_from > now:
        return Check(
            "validity", False, f"The credential is not valid until {valid_from.date().isoformat()}."
        )
    if valid_until is not None and valid_until < now:
        return Check(
            "validity", False, f"The credential expired on {valid_until.date().isoformat()}."
        )
    return Check("validity", True, "The credential is within its validity period.")


def _embedded_check(document: Mapping[str, Any], context: _Context) -> Check:
    """A learner record is only as good as the credentials it wraps; each is verified too."""
    inner = embedded_credentials(document)
    for index, credential in enumerate(inner, start=1):
        data = credential if isinstance(credential, str) else json.dumps(credential)
        result = verify_credential(
            data,
            resolver=context.resolver,
            status_lists=context.status_lists,
            now=context.now,
            issuers=context.issuers,
        )
        if not result.verified:
            return Check(
                "embedded", False, f"Credential {index} in the record failed: {result.headline}"
            )
    return Check("embedded", True, f"All {len(inner)} credentials in the record verified.")


def _result(
    checks: list[Check],
    document: Mapping[str, Any],
    fmt: str,
    context: _Context,
    methods: list[str],
) -> VerificationResult:
    types = _as_list(document.get("type"))
    required = REQUIRED_CHECKS | ({"embedded"} if _CLR_TYPE in types else set())
    recognition = recognise(
        document.get("issuer"), _signer(context.resolver, methods), context.issuers
    )
    summary = summarize(document, recognition) if any(t in types for t in _OB_TYPES) else None
    return VerificationResult(
        checks=tuple(checks),
        required=frozenset(required),
        credential=document,
        summary=summary,
        source_format=fmt,
        recognition=recognition,
    )


def _failed_parse(message: str, fmt: str) -> VerificationResult:
    return VerificationResult(
        checks=(Check("parse", False, message),), required=REQUIRED_CHECKS, source_format=fmt
    )


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
