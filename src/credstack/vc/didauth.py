"""DID authentication: a holder proves control of a DID by signing a presentation we asked for.

This is the DIDAuth of the VC-API exchanges and of the DCC Learner Credential Wallet: a
``VerifiablePresentation`` whose ``holder`` is the DID, with an eddsa-rdfc-2022 proof for the
``authentication`` purpose that carries our ``challenge`` and our ``domain``. Both sit in the
signed proof options, so a presentation made for another site, or for an earlier challenge,
cannot be replayed here. Whether the challenge is one we issued, and still usable, is the
caller's business (it lives in the database); here only the document and its signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from credstack.errors import InvalidInput
from credstack.limits import MAX_CHALLENGE_CHARS, MAX_DID_CHARS
from credstack.vc import dataintegrity
from credstack.vc.keys import DID_KEY
from credstack.vc.resolve import KeyResolver

__all__ = [
    "AUTHENTICATION",
    "HOLDER_DID_METHODS",
    "DidAuth",
    "accepted_domains",
    "check_signature",
    "read_did_auth",
    "unwrap",
]

AUTHENTICATION = "authentication"
HOLDER_DID_METHODS = (f"{DID_KEY}:", "did:web:")
"""did:key resolves offline; did:web from the holder's own site. Other methods are refused:
we cannot resolve them without trusting someone else's resolver."""


@dataclass(frozen=True)
class DidAuth:
    """What a DIDAuth presentation claims, read before its signature is checked."""

    holder: str
    challenge: str
    verification_method: str
    domains: tuple[str, ...]


def unwrap(body: object) -> Mapping[str, Any]:
    """The presentation, sent bare or as a VC-API request ``{"verifiablePresentation": ...}``."""
    if isinstance(body, Mapping) and "verifiablePresentation" in body:
        body = body["verifiablePresentation"]
    if not isinstance(body, Mapping):
        raise InvalidInput("send a DID authentication VerifiablePresentation as a JSON object")
    return body


def accepted_domains(base_url: str) -> frozenset[str]:
    """This server's origin (``https://host[:port]``), and its bare host, which some wallets
    write instead; either names us and nobody else."""
    parts = urlsplit(base_url)
    return frozenset({f"{parts.scheme}://{parts.netloc}", parts.netloc})


def _strings(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(v for v in items if isinstance(v, str))


def read_did_auth(presentation: Mapping[str, Any]) -> DidAuth:
    """The holder, challenge and key a DIDAuth presentation names, or why it is not one."""
    if "VerifiablePresentation" not in _strings(presentation.get("type")):
        raise InvalidInput("the document is not a VerifiablePresentation")
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    if not isinstance(holder, str) or not holder:
        raise InvalidInput("the presentation names no holder DID (`holder`)")
    if len(holder) > MAX_DID_CHARS or not holder.startswith(HOLDER_DID_METHODS):
        raise InvalidInput("the holder must be a did:key or did:web DID")
    proofs = presentation.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if len(proofs) != 1 or not isinstance(proofs[0], Mapping):
        raise InvalidInput("the presentation must carry exactly one proof")
    proof = proofs[0]
    if (
        proof.get("type") != dataintegrity.PROOF_TYPE
        or proof.get("cryptosuite") != dataintegrity.CRYPTOSUITE
    ):
        raise InvalidInput(
            "the presentation's proof must be a DataIntegrityProof with the eddsa-rdfc-2022 "
            "cryptosuite"
        )
    if proof.get("proofPurpose") != AUTHENTICATION:
        raise InvalidInput("the proof's purpose must be `authentication`")
    challenge = proof.get("challenge")
    if not isinstance(challenge, str) or not challenge or len(challenge) > MAX_CHALLENGE_CHARS:
        raise InvalidInput("the proof carries no challenge we could have issued")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method.startswith(f"{holder}#"):
        raise InvalidInput("the proof must be made with one of the holder DID's own keys")
    domains = _strings(proof.get("domain"))
    if not domains:
        raise InvalidInput("the proof names no domain; it must name this server")
    return DidAuth(holder, challenge, method, domains)


def check_signature(
    presentation: Mapping[str, Any], claimed: DidAuth, resolver: KeyResolver, base_url: str
) -> None:
    """Refuse a presentation made for another site, by an unknown key, or since changed."""
    ours = accepted_domains(base_url)
    if not ours.intersection(claimed.domains):
        raise InvalidInput(
            f"the proof was made for {', '.join(claimed.domains)}, not for this server "
            f"({min(ours, key=len)})"
        )
    resolved = resolver.resolve(claimed.verification_method)
    if resolved is None or resolved.controller != claimed.holder:
        raise InvalidInput(
            f"the key {claimed.verification_method} is not in the holder's DID document"
        )
    if not resolved.allows(AUTHENTICATION):
        raise InvalidInput(
            f"the holder's DID document does not list {claimed.verification_method} "
            "for authentication"
        )
    check = dataintegrity.verify(
        presentation, resolver, expected_purpose=AUTHENTICATION, issuer_must_control_key=False
    )
    if not check.passed:
        raise InvalidInput(f"the presentation's signature does not hold: {check.message}")
