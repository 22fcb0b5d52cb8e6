"""The learner's wallet: their own record, as they see it when signed in.

It is the staff learner record (``service.learner_record``) seen by its holder: every
credential from every issuer that holds a record of them, progress on everything they have
started (the engine's own outcome, the same pieces the staff page uses), the status of each
continuing-education cycle, the share links they have made, and the credentials from elsewhere
they imported. Only a signed-in learner has
a wallet; staff read a learner's record on the learner page instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credstack.domain.quantities import show
from credstack.errors import Forbidden, NotFound
from credstack.service import ce, clock
from credstack.service.actor import Actor, ActorKind
from credstack.service.imports import ImportedCredential, held_imports
from credstack.service.issuance import holder_did
from credstack.service.learner_record import HeldAward, InProgress, held_awards, in_progress
from credstack.service.learners import profile
from credstack.service.runtime import Runtime
from credstack.service.share_links import ShareLinkView, links_of
from credstack.service.visibility import learner_issuer_ids
from credstack.store.models import IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["WALLET_FILES", "CeStatus", "WalletView", "wallet"]

WALLET_FILES = "/wallet/credentials"
"""Where the wallet's download links point (served only to the credential's holder)."""


@dataclass(frozen=True)
class CeStatus:
    credential: str
    issuer: str
    cycle_start: date
    cycle_end: date
    hours: str
    required: str
    hours_needed: str
    days_left: int
    compliant: bool
    short_categories: tuple[str, ...]
    """"ethics: 2 hours short", for each category not yet met."""


@dataclass(frozen=True)
class WalletView:
    public_id: str
    name: str
    today: date
    awards: tuple[HeldAward, ...]
    """Newest first."""
    progress: tuple[InProgress, ...]
    ce: tuple[CeStatus, ...]
    shares: tuple[ShareLinkView, ...]
    """Newest first, revoked and expired ones included."""
    holder_did: str | None = None
    """The DID the learner bound (``service.holders``); credentials issued since name it."""
    imported: tuple[ImportedCredential, ...] = ()
    """Credentials from elsewhere the learner imported, oldest first (service.imports)."""


def _holder(uow: UnitOfWork, actor: Actor) -> LearnerRow:
    if actor.kind is not ActorKind.LEARNER or actor.learner_id is None:
        raise Forbidden(
            "the wallet is a signed-in learner's own record; staff see a learner on their "
            "learner page"
        )
    learner = uow.session.get(LearnerRow, actor.learner_id)
    if learner is None or learner.erased_at is not None:
        raise NotFound("no such learner")
    return learner


def _ce(uow: UnitOfWork, learner: LearnerRow, issuers: dict[int, IssuerRow]) -> list[CeStatus]:
    found = []
    for award in uow.awards.for_learner(learner.id):
        issuer = issuers.get(award.issuer_id)
        if issuer is None:
            continue
        report = ce.current_report(uow, award, clock.today(issuer))
        version = uow.achievements.version_by_id(award.achievement_version_id)
        if report is None or version is None:
            continue
        found.append(
            CeStatus(
                credential=version.name,
                issuer=issuer.name,
                cycle_start=report.cycle.start,
                cycle_end=report.cycle.end,
                hours=show(report.hours),
                required=show(report.required),
                hours_needed=show(report.hours_needed),
                days_left=report.days_left,
                compliant=report.compliant,
                short_categories=tuple(
                    f"{c.category}: {show(c.short_by)} hours short"
                    for c in report.categories
                    if not c.met
                ),
            )
        )
    return found


def wallet(runtime: Runtime, actor: Actor) -> WalletView:
    """The signed-in learner's wallet; anyone else is refused."""
    with runtime.uow(write=False) as uow:
        learner = _holder(uow, actor)
        shared = learner_issuer_ids(uow, learner)
        issuers = {i.id: i for i in uow.issuers.all() if i.id in shared}
        now = clock.now()
        awards = held_awards(uow, learner, issuers, now, files=WALLET_FILES)
        progress: list[InProgress] = []
        for issuer in sorted(issuers.values(), key=lambda i: i.name):
            held = {a.achievement for a in awards if a.issuer.key == issuer.key}
            progress.extend(in_progress(uow, learner, issuer, held, clock.today(issuer, now)))
        return WalletView(
            public_id=learner.public_id,
            name=profile(uow, learner).name,
            today=clock.utc_today(),
            awards=tuple(awards),
            progress=tuple(progress),
            ce=tuple(_ce(uow, learner, issuers)),
            shares=tuple(links_of(uow, runtime.settings.base_url, learner)),
            holder_did=holder_did(uow, learner),
            imported=held_imports(uow, learner),
        )
