"""Importing a credential a learner holds from elsewhere into their wallet (articulation).

A credential is verified before anything is kept: its proof, its status as far as credstack
can know it offline (a status list in the trust directory; never a fetch), its dates, that it
does not impersonate a recognised issuer, and that it was issued to this learner (the hashed
e-mail identity it carries must be the learner's address). What fails is refused with the
verifier's own words; nothing is half-kept.

What passes is kept unchanged (the document, and the compact JWS it came as), with what was
read from it, in the learner's wallet; the same credential id imported again replaces it.
It then counts like any record: an issuer whose catalog lists a partner with the web site the
operator's trust list gives the signer (`partners: [{id, url}]`) sees it as an award from that
partner, so the articulation list it already has (`from: {issuers: [...]}`) accepts it, and
the stacking engine settles what it completes, naming it (`imported:…`) in the audit trail.

Verifying comes first and outside the transaction that keeps the result: the learner's
address is read in one read-only unit of work, the credential verified by the `Verify` the
caller gives (the server's edges pass one that runs in the verification worker pool, with its
bounds and time budget, because what is uploaded is hostile until checked; the CLI verifies in
its own process), and only then is a write transaction opened, so a slow credential holds
neither the event loop nor a database lock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from credstack.config import Settings
from credstack.domain.taxonomy import from_ob_achievement_type
from credstack.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from credstack.limits import MAX_GROUP_CREDENTIALS, MAX_IMPORT_BYTES, MAX_URL_CHARS
from credstack.service import clock
from credstack.service.actor import Actor, ActorKind, authorise_scope
from credstack.service.engine import settle
from credstack.service.hosted_assertions import HostedFetcher
from credstack.service.learners import find_learner, profile
from credstack.service.oauth.scopes import Api, Scope, scope_uri
from credstack.service.records import partner_of
from credstack.service.runtime import Runtime
from credstack.service.verification import Verifier, result_json, verifier_for
from credstack.store.models import ImportedCredentialRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork
from credstack.vc.baking import BakingError, extract_png, extract_svg
from credstack.vc.clr import embedded_credentials
from credstack.vc.result import VerificationResult
from credstack.vc.vocabulary import parse_datetime

__all__ = [
    "ClrUpserted",
    "ImportedCredential",
    "Verify",
    "held_imports",
    "import_credential",
    "imported_credentials",
    "upsert_clr",
    "upsert_credential",
    "verify_import",
]

_NAME_CHARS = 300
_TYPE_CHARS = 40
_JWS_FORMATS = ("jwt", "png", "svg")

Verify = Callable[[bytes, str], VerificationResult]


def verify_import(
    settings: Settings, data: bytes, email: str, verifier: Verifier
) -> VerificationResult:
    """How an import is verified, here or in a worker: as `/api/v1/verify` verifies, except
    that an OB 2.0 hosted assertion (and its BadgeClass and issuer) is fetched from where it
    says it is hosted, under `service.hosted_assertions`' rules."""
    verifier.hosted = HostedFetcher(settings)
    return verifier.verify_bytes(data, email=email)


"""Verifies `data` and whether it was issued to the holder of the address: the server's
edges give one that runs in the verification worker pool (`http.verify_pool.pooled`)."""


@dataclass(frozen=True)
class ImportedCredential:
    """One credential from elsewhere in a learner's wallet, as it was verified and kept."""

    public_id: str
    credential_id: str
    achievement: str
    issuer: str
    recognised: bool
    """The signer is an issuer the operator's trust list (or this server) names."""
    source_format: str
    valid_from: datetime
    credential: Mapping[str, Any]
    compact: str | None
    """The compact JWS it came as, when it came as one (VC-JWT, OB 2.0 signed)."""
    replaced: bool = False
    """It was in the wallet already (the same credential id) and was replaced."""
    counts_for: tuple[str, ...] = ()
    """The issuers (names) whose catalogs accept it through their articulation list."""
    awarded: tuple[str, ...] = ()
    """What it completed, as "achievement (issuer)", awarded in the same transaction."""


def import_credential(
    runtime: Runtime,
    actor: Actor,
    *,
    data: bytes,
    learner: str | None = None,
    verify: Verify | None = None,
) -> ImportedCredential:
    """The learner's own import (the wallet page), or the operator's for `learner` (the CLI)."""
    if actor.kind is ActorKind.LEARNER and actor.learner_id is not None:
        with runtime.uow(write=False) as uow:
            holder = _learner_by_id(uow, actor.learner_id)
            if learner is not None and learner not in (holder.key, holder.public_id):
                raise Forbidden("a learner imports credentials into their own wallet only")
            learner_id = holder.id
    elif actor.kind is not ActorKind.OPERATOR:
        raise Forbidden(
            "importing a credential is for the learner who holds it (signed in to the wallet) "
            "or the operator (`credstack learner import-credential`)"
        )
    elif learner is None:
        raise InvalidInput("name the learner to import the credential for")
    else:
        with runtime.uow(write=False) as uow:
            found = find_learner(uow, learner)
            if found is None or found.erased_at is not None:
                raise NotFound(f"no learner {learner}")
            learner_id = found.id
    return _import(runtime, learner_id, data, verify)


def upsert_credential(
    runtime: Runtime, actor: Actor, *, data: bytes, verify: Verify | None = None
) -> ImportedCredential:
    """upsertCredential (OB 3.0 §6.2): a client with `credential.upsert` adds a credential to
    its learner's wallet, verified and imported exactly as the learner's own import."""
    learner_id = authorise_scope(actor, scope_uri(Api.OB, Scope.CREDENTIAL_UPSERT))
    return _import(runtime, learner_id, data, verify)


@dataclass(frozen=True)
class ClrUpserted:
    """A CLR 2.0 upsert: the credentials it wraps, each kept as an import of its own."""

    record: Mapping[str, Any]
    """The ClrCredential as it was verified."""
    compact: str | None
    """The compact JWS it came as, when it came as one."""
    kept: tuple[ImportedCredential, ...]
    issued_here: int
    """Wrapped credentials this server issued: already the learner's, so not imported."""

    @property
    def added(self) -> bool:
        """At least one wrapped credential was new to the wallet (201, not 200)."""
        return any(not k.replaced for k in self.kept)


def upsert_clr(
    runtime: Runtime, actor: Actor, *, data: bytes, verify: Verify | None = None
) -> ClrUpserted:
    """The CLR 2.0 upsertCredential: a client with the CLR's `credential.upsert` sends a
    ClrCredential. The record must verify (its own proof, and each credential it wraps), and
    then each wrapped credential is verified on its own against the learner's address and
    kept exactly as an OB upsert keeps one, all in one transaction: a record with a credential
    that is not the learner's is refused whole, in words naming it. Wrapped credentials
    issued here are the learner's already and are left as they are."""
    learner_id = authorise_scope(actor, scope_uri(Api.CLR, Scope.CREDENTIAL_UPSERT))
    _bounded(data)
    with runtime.uow(write=False) as uow:
        email = _address(uow, _learner_by_id(uow, learner_id))
        if verify is None:
            verifier = verifier_for(runtime, uow)
            checked = _verified_clr(
                data, email, partial(verify_import, runtime.settings, verifier=verifier)
            )
    if verify is not None:
        checked = _verified_clr(data, email, verify)
    result, record, wrapped = checked
    kept: list[ImportedCredential] = []
    issued_here = 0
    with runtime.uow() as uow:
        learner = _learner_by_id(uow, learner_id)
        if _address(uow, learner) != email:
            raise Conflict("not imported: the learner's e-mail address changed meanwhile; retry")
        for index, (item_data, item_result, document) in enumerate(wrapped, start=1):
            try:
                kept.append(_keep(runtime, uow, learner, item_data, item_result, document))
            except Conflict:
                issued_here += 1  # issued here: in the wallet already
            except InvalidInput as exc:
                raise InvalidInput(f"credential {index} in the record is {exc.message}") from None
        if not kept:
            raise Conflict("not imported: every credential in the record was issued here")
        uow.commit()
    return ClrUpserted(
        record=dict(record),
        compact=_compact(data) if result.source_format in _JWS_FORMATS else None,
        kept=tuple(kept),
        issued_here=issued_here,
    )


_Wrapped = list[tuple[bytes, VerificationResult, Mapping[str, Any]]]


def _verified_clr(
    data: bytes, email: str, verify: Verify
) -> tuple[VerificationResult, Mapping[str, Any], _Wrapped]:
    """The record verified, then each credential it wraps on its own, or the refusal."""
    result = verify(data, email)
    if result.credential is None:
        raise InvalidInput(f"not imported: the record could not be read. {result.headline}")
    types = result.credential.get("type")
    if "ClrCredential" not in (types if isinstance(types, list) else [types]):
        raise InvalidInput(
            "not imported: this is not a ClrCredential; send an OB 3.0 credential to "
            "/ims/ob/v3p0/credentials"
        )
    record = _checked(result)
    inner = embedded_credentials(record)
    if len(inner) > MAX_GROUP_CREDENTIALS:
        raise TooLarge(
            f"not imported: the record wraps {len(inner)} credentials; at most "
            f"{MAX_GROUP_CREDENTIALS} are taken at once"
        )
    wrapped: _Wrapped = []
    for index, item in enumerate(inner, start=1):
        item_data = (item if isinstance(item, str) else json.dumps(item)).encode("utf-8")
        item_result = verify(item_data, email)
        try:
            wrapped.append((item_data, item_result, _checked(item_result)))
        except InvalidInput as exc:
            raise InvalidInput(f"credential {index} in the record is {exc.message}") from None
    return result, record, wrapped


def imported_credentials(runtime: Runtime, actor: Actor) -> tuple[ImportedCredential, ...]:
    """The signed-in learner's imported credentials, oldest first (the wallet lists them)."""
    if actor.kind is not ActorKind.LEARNER or actor.learner_id is None:
        raise Forbidden("a learner sees their imported credentials in their own wallet")
    with runtime.uow(write=False) as uow:
        return held_imports(uow, _learner_by_id(uow, actor.learner_id))


def held_imports(uow: UnitOfWork, learner: LearnerRow) -> tuple[ImportedCredential, ...]:
    """What `learner` imported, oldest first: for a use case that has checked who asks."""
    return tuple(_view(row) for row in uow.records.imported(learner.id))


def _learner_by_id(uow: UnitOfWork, learner_id: int) -> LearnerRow:
    learner = uow.session.get(LearnerRow, learner_id)
    if learner is None or learner.erased_at is not None:
        raise NotFound("the learner is gone")
    return learner


def _import(
    runtime: Runtime, learner_id: int, data: bytes, verify: Verify | None
) -> ImportedCredential:
    _bounded(data)
    with runtime.uow(write=False) as uow:
        email = _address(uow, _learner_by_id(uow, learner_id))
        if verify is None:
            result = verify_import(runtime.settings, data, email, verifier_for(runtime, uow))
    if verify is not None:
        result = verify(data, email)
    document = _checked(result)  # a refusal opens no write transaction
    # A hosted assertion names its BadgeClass by URL: read its name where it is hosted.
    badge = document.get("badge") if _hosted(document) else None
    hosted_badge = HostedFetcher(runtime.settings)(badge) if isinstance(badge, str) else None
    with runtime.uow() as uow:
        learner = _learner_by_id(uow, learner_id)
        if _address(uow, learner) != email:
            raise Conflict("not imported: the learner's e-mail address changed meanwhile; retry")
        done = _keep(runtime, uow, learner, data, result, document, hosted_badge)
        uow.commit()
        return done


def _bounded(data: bytes) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(
            f"the credential is {len(data)} bytes; at most {MAX_IMPORT_BYTES} are accepted"
        )
    if not data.strip():
        raise InvalidInput("the credential is empty")
    if data.startswith(b"%PDF"):
        raise InvalidInput(
            "a PDF certificate is not imported: import the credential file itself (JSON, a "
            "JWT or a baked PNG/SVG badge)"
        )


def _address(uow: UnitOfWork, learner: LearnerRow) -> str:
    email = profile(uow, learner).email
    if email is None:
        raise InvalidInput(
            f"learner {learner.key} has no e-mail address, so no credential can be shown to "
            "be theirs: add their address first"
        )
    return email


def _keep(
    runtime: Runtime,
    uow: UnitOfWork,
    learner: LearnerRow,
    data: bytes,
    result: VerificationResult,
    document: Mapping[str, Any],
    hosted_badge: Mapping[str, Any] | None = None,
) -> ImportedCredential:
    """Keep `document`, which `result` verified against the learner's address."""
    verifier = verifier_for(runtime, uow)
    credential_id = document.get("id")
    if not isinstance(credential_id, str) or not credential_id.strip():
        raise InvalidInput("not imported: the credential has no id to keep it by")
    if len(credential_id) > MAX_URL_CHARS:
        raise InvalidInput(f"not imported: its id is longer than {MAX_URL_CHARS} characters")
    if verifier.award_for_url(credential_id) is not None:
        raise Conflict("not imported: this credential was issued here and is in the wallet")
    recipient = result.recipient
    if recipient is None or recipient.matches is not True:
        said = recipient.message if recipient is not None else ""
        raise InvalidInput(f"not imported: it is not shown to be issued to this learner. {said}")
    now = clock.now()
    # Every look-up and check before the row is touched: a query may flush the session, and
    # a row added half-built would be flushed with its NOT NULL columns empty.
    fields = _fields(verifier, result, document, credential_id, data, now, hosted_badge)
    if _hosted(document) and fields["issuer_url"] is None:
        raise InvalidInput(
            "not imported: a hosted Open Badges 2.0 assertion is taken only from an issuer "
            f"the trust directory names, and {fields['issuer_ref']} is not one"
        )
    row = uow.records.imported_by_id(learner.id, credential_id)
    replaced = row is not None
    if row is None:
        row = ImportedCredentialRow(
            public_id=str(uuid.uuid4()), learner_id=learner.id, created_at=now, **fields
        )
        uow.session.add(row)
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    uow.session.flush()
    perspectives = [
        issuer for issuer in uow.issuers.all() if partner_of(uow, issuer, row.issuer_url)
    ]
    awarded: list[str] = []
    if perspectives:
        settlement = settle(
            uow,
            runtime.keys(uow),
            learner=learner,
            issuer=perspectives[0],
            trigger=f"imported:{row.public_id}",
            at=now,
            perspectives=perspectives,
        )
        for award in settlement.awarded:
            version = uow.achievements.version_by_id(award.achievement_version_id)
            issuer = uow.session.get(IssuerRow, award.issuer_id)
            name = version.name if version is not None else award.public_id
            awarded.append(f"{name} ({issuer.name if issuer is not None else '?'})")
    return _view(
        row,
        replaced=replaced,
        counts_for=tuple(p.name for p in perspectives),
        awarded=tuple(awarded),
    )


def _checked(result: VerificationResult) -> Mapping[str, Any]:
    """The verified credential, or the refusal in the verifier's words."""
    if result.credential is None:
        raise InvalidInput(f"not imported: the file could not be read. {result.headline}")
    if not result.verified:
        raise InvalidInput(f"not imported: {result.headline}")
    return result.credential


def _fields(
    verifier: Verifier,
    result: VerificationResult,
    document: Mapping[str, Any],
    credential_id: str,
    data: bytes,
    now: datetime,
    hosted_badge: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The imported row's columns, every one of them, computed before the row is built."""
    summary = result.summary
    recognition = result.recognition
    signer = recognition.signer if recognition is not None else None
    known = verifier.issuers.by_did(signer) if result.recognised and signer else None
    issuer_ref = (summary.issuer_id if summary is not None else None) or signer or "unknown"
    return {
        "credential_id": credential_id,
        "source_format": result.source_format,
        "credential": dict(document),
        "compact": _compact(data) if result.source_format in _JWS_FORMATS else None,
        "issuer_ref": issuer_ref[:MAX_URL_CHARS],
        # A name only as the operator's list gives it; otherwise the DID, the claim marked as
        # one.
        "issuer_name": (
            (known.name if known is not None else None)
            or (summary.issuer_words if summary is not None else None)
            or issuer_ref
        )[:_NAME_CHARS],
        "issuer_url": known.url if known is not None else None,
        "achievement_ref": _achievement_ref(document, credential_id)[:MAX_URL_CHARS],
        "achievement_name": (
            (summary.achievement_name if summary is not None else None)
            or _ob2_badge_name(verifier, document)
            or _named(hosted_badge)
            or "Credential"
        )[:_NAME_CHARS],
        "achievement_type": _type(summary.achievement_type if summary is not None else None),
        "credits": summary.credits if summary is not None else None,
        "valid_from": (
            ((summary.valid_from or summary.awarded_on) if summary is not None else None)
            or parse_datetime(document.get("issuedOn"))
            or now
        ),
        "valid_until": (summary.valid_until if summary is not None else None)
        or parse_datetime(document.get("expires")),
        "verified_at": now,
        "verification": result_json(result),
        "updated_at": now,
    }


def _hosted(document: Mapping[str, Any]) -> bool:
    verification = document.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    return kind in ("hosted", "HostedBadge")


def _ob2_badge_name(verifier: Verifier, document: Mapping[str, Any]) -> str | None:
    """An OB 2.0 assertion names its BadgeClass by URL: its name as the trust directory has
    the class (a hosted assertion's class is fetched before the transaction: `_import`)."""
    badge = document.get("badge")
    return _named(verifier.trust.documents.get(badge) if isinstance(badge, str) else badge)


def _named(found: object) -> str | None:
    name = found.get("name") if isinstance(found, Mapping) else None
    return name if isinstance(name, str) and name.strip() else None


def _compact(data: bytes) -> str | None:
    """The compact JWS inside what was presented: the text itself, or a baked image's."""
    try:
        if data.startswith(b"\x89PNG"):
            payload = extract_png(data).payload
        elif data.lstrip().startswith(b"<"):
            payload = extract_svg(data).payload
        else:
            payload = data.decode("utf-8")
    except (BakingError, UnicodeDecodeError):
        return None
    text = payload.strip()
    return text if text.count(".") == 2 and not text.startswith("{") else None


def _achievement_ref(document: Mapping[str, Any], credential_id: str) -> str:
    """The achievement's id: OB 3.0 `credentialSubject.achievement.id`, OB 2.0 `badge`."""
    subject = document.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    if isinstance(first, Mapping):
        achievement = first.get("achievement")
        if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
            return str(achievement["id"])
    badge = document.get("badge")
    if isinstance(badge, str):
        return badge
    if isinstance(badge, Mapping) and isinstance(badge.get("id"), str):
        return str(badge["id"])
    return credential_id


def _type(achievement_type: str | None) -> str:
    """Our taxonomy's word for the OB achievement type (`Certificate` -> certificate)."""
    if not achievement_type:
        return "badge"
    kind = from_ob_achievement_type(achievement_type)
    return kind.value if kind is not None else achievement_type.lower()[:_TYPE_CHARS]


def _view(
    row: ImportedCredentialRow,
    *,
    replaced: bool = False,
    counts_for: tuple[str, ...] = (),
    awarded: tuple[str, ...] = (),
) -> ImportedCredential:
    return ImportedCredential(
        public_id=row.public_id,
        credential_id=row.credential_id,
        achievement=row.achievement_name,
        issuer=row.issuer_name,
        recognised=row.issuer_url is not None or bool(row.verification.get("recognised")),
        source_format=row.source_format,
        valid_from=row.valid_from,
        credential=dict(row.credential),
        compact=row.compact,
        replaced=replaced,
        counts_for=counts_for,
        awarded=awarded,
    )
