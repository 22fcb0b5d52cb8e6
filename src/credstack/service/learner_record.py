"""The learner record staff read: every award, progress in the making, and the record as one
signed CLR 2.0 credential (``GET /learners/{learner}`` and ``GET /learners/{learner}/clr``).

Who may see it: staff with a role at an issuer where the learner has a record, and only the
part of the record those issuers hold (``service.visibility``'s rule, asked of the `Actor`);
a signed-in learner their own record, all of it (``service.wallet`` is their page). A learner
one may not see is reported exactly like one that does not exist.

Which key signs it: credstack has no platform-wide key, only issuers' keys, and a CLR's proof
only says who assembled the record (each wrapped credential keeps its own issuer's proof).
So the record is assembled and signed by the issuer that issued most of the wrapped
credentials (ties go to the issuer key that sorts first), and it wraps only credentials of
issuers where the requesting staff member holds a role: a staff member can never make one
issuer vouch for another's awards they could not see.

Only active, unexpired awards are wrapped: a learner record says what the learner holds now.
Where one wrapped credential counted toward another (a microcredential in its certification's
stack), the record says so with an ``isPartOf`` association.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from credstack.domain.records import AwardStatus
from credstack.domain.requirements import Holds
from credstack.errors import NotFound
from credstack.service import clock, engine
from credstack.service.achievements import achievement_of
from credstack.service.actor import Actor, ActorKind
from credstack.service.award_records import valid_until
from credstack.service.explain import outcome_json
from credstack.service.issuance import credential_url, mark_identity_type, subject_identity
from credstack.service.keys import IssuerKeys
from credstack.service.learners import find_learner, profile
from credstack.service.runtime import Runtime
from credstack.service.visibility import learner_issuer_ids
from credstack.store.models import AwardRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from credstack.vc.clr import AssociationInfo, clr_credential
from credstack.vc.model import IssuerProfile

__all__ = [
    "ChecklistItem",
    "HeldAward",
    "InProgress",
    "IssuerRef",
    "LearnerRecordView",
    "RecordExport",
    "RecordMoved",
    "award_state",
    "held_awards",
    "in_progress",
    "learner_clr",
    "learner_record_clr",
    "learner_record_page",
    "record_signer",
]


@dataclass(frozen=True)
class IssuerRef:
    key: str
    name: str


@dataclass(frozen=True)
class HeldAward:
    id: str
    name: str
    type: str
    issuer: IssuerRef
    achievement: str
    designation: str | None
    awarded_on: date
    valid_until: date | None
    state: str
    reason: str | None
    origin: str
    signed: bool
    links: tuple[tuple[str, str], ...]
    """(label, href) of each form the credential is served in, and its verification."""


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    met: bool
    progress: str


@dataclass(frozen=True)
class InProgress:
    issuer: IssuerRef
    key: str
    name: str
    checklist: tuple[ChecklistItem, ...]
    """The requirement's parts, as `credstack progress` names them."""
    steps: str
    percent: int
    next: str | None
    why_not: tuple[str, ...]
    shared: tuple[str, ...]


@dataclass(frozen=True)
class LearnerRecordView:
    public_id: str
    key: str
    name: str
    email: str | None
    today: date
    awards: tuple[HeldAward, ...]
    """Newest first."""
    progress: tuple[InProgress, ...]
    issuer_names: tuple[str, ...]
    """The issuers whose part of the record the reader sees."""


@dataclass(frozen=True)
class RecordMoved:
    """The learner was named by the registrar's key: the record lives at the opaque id, so an
    address bar and a browser history hold no learner's key."""

    public_id: str


@dataclass(frozen=True)
class RecordExport:
    public_id: str
    document: dict[str, object]


def record_signer(awards: Sequence[AwardRow], issuers: dict[int, IssuerRow]) -> IssuerRow:
    counts = Counter(a.issuer_id for a in awards)
    best = max(counts.values())
    return min((issuers[i] for i, n in counts.items() if n == best), key=lambda i: i.key)


def learner_clr(
    keys: IssuerKeys,
    base_url: str,
    *,
    learner: LearnerRow,
    awards: Sequence[AwardRow],
    issuers: dict[int, IssuerRow],
    name: str,
    now: datetime,
) -> dict[str, object]:
    """``awards`` are the ones to wrap (already filtered); ``issuers`` maps their issuer ids."""
    wrapped = [a for a in awards if a.credential is not None]
    if not wrapped:
        raise NotFound(f"learner {learner.key} holds no issued credential you can export")
    signer = record_signer(wrapped, issuers)
    ids = {f"award:{a.public_id}": credential_url(base_url, a.public_id) for a in wrapped}
    associations = [
        AssociationInfo(ids[part], credential_url(base_url, a.public_id), "isPartOf")
        for a in wrapped
        for part in a.counted
        if part in ids
    ]
    subject = subject_identity(learner, name if learner.erased_at is None else None)
    key = keys.signing_key(signer)
    # The key's controller is the signer's DID, did:web or did:key.
    profile = IssuerProfile(id=key.controller, name=signer.name, url=signer.url, email=signer.email)
    document = clr_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=profile,
        name=f"Learner record of {name}",
        subject=subject,
        credentials=[a.credential for a in wrapped if a.credential is not None],
        valid_from=now,
        associations=associations,
        description=f"Assembled by {signer.name} from credentials issued on this server.",
        partial=True,
    )
    mark_identity_type(document, learner)
    signed: dict[str, object] = dataintegrity.sign(document, key, created=now)
    return signed


def award_state(award: AwardRow, today: date) -> str:
    """One word for the wallet: revoked wins over expired, expired over flagged."""
    if award.status != AwardStatus.ACTIVE:
        return award.status
    if award.valid_until is not None and award.valid_until < today:
        return AwardStatus.EXPIRED
    if award.review_flag:
        return "flagged"
    return AwardStatus.ACTIVE


def _open(uow: UnitOfWork, actor: Actor, ref: str) -> tuple[LearnerRow, dict[int, IssuerRow]]:
    """The learner and the issuers whose part of the record `actor` may see (a signed-in
    learner sees all of their own); NotFound for a learner they may not see, as for no such
    learner."""
    learner = find_learner(uow, ref)
    issuers: dict[int, IssuerRow] = {}
    own = False
    if learner is not None:
        own = actor.kind is ActorKind.LEARNER and actor.learner_id == learner.id
        shared = learner_issuer_ids(uow, learner)
        staff = actor.issuers()
        everything = actor.is_operator or own
        issuers = {
            i.id: i for i in uow.issuers.all() if i.id in shared and (everything or i.key in staff)
        }
    if learner is not None and own:
        return learner, issuers
    if learner is None or not issuers:
        raise NotFound(f"unknown learner {ref!r}")
    return learner, issuers


def _ref(issuer: IssuerRow) -> IssuerRef:
    return IssuerRef(issuer.key, issuer.name)


def held_awards(
    uow: UnitOfWork,
    learner: LearnerRow,
    issuers: dict[int, IssuerRow],
    now: datetime,
    *,
    files: str = "/credentials",
) -> list[HeldAward]:
    """The learner's awards at `issuers`, newest first, with links to each form of the
    credential under `files` (the public URLs, or the wallet's downloads)."""
    out = []
    for award in uow.awards.for_learner(learner.id):
        issuer = issuers.get(award.issuer_id)
        version = uow.achievements.version_by_id(award.achievement_version_id)
        if issuer is None or version is None:
            continue
        base = f"{files}/{award.public_id}"
        achievement = achievement_of(uow, version)
        out.append(
            HeldAward(
                id=award.public_id,
                name=version.name,
                type=version.type,
                issuer=_ref(issuer),
                achievement=achievement.key,
                designation=achievement.designation,
                awarded_on=award.awarded_on,
                valid_until=valid_until(award, issuer),
                state=award_state(award, clock.today(issuer, now)),
                reason=award.status_reason or award.review_flag,
                origin=award.origin,
                signed=award.credential is not None,
                links=(
                    ("JSON", base if files == "/credentials" else f"{base}/credential.json"),
                    ("VC-JWT", f"{base}/credential.jwt"),
                    ("Badge PNG", f"{base}/badge.png"),
                    ("Badge SVG", f"{base}/badge.svg"),
                    ("PDF", f"{base}/certificate.pdf"),
                    ("Verify", f"/verify?credential={award.public_id}"),
                ),
            )
        )
    out.sort(key=lambda a: (a.awarded_on, a.name), reverse=True)
    return out


def in_progress(
    uow: UnitOfWork, learner: LearnerRow, issuer: IssuerRow, held: set[str], today: date
) -> list[InProgress]:
    """Achievements (paths, stacks, clusters, degrees) the learner has started on (something
    counts) but does not yet hold, with the next step and why not yet."""
    found = []
    compiled = engine.compile_catalog(uow, issuer)
    for key in sorted(compiled.requirements):
        if key in held:
            continue
        outcome = engine.progress(
            uow, learner=learner, issuer=issuer, achievement_key=key, as_of=today
        )
        steps = outcome.leaf_progress()
        if outcome.met or steps.done == 0:
            continue
        step = outcome.suggested_next()
        next_step = None
        if step is not None:
            wanted = step.requirement
            held_key = wanted.achievement if isinstance(wanted, Holds) else None
            version = compiled.versions.get(held_key) if held_key else None
            next_step = f"earn {version.name}" if version else str(outcome_json(step)["name"])
        parts = outcome_json(outcome).get("children", [])
        found.append(
            InProgress(
                issuer=_ref(issuer),
                key=key,
                name=compiled.versions[key].name,
                checklist=tuple(
                    ChecklistItem(c["name"], c["met"], c["progress"]["text"]) for c in parts
                ),
                steps=str(steps),
                percent=round(100 * steps.done / steps.needed) if steps.needed else 0,
                next=next_step,
                why_not=tuple(dict.fromkeys(outcome.why_not())),
                shared=tuple(note for node in outcome.walk() for note in node.notes),
            )
        )
    return found


def learner_record_page(
    runtime: Runtime, actor: Actor, *, learner: str
) -> LearnerRecordView | RecordMoved:
    """The learner record as the staff member `actor` may see it (awards from the issuers
    where they hold a role, and progress on those issuers' achievements), or all of it for the
    signed-in learner themselves."""
    with runtime.uow(write=False) as uow:
        who, issuers = _open(uow, actor, learner)
        if learner != who.public_id:
            return RecordMoved(who.public_id)
        person = profile(uow, who)
        now = clock.now()
        awards = held_awards(uow, who, issuers, now)
        progress: list[InProgress] = []
        for issuer in sorted(issuers.values(), key=lambda i: i.name):
            held = {a.achievement for a in awards if a.issuer.key == issuer.key}
            progress.extend(in_progress(uow, who, issuer, held, clock.today(issuer, now)))
        return LearnerRecordView(
            public_id=who.public_id,
            key=who.key,
            name=person.name,
            email=person.email,
            today=now.date(),
            awards=tuple(awards),
            progress=tuple(progress),
            issuer_names=tuple(sorted(i.name for i in issuers.values())),
        )


def learner_record_clr(
    runtime: Runtime, actor: Actor, *, learner: str
) -> RecordExport | RecordMoved:
    """The part of the record `actor` may see, as one signed CLR 2.0 credential wrapping the
    active and flagged awards (see the module's note on which issuer signs)."""
    with runtime.uow(write=False) as uow:
        who, issuers = _open(uow, actor, learner)
        if learner != who.public_id:
            return RecordMoved(who.public_id)
        now = clock.now()
        held = [
            a
            for a in uow.awards.for_learner(who.id)
            if a.issuer_id in issuers
            and award_state(a, clock.today(issuers[a.issuer_id], now)) in ("active", "flagged")
        ]
        document = learner_clr(
            runtime.keys(uow),
            runtime.settings.base_url,
            learner=who,
            awards=held,
            issuers=issuers,
            name=profile(uow, who).name,
            now=now,
        )
        return RecordExport(who.public_id, document)
