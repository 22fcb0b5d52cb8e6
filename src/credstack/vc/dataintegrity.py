"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C Data Integrity EdDSA
Cryptosuites v1.0, §3.3), the proof Open Badges 3.0 requires for embedded signatures.

Signing and verifying are pure functions of the document, the key and the time; keys arrive
as ``SigningKey`` values and verification keys through a ``KeyResolver``, so nothing here
knows about a database or the network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature

from credstack.vc.canon import Order, canonicalize, canonicalize_general
from credstack.vc.checks import Check
from credstack.vc.fastcanon import (
    Unsupported,
    fast_canonicalize,
    fast_canonicalize_proof_config,
    path_counts,
)
from credstack.vc.jsonld import (
    ContextNotAllowed,
    JsonLdProcessingError,
    SafeModeError,
    undefined_terms,
)
from credstack.vc.keys import SigningKey
from credstack.vc.multibase import MultibaseError, decode_base58btc, encode_base58btc
from credstack.vc.resolve import KeyResolver, parse_instant

__all__ = [
    "CHECK_NAME",
    "CRYPTOSUITE",
    "LEGACY_CRYPTOSUITES",
    "PROOF_TYPE",
    "SafeModeError",
    "format_created",
    "hash_data",
    "proof_configuration",
    "sign",
    "verify",
]

CRYPTOSUITE = "eddsa-rdfc-2022"
# The 2022 draft name, still found in issued badges (the OB 3.0 validator accepts it); the
# algorithm is unchanged, so we verify it but never sign with it.
LEGACY_CRYPTOSUITES = frozenset({"eddsa-2022"})
PROOF_TYPE = "DataIntegrityProof"
CHECK_NAME = "signature"


def format_created(moment: datetime) -> str:
    """XML Schema dateTime in UTC, whole seconds, as digitalbazaar's signers write it."""
    if moment.tzinfo is None:
        raise ValueError("The signing time must be timezone-aware.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_configuration(
    document: Mapping[str, Any], verification_method: str, created: str, proof_purpose: str
) -> dict[str, Any]:
    """The proof options that get signed, in the document's own contexts (§3.3.5)."""
    config: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in document:
        config["@context"] = document["@context"]
    return config


def hash_data(
    unsecured: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    order: Order = Order.CODE_POINT,
) -> bytes:
    """SHA-256(canonical proof config) ‖ SHA-256(canonical document) (§3.3.4)."""
    return _sha256(canonicalize(proof_config, order)) + _sha256(canonicalize(unsecured, order))


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _fast_hash(document: Mapping[str, Any], *, proof_config: bool = False) -> bytes | None:
    """SHA-256 of the canonical form by the fast path, None when it steps aside.

    ``proof_config`` takes a proof configuration's compiled form (only ``created`` differs
    between the proofs one key makes).

    The fast path refuses every undefined term and relative IRI, so a hash from it also
    means the safe-mode check passes: one pass instead of an expansion for the check and
    another for the signature.
    """
    try:
        if proof_config:
            text = fast_canonicalize_proof_config(document)
        else:
            text = fast_canonicalize(document)
    except Unsupported as exc:
        path_counts().record_fallback(str(exc))
        return None
    path_counts().record_fast()
    return _sha256(text)


def sign(
    document: Mapping[str, Any],
    key: SigningKey,
    *,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an eddsa-rdfc-2022 proof added.

    ``challenge`` and ``domain`` are the proof options of an authentication proof (DID
    authentication): signed with the rest, so the proof answers that challenge for that site.

    An existing proof stays and the result holds a proof set; the new proof covers the
    document without earlier proofs, as Data Integrity proof sets require. Raises
    ``SafeModeError`` when a term or type is undefined, ``ContextNotAllowed`` for an
    unbundled context.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = proof_configuration(
        unsecured, key.verification_method, format_created(created), proof_purpose
    )
    for option, value in (("challenge", challenge), ("domain", domain)):
        if value is not None:
            config[option] = value
    config_hash = _fast_hash(config, proof_config=True)
    document_hash = _fast_hash(unsecured) if config_hash is not None else None
    if config_hash is None or document_hash is None:
        problems = undefined_terms(unsecured) + undefined_terms(config)
        if problems:
            raise SafeModeError(list(dict.fromkeys(problems)))
        config_hash = _sha256(canonicalize_general(config))
        document_hash = _sha256(canonicalize_general(unsecured))
    signature = key.private_key.sign(config_hash + document_hash)
    proof = {k: v for k, v in config.items() if k != "@context"}
    proof["proofValue"] = encode_base58btc(signature)
    signed = dict(document)
    existing = document.get("proof")
    if existing is None:
        signed["proof"] = proof
    else:
        signed["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return signed


def verify(
    document: Mapping[str, Any],
    resolver: KeyResolver,
    *,
    expected_purpose: str = "assertionMethod",
    issuer_must_control_key: bool = True,
) -> Check:
    """Whether every eddsa-rdfc-2022 proof on the document holds.

    ``issuer_must_control_key`` also requires the signing key's controller to be the
    credential's issuer, so a valid signature by someone else's key does not pass.
    """
    proofs = document.get("proof")
    candidates = [
        p
        for p in (proofs if isinstance(proofs, list) else [proofs] if proofs else [])
        if isinstance(p, dict)
        and p.get("type") == PROOF_TYPE
        and _is_our_cryptosuite(p.get("cryptosuite"))
    ]
    if not candidates:
        return _fail("The credential has no eddsa-rdfc-2022 Data Integrity proof to check.")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    document_hash = _fast_hash(unsecured)
    if document_hash is None:
        try:
            problems = undefined_terms(unsecured)
            if not problems:
                document_hash = _sha256(canonicalize_general(unsecured))
        except ContextNotAllowed as exc:
            return _fail(
                f"The credential uses a JSON-LD context credstack does not know: {exc.url}."
            )
        except JsonLdProcessingError as exc:
            return _fail(str(exc))
        if problems:
            return _fail(
                "The credential uses terms that none of its contexts define, so the signature "
                "would not cover them: " + ", ".join(problems) + "."
            )
    assert document_hash is not None
    for proof in candidates:
        failure = _verify_one(
            unsecured,
            document_hash,
            proof,
            resolver,
            expected_purpose,
            _issuer_id(document) if issuer_must_control_key else None,
        )
        if failure is not None:
            return _fail(failure)
    count = "proof is" if len(candidates) == 1 else f"{len(candidates)} proofs are"
    return Check(
        CHECK_NAME, True, f"The credential's {count} valid: it is unchanged since it was signed."
    )


def _verify_one(
    unsecured: dict[str, Any],
    document_hash: bytes,
    proof: dict[str, Any],
    resolver: KeyResolver,
    expected_purpose: str,
    issuer: str | None,
) -> str | None:
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    if not isinstance(method, str) or not method:
        return "The proof does not name the key that made it (verificationMethod is missing)."
    if purpose != expected_purpose:
        return f"The proof was made for {purpose!r}, not for {expected_purpose!r}."
    created = proof.get("created")
    if created is not None and not _is_datetime(created):
        return f"The proof's creation time {created!r} is not a valid date and time."
    try:
        signature = decode_base58btc(str(proof.get("proofValue", "")))
    except MultibaseError:
        return "The signature value is not multibase base58btc, so it cannot be checked."
    if len(signature) != 64:
        return "The signature value has the wrong length for an Ed25519 signature."
    resolved = resolver.resolve(method)
    if resolved is None:
        return (
            f"The signing key {method} could not be found among the keys credstack trusts "
            "(did:key, or a DID document or controller document it was given)."
        )
    if not resolved.allows(expected_purpose):
        return f"The key {method} is not listed by its controller for {expected_purpose}."
    refusal = resolved.refusal(parse_instant(created))
    if refusal is not None:
        return refusal
    if issuer is not None and resolved.controller != issuer:
        return (
            f"The credential was signed with a key of {resolved.controller}, but its "
            f"issuer is {issuer}."
        )
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    config_hash = _fast_hash(config, proof_config=True)
    try:
        if config_hash is None:
            problems = undefined_terms(config)
            if problems:
                return "The proof uses terms no context defines: " + ", ".join(problems) + "."
            config_hash = _sha256(canonicalize_general(config))
        data = config_hash + document_hash
    except ContextNotAllowed as exc:
        return f"The proof uses a JSON-LD context credstack does not know: {exc.url}."
    except JsonLdProcessingError as exc:
        return str(exc)
    try:
        resolved.public_key.verify(signature, data)
    except InvalidSignature:
        if _has_astral(unsecured) or _has_astral(config):
            # Signers built on rdf-canonize sort by UTF-16 code unit; see credstack.vc.canon.
            try:
                resolved.public_key.verify(signature, hash_data(unsecured, config, Order.UTF16))
            except InvalidSignature:
                pass
            else:
                return None
        return (
            "The signature is invalid: the credential was changed after it was signed, "
            "or it was signed with a different key."
        )
    return None


def _is_our_cryptosuite(value: object) -> bool:
    # A list or object here is hostile or broken input: not ours, and never a TypeError.
    return isinstance(value, str) and (value == CRYPTOSUITE or value in LEGACY_CRYPTOSUITES)


def _has_astral(value: object) -> bool:
    if isinstance(value, str):
        return any(ord(c) > 0xFFFF for c in value)
    if isinstance(value, dict):
        return any(_has_astral(k) or _has_astral(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_astral(v) for v in value)
    return False


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def _fail(message: str) -> Check:
    return Check(CHECK_NAME, False, message)
