"""A learner's personal data: sealed on the way in, opened for display, erased on request.

Names and addresses live only sealed (see `store.secrets.PersonalData`); everything that shows
a learner asks `profile` for them. Erasure removes what identifies the person and keeps what
their issued credentials rest on: the awards, the records behind them, and the salted hash
the credentials name as their subject, so those credentials still verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, func, select, update

from credstack.errors import Conflict, CredstackError, InvalidInput, NotFound
from credstack.service import audit_trail, clock
from credstack.service.mail import outbox as mail_outbox
from credstack.store.models import (
    EmailChangeRow,
    HolderChallengeRow,
    HolderDidRow,
    ImportedCredentialRow,
    IssuerRow,
    LearnerRow,
    ShareLinkRow,
    SigninLinkRow,
)
from credstack.store.models.learners import new_public_id
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from credstack.vc.documents import hash_email

if TYPE_CHECKING:
    from credstack.service.keys import IssuerKeys

__all__ = [
    "ERASED_NAME",
    "LearnerProfile",
    "by_email",
    "erase_learner",
    "find_learner",
    "new_public_id",
    "plaintext_learner_count",
    "profile",
    "seal_plaintext_learners",
    "seal_profile",
    "sealed_profile",
    "set_profile",
]

ERASED_NAME = "(erased learner)"
_NAME_MAX = 300
_EMAIL_MAX = 254  # RFC 5321's longest usable address
_REASON_MAX = 2000


@dataclass(frozen=True)
class LearnerProfile:
    name: str
    email: str | None
    erased: bool = False


def _context(learner: LearnerRow, field: str) -> str:
    return _sealing_context(learner.public_id, field)


def _sealing_context(public_id: str, field: str) -> str:
    # Binds a sealed value to its learner and field: one copied onto another row does not open.
    return f"credstack learner {public_id} {field}"


def set_profile(uow: UnitOfWork, learner: LearnerRow, *, name: str, email: str | None) -> None:
    name = name.strip()
    if not name or len(name) > _NAME_MAX:
        raise InvalidInput(f"a learner's name needs 1 to {_NAME_MAX} characters")
    email = email.strip() if email else None
    if email is not None and ("@" not in email or len(email) > _EMAIL_MAX):
        raise InvalidInput(f"{email[:_EMAIL_MAX]!r} is not an email address")
    lookup = uow.personal.lookup_hash(email) if email is not None else None
    if lookup is not None:
        other = uow.session.scalar(select(LearnerRow).where(LearnerRow.email_lookup == lookup))
        if other is not None and other is not learner:
            raise Conflict("another learner already has this email address")
    seal_profile(uow, learner, name=name, email=email)


def seal_profile(uow: UnitOfWork, learner: LearnerRow, *, name: str, email: str | None) -> None:
    """Seal a checked name and address onto the row (`set_profile` checks them)."""
    sealed = sealed_profile(
        uow,
        key=learner.key,
        public_id=learner.public_id,
        salt=learner.identity_salt,
        name=name,
        email=email,
    )
    for column, value in sealed.items():
        setattr(learner, column, value)
    learner.legacy_name = learner.legacy_email = None


def sealed_profile(
    uow: UnitOfWork, *, key: str, public_id: str, salt: str, name: str, email: str | None
) -> dict[str, Any]:
    """The columns a checked name and address give a learner, sealed: a bulk import checks a
    whole chunk's addresses in one query and inserts its new learners' values together,
    without an ORM object each."""
    personal = uow.personal
    identity = email or f"credstack-learner:{key}"
    return {
        "name_sealed": personal.seal(name, _sealing_context(public_id, "name")),
        "email_sealed": (
            personal.seal(email, _sealing_context(public_id, "email")) if email else None
        ),
        "email_lookup": personal.lookup_hash(email) if email is not None else None,
        "identity_hash": hash_email(identity, salt),
        "identity_type": "emailAddress" if email else "systemId",
    }


def profile(uow: UnitOfWork, learner: LearnerRow) -> LearnerProfile:
    if learner.erased_at is not None:
        return LearnerProfile(ERASED_NAME, None, erased=True)
    if learner.name_sealed is None:
        raise CredstackError(
            f"learner {learner.key} still has unsealed personal data: run `credstack db upgrade`"
        )
    personal = uow.personal
    email = (
        personal.open(learner.email_sealed, _context(learner, "email"))
        if learner.email_sealed is not None
        else None
    )
    return LearnerProfile(personal.open(learner.name_sealed, _context(learner, "name")), email)


def by_email(uow: UnitOfWork, email: str) -> LearnerRow | None:
    lookup = uow.personal.lookup_hash(email)
    return uow.session.scalar(select(LearnerRow).where(LearnerRow.email_lookup == lookup))


def find_learner(uow: UnitOfWork, ref: str) -> LearnerRow | None:
    """By opaque public id or by the registrar's key; the two can never be confused, because
    a public id always has an upper-case letter and a key never has one."""
    column = LearnerRow.public_id if ref != ref.lower() else LearnerRow.key
    return uow.session.scalar(select(LearnerRow).where(column == ref))


def _in_clear() -> ColumnElement[bool]:
    return LearnerRow.legacy_name.is_not(None) | LearnerRow.legacy_email.is_not(None)


def plaintext_learner_count(uow: UnitOfWork) -> int:
    return uow.session.scalar(select(func.count()).where(_in_clear())) or 0


def seal_plaintext_learners(uow: UnitOfWork) -> int:
    """Seal what older versions stored in clear (run by `credstack db upgrade` and `init`)."""
    rows = uow.session.scalars(select(LearnerRow).where(_in_clear())).all()
    for learner in rows:
        name, email = learner.legacy_name, learner.legacy_email
        learner.legacy_name = learner.legacy_email = None
        uow.session.flush()  # the clear address leaves its unique column before the next row
        set_profile(uow, learner, name=name or learner.key, email=email)
    return len(rows)


def erase_learner(
    uow: UnitOfWork,
    learner: LearnerRow,
    *,
    reason: str,
    actor: str,
    keys: IssuerKeys,
) -> str:
    """Remove the person's name, address and registrar's key, the credentials they imported,
    and end their share links; returns the new stand-in key.

    Credentials issued before names were hashed hold the name in clear; the kept copy of each
    is re-signed without it (``keys`` signs; the copies the learner holds still verify).
    """
    reason = reason.strip()
    if not reason or len(reason) > _REASON_MAX:
        raise InvalidInput(f"an erasure needs a reason of 1 to {_REASON_MAX} characters")
    if learner.erased_at is not None:
        raise Conflict(f"learner {learner.public_id} is already erased")
    learner.name_sealed = learner.email_sealed = learner.email_lookup = None
    learner.legacy_name = learner.legacy_email = None
    learner.key = f"erased.{learner.public_id.lower()}"
    learner.erased_at = clock.now()
    mail_outbox.forget_learner(uow, learner.id)
    uow.session.execute(delete(SigninLinkRow).where(SigninLinkRow.learner_id == learner.id))
    uow.session.execute(delete(EmailChangeRow).where(EmailChangeRow.learner_id == learner.id))
    # A DID they bound is theirs, like their address: later credentials no longer name it.
    uow.session.execute(delete(HolderDidRow).where(HolderDidRow.learner_id == learner.id))
    uow.session.execute(
        delete(HolderChallengeRow).where(HolderChallengeRow.learner_id == learner.id)
    )
    # What they imported from elsewhere names them (a hashed address, their evidence); awards
    # it counted toward keep their own signed credentials.
    uow.session.execute(
        delete(ImportedCredentialRow).where(ImportedCredentialRow.learner_id == learner.id)
    )
    uow.session.execute(  # their share links end: the person asked to be forgotten
        update(ShareLinkRow)
        .where(ShareLinkRow.learner_id == learner.id, ShareLinkRow.revoked_at.is_(None))
        .values(revoked_at=learner.erased_at)
    )
    resigned = _resign_without_clear_names(uow, learner, keys)
    details: dict[str, object] = {"reason": reason}
    if resigned:
        details["resigned"] = resigned
    audit_trail.record(
        uow,
        action="learner.erased",
        subject=f"learner:{learner.public_id}",
        details=details,
        actor=actor,
    )
    return learner.key


def _clear_name(item: object) -> bool:
    return isinstance(item, dict) and item.get("identityType") == "name" and not item.get("hashed")


def _resign_without_clear_names(
    uow: UnitOfWork, learner: LearnerRow, keys: IssuerKeys
) -> list[str]:
    """Re-sign the kept credentials whose subject names the learner in clear, without it."""
    resigned = []
    for award in uow.awards.for_learner(learner.id):
        credential = award.credential
        subject = credential.get("credentialSubject") if credential else None
        identifiers = subject.get("identifier") if isinstance(subject, dict) else None
        if credential is None or not isinstance(subject, dict) or not isinstance(identifiers, list):
            continue
        if not any(_clear_name(item) for item in identifiers):
            continue
        issuer = uow.session.get(IssuerRow, award.issuer_id)
        if issuer is None:  # pragma: no cover - a foreign key guards this
            raise NotFound(f"award {award.public_id} has no issuer")
        document = {k: v for k, v in credential.items() if k != "proof"}
        document["credentialSubject"] = {
            **subject,
            "identifier": [item for item in identifiers if not _clear_name(item)],
        }
        signing_key = keys.signing_key(issuer)
        award.credential = dataintegrity.sign(document, signing_key, created=clock.now())
        audit_trail.record(
            uow,
            action="key.used",
            subject=f"issuer:{issuer.key}",
            details={"key": signing_key.verification_method, "credential": award.public_id},
        )
        resigned.append(award.public_id)
    return resigned
