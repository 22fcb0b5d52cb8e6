"""Holder binding: a learner proves control of a DID, and later credentials name it.

Two ways in, one proof. On the wallet page a signed-in learner asks for a challenge and posts
back a DID-authentication presentation over it (`request_challenge`, `bind_did`). A wallet app
such as the DCC Learner Credential Wallet does the same through a VC-API exchange
(`offer_to_wallet` makes the deep link for one credential; `complete_exchange` answers the
app's POST): the app signs our challenge with its DID, we bind that DID, re-sign the
credential with ``credentialSubject.id`` set to it and hand it over.

A challenge is 256 random bits, stored as its SHA-256 only, for `CHALLENGE_LIFETIME`, for one
learner (and, for an exchange, one credential), and used once by a conditional UPDATE. It is
checked before anything else (a did:web is only fetched for a live challenge of ours), and
spent only once the signature holds, so a wallet that sent something wrong may try again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, func, select, update

from credstack.errors import Forbidden, Gone, InvalidInput, NotFound
from credstack.service import audit_trail, clock
from credstack.service.actor import Actor, ActorKind
from credstack.service.did_web import fetch_did_document
from credstack.service.issuance import holder_did, issue
from credstack.service.runtime import Runtime
from credstack.store.models import AwardRow, HolderChallengeRow, HolderDidRow, LearnerRow
from credstack.store.uow import UnitOfWork
from credstack.vc.didauth import (
    DidAuth,
    check_signature,
    read_did_auth,
    unwrap,
)
from credstack.vc.resolve import DidResolver
from credstack.vc.vocabulary import VC2_CONTEXT

__all__ = [
    "CHALLENGE_LIFETIME",
    "DCC_DEEP_LINK",
    "EXCHANGES_PATH",
    "LIVE_CHALLENGES_PER_LEARNER",
    "Bound",
    "Challenge",
    "Delivered",
    "WalletOffer",
    "bind_did",
    "bound_did",
    "complete_exchange",
    "exchange_request",
    "offer_to_wallet",
    "request_challenge",
]

CHALLENGE_LIFETIME = timedelta(minutes=10)
"""Long enough to open a wallet app and scan a code; short enough that a leaked one is stale."""
LIVE_CHALLENGES_PER_LEARNER = 20
"""Unused, unexpired challenges one learner may hold: each page load of a QR code makes one,
and the bound keeps a script from filling the table."""
DCC_DEEP_LINK = "dccrequest://request"
EXCHANGES_PATH = "/api/v1/exchanges"
_TOKEN_MAX = 128
_METHODS = [{"method": "key"}, {"method": "web"}]


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Challenge:
    """What the learner signs: `challenge`, and `domain` (this server's origin)."""

    challenge: str
    domain: str
    expires_at: datetime


@dataclass(frozen=True)
class Bound:
    did: str
    bound_at: datetime


@dataclass(frozen=True)
class WalletOffer:
    """One credential, offered to a wallet app through a deep link (and its QR code)."""

    credential: str
    challenge: str
    vc_request_url: str
    deep_link: str
    expires_at: datetime


@dataclass(frozen=True)
class Delivered:
    """The VC-API exchange's answer: a presentation holding the credential, re-signed."""

    holder: str
    response: dict[str, Any]


def _learner(uow: UnitOfWork, actor: Actor) -> LearnerRow:
    if actor.kind is not ActorKind.LEARNER or actor.learner_id is None:
        raise Forbidden("only a signed-in learner binds a DID or sends credentials to a wallet")
    learner = uow.session.get(LearnerRow, actor.learner_id)
    if learner is None or learner.erased_at is not None:
        raise NotFound("no such learner")
    return learner


def _origin(runtime: Runtime) -> str:
    """What the learner's proof names as its ``domain``: this server's origin."""
    parts = urlsplit(runtime.settings.base_url)
    return f"{parts.scheme}://{parts.netloc}"


def _new_challenge(
    uow: UnitOfWork, learner: LearnerRow, award: AwardRow | None
) -> tuple[str, datetime]:
    now = clock.now()
    uow.session.execute(  # spent and stale ones are of no further use
        delete(HolderChallengeRow).where(
            HolderChallengeRow.learner_id == learner.id,
            (HolderChallengeRow.expires_at <= now) | HolderChallengeRow.used_at.is_not(None),
        )
    )
    live = uow.session.scalar(
        select(func.count())
        .select_from(HolderChallengeRow)
        .where(HolderChallengeRow.learner_id == learner.id)
    )
    if int(live or 0) >= LIVE_CHALLENGES_PER_LEARNER:
        raise InvalidInput(
            f"you have {LIVE_CHALLENGES_PER_LEARNER} unused challenges; use one, or wait "
            f"{int(CHALLENGE_LIFETIME.total_seconds()) // 60} minutes"
        )
    token = secrets.token_urlsafe(32)
    uow.session.add(
        HolderChallengeRow(
            challenge_hash=_hash(token),
            learner_id=learner.id,
            award_id=award.id if award is not None else None,
            created_at=now,
            expires_at=now + CHALLENGE_LIFETIME,
        )
    )
    uow.session.flush()
    return token, now + CHALLENGE_LIFETIME


def request_challenge(runtime: Runtime, actor: Actor) -> Challenge:
    """A challenge for the signed-in learner to sign with their DID (see `bind_did`)."""
    with runtime.uow() as uow:
        learner = _learner(uow, actor)
        token, expires_at = _new_challenge(uow, learner, None)
        uow.commit()
    return Challenge(token, _origin(runtime), expires_at)


def _live(uow: UnitOfWork, challenge: str) -> HolderChallengeRow:
    if not challenge or len(challenge) > _TOKEN_MAX:
        raise InvalidInput("the challenge is not one this server issued")
    row = uow.session.scalar(
        select(HolderChallengeRow).where(HolderChallengeRow.challenge_hash == _hash(challenge))
    )
    if row is None:
        raise InvalidInput("the challenge is not one this server issued")
    if row.used_at is not None:
        raise Gone("the challenge has already been used; ask for a new one")
    if clock.now() >= row.expires_at:
        raise Gone("the challenge has expired; ask for a new one")
    return row


def _verified(runtime: Runtime, presentation: Mapping[str, Any], claimed: DidAuth) -> None:
    """The signature holds, with the key the holder's DID names (did:web fetched, bounded)."""
    documents = {}
    if claimed.holder.startswith("did:web:"):
        documents[claimed.holder] = fetch_did_document(claimed.holder, runtime.settings)
    check_signature(presentation, claimed, DidResolver(documents), runtime.settings.base_url)


def _take(uow: UnitOfWork, row: HolderChallengeRow) -> None:
    now = clock.now()
    taken = uow.session.execute(
        update(HolderChallengeRow)
        .where(
            HolderChallengeRow.id == row.id,
            HolderChallengeRow.used_at.is_(None),
            HolderChallengeRow.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        raise Gone("the challenge has already been used; ask for a new one")


def _bind(uow: UnitOfWork, learner: LearnerRow, did: str) -> Bound:
    now = clock.now()
    row = uow.session.scalar(select(HolderDidRow).where(HolderDidRow.learner_id == learner.id))
    if row is None:
        row = HolderDidRow(learner_id=learner.id, did=did, bound_at=now)
        uow.session.add(row)
    elif row.did != did:
        row.did, row.bound_at = did, now
    uow.session.flush()
    audit_trail.record(
        uow, action="holder.bound", subject=f"learner:{learner.public_id}", details={"did": did}
    )
    return Bound(row.did, row.bound_at)


def bind_did(runtime: Runtime, actor: Actor, presentation: object) -> Bound:
    """Bind the DID of a DID-authentication presentation over one of the learner's challenges.

    Refused, with the reason, when the challenge is not theirs, used or expired, the proof was
    made for another domain, the DID cannot be resolved or the signature does not hold.
    """
    document = unwrap(presentation)
    claimed = read_did_auth(document)
    with runtime.uow(write=False) as uow:
        learner = _learner(uow, actor)
        row = _live(uow, claimed.challenge)
        if row.learner_id != learner.id or row.award_id is not None:
            raise InvalidInput("the challenge is not one this server issued to you for binding")
    _verified(runtime, document, claimed)
    with runtime.uow() as uow:
        learner = _learner(uow, actor)
        row = _live(uow, claimed.challenge)
        _take(uow, row)
        bound = _bind(uow, learner, claimed.holder)
        uow.commit()
    return bound


def bound_did(runtime: Runtime, actor: Actor) -> Bound | None:
    """The DID the signed-in learner bound, if any."""
    with runtime.uow(write=False) as uow:
        learner = _learner(uow, actor)
        row = uow.session.scalar(select(HolderDidRow).where(HolderDidRow.learner_id == learner.id))
        return Bound(row.did, row.bound_at) if row is not None else None


def offer_to_wallet(runtime: Runtime, actor: Actor, credential: str) -> WalletOffer:
    """A one-time deep link that lets the learner's wallet app fetch this credential."""
    if not credential or len(credential) > _TOKEN_MAX:
        raise NotFound("no such credential")
    with runtime.uow() as uow:
        learner = _learner(uow, actor)
        award = uow.awards.by_public_id(credential)
        if award is None or award.learner_id != learner.id or award.credential is None:
            raise NotFound(f"you hold no issued credential {credential}")
        token, expires_at = _new_challenge(uow, learner, award)
        uow.commit()
    base = runtime.settings.base_url.rstrip("/")
    request_url = f"{base}{EXCHANGES_PATH}/{token}"
    query = urlencode(
        {
            "issuer": _origin(runtime),
            "auth_type": "bearer",
            "challenge": token,
            "vc_request_url": request_url,
        }
    )
    return WalletOffer(
        credential=credential,
        challenge=token,
        vc_request_url=request_url,
        deep_link=f"{DCC_DEEP_LINK}?{query}",
        expires_at=expires_at,
    )


def exchange_request(runtime: Runtime, exchange: str) -> dict[str, Any]:
    """What a VC-API client that posts an empty body first is told to send: a DID
    authentication over this exchange's challenge, for this server."""
    with runtime.uow(write=False) as uow:
        row = _live(uow, exchange)
        if row.award_id is None:
            raise InvalidInput("this challenge is for binding a DID on the wallet page")
    return {
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication", "acceptedMethods": _METHODS}],
            "challenge": exchange,
            "domain": _origin(runtime),
        }
    }


def complete_exchange(runtime: Runtime, exchange: str, presentation: object) -> Delivered:
    """The wallet app's POST to `vc_request_url`: the exchange id in the URL is the challenge,
    and the capability; the presentation must be signed over that same challenge."""
    document = unwrap(presentation)
    claimed = read_did_auth(document)
    if claimed.challenge != exchange:
        raise InvalidInput("the proof's challenge is not this exchange's challenge")
    with runtime.uow(write=False) as uow:
        row = _live(uow, exchange)
        if row.award_id is None:
            raise InvalidInput("this challenge is for binding a DID on the wallet page")
    _verified(runtime, document, claimed)
    with runtime.uow() as uow:
        row = _live(uow, exchange)
        learner = uow.session.get(LearnerRow, row.learner_id)
        award = uow.session.get(AwardRow, row.award_id)
        if learner is None or learner.erased_at is not None or award is None:
            raise Gone("the credential of this exchange is no longer here")
        _take(uow, row)
        if holder_did(uow, learner) != claimed.holder:
            _bind(uow, learner, claimed.holder)
        signed = issue(uow, runtime.keys(uow), runtime.settings.base_url, award)
        uow.commit()
    response = {
        "verifiablePresentation": {
            "@context": [VC2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [signed],
        }
    }
    return Delivered(claimed.holder, response)
