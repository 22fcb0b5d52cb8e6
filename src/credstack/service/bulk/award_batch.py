"""Issuing a chunk of an award import's rows together, in the caller's transaction.

A row costs what signing its credential costs, plus a share of a few statements per chunk:
the chunk's learners are read (and the new ones written) in one go, the status-list indexes
are reserved once (`reservations`), and the awards, their lifecycle events, audit-trail
entries, CE cycles and e-mails are each inserted with one executemany. The achievement's
decoded definition, the part of the credential every award of it shares, and the issuer's
signing key are looked up once per run (`ImportRun`). Each credential is built by
`issuance.award_document`, the builder a single award's credential goes through.

A row the fast path cannot decide alone (its learner already holds an award of the
achievement, which may be current or lapsed) goes through `award_import.issue_line`, the
single-award path, in its own savepoint.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select

from credstack.domain.calendar import end_of, offset_minutes
from credstack.domain.catalog import Achievement
from credstack.domain.ce import CeRule, Cycle
from credstack.domain.parsing import MAX_AMOUNT
from credstack.domain.quantities import AmountError, parse_amount
from credstack.domain.records import AwardStatus
from credstack.errors import Conflict, CredstackError, InvalidInput, NotFound
from credstack.service import audit_trail, clock
from credstack.service.achievements import achievement_of
from credstack.service.awards import AlreadyHeld, award_time, valid_until_of
from credstack.service.bulk import award_import, reservations, settling
from credstack.service.bulk.award_rows import AwardLine
from credstack.service.bulk.settling import learners_to_settle
from credstack.service.bulk.views import DONE, FAILED, SKIPPED
from credstack.service.ce import maintenance_rule
from credstack.service.clock import issuer_zone
from credstack.service.engine import settle_imported, settling_catalogs
from credstack.service.issuance import CredentialBasis, award_document, credential_basis
from credstack.service.keys import KeyStore
from credstack.service.learners import profile, sealed_profile
from credstack.service.mail import outbox as mail_outbox
from credstack.service.mail.kinds import AWARDED
from credstack.service.status import status_list_url
from credstack.service.webhooks import events as webhook_events
from credstack.store.many_rows import insert_many
from credstack.store.models import (
    AchievementVersionRow,
    AwardEventRow,
    AwardRow,
    CeCycleRow,
    HolderDidRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.models.learners import new_public_id
from credstack.store.uow import UnitOfWork
from credstack.vc import dataintegrity
from credstack.vc.model import StatusEntryInfo

__all__ = ["ImportRun", "Item", "Outcome", "issue_chunk"]

_READ_BACK = 500
"""Public ids a read-back asks for at once (SQLite binds at most 32,766 parameters)."""


@dataclass(frozen=True)
class _Target:
    """An achievement as its awards are issued: the version, its definition and the part of
    every credential that is the same."""

    key: str
    achievement_id: int
    version: AchievementVersionRow
    typed: Achievement
    basis: CredentialBasis
    ce: CeRule | None
    """The rule its awards' CE cycles follow, if it has one."""


@dataclass
class ImportRun:
    """What a run looks up once rather than per row or per chunk."""

    keys: KeyStore
    base_url: str
    reserving: Callable[[], AbstractContextManager[UnitOfWork]] | None = None
    """Opens the short transaction status-list indexes are reserved in (PostgreSQL); without
    it they are reserved in the chunk's own transaction (SQLite's one writer)."""
    targets: dict[str, _Target | CredstackError] = field(default_factory=dict)

    def reserve(
        self, uow: UnitOfWork, issuer: IssuerRow, item_ids: Sequence[int]
    ) -> dict[int, reservations.Reserved]:
        if self.reserving is None:
            return reservations.reserve(uow, issuer, item_ids)
        with self.reserving() as own:
            found = reservations.reserve(own, issuer, item_ids)
            own.commit()
        return found

    def target(self, uow: UnitOfWork, issuer: IssuerRow, key: str) -> _Target:
        found = self.targets.get(key)
        if found is None:
            try:
                found = _resolve(uow, self.base_url, issuer, key)
            except CredstackError as exc:
                found = exc
            self.targets[key] = found
        if isinstance(found, CredstackError):
            raise found
        return found


def _resolve(uow: UnitOfWork, base_url: str, issuer: IssuerRow, key: str) -> _Target:
    """The issuable version of `key`, with the same refusals as `awards.grant_award`."""
    achievement = uow.achievements.by_key(issuer.id, key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {key!r}")
    version = uow.achievements.issuable(achievement)
    if version is None:
        current = uow.achievements.current(achievement)
        raise Conflict(
            f"{key} has no published version (v{current.version} is {current.status}): "
            "nothing is issued until a version is published"
        )
    rule = maintenance_rule(uow, version)
    return _Target(
        key=key,
        achievement_id=achievement.id,
        version=version,
        typed=achievement_of(uow, version),
        basis=credential_basis(uow, base_url, issuer, achievement, version),
        ce=rule[0] if rule is not None else None,
    )


@dataclass(frozen=True)
class Outcome:
    """What became of one item: `state` (done, skipped, failed), its award, its message."""

    state: str
    award: AwardRow | None = None
    award_id: int | None = None
    message: str | None = None


class Item(Protocol):
    """A job item as a chunk issues it (a `JobItemRow`, or a row of its three columns)."""

    @property
    def id(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any]: ...


def issue_chunk(
    uow: UnitOfWork, run: ImportRun, issuer: IssuerRow, items: Sequence[Item]
) -> dict[int, Outcome]:
    """Issue the items' rows in the unit's transaction; each item's outcome by its id.

    Nothing here commits: the caller commits the outcomes' `done` marks with the awards. The
    fast rows' status-list indexes are reserved first (`reservations`, before this transaction
    takes any status-list lock: on PostgreSQL the reservation is another connection's), and
    the audit-trail entries are appended last, so the chain's head is held only from there to
    the commit.
    """
    lines = {item.id: AwardLine.of(item.line, item.payload) for item in items}
    outcomes: dict[int, Outcome] = {}
    targets: dict[int, _Target] = {}
    for item_id, line in lines.items():
        try:
            targets[item_id] = run.target(uow, issuer, line.achievement)
        except CredstackError as exc:
            outcomes[item_id] = Outcome(FAILED, message=exc.message)
    learners = _learners(uow, [lines[i] for i in targets])
    held = _held(
        uow, [row.id for key, row in learners.rows.items() if key not in learners.new_names]
    )
    fast: list[int] = []
    careful: list[int] = []
    for item_id, target in targets.items():
        line = lines[item_id]
        refused = learners.refused.get(line.learner)
        if refused is not None:
            outcomes[item_id] = Outcome(FAILED, message=refused)
        elif (learners.rows[line.learner].id, target.achievement_id) in held:
            careful.append(item_id)
        else:
            fast.append(item_id)
    reserved: dict[int, reservations.Reserved] = {}
    if fast:
        try:
            run.keys.signing_key(issuer)  # no key, no reservation: the rows fail as they are
            reserved = run.reserve(uow, issuer, fast)
        except CredstackError as exc:
            outcomes.update({i: Outcome(FAILED, message=exc.message) for i in fast})
            fast = []
    # A row off the fast path may hold an index a killed run reserved for it: it goes back to
    # the free pool, where the single-award path below (or the next award) takes it first.
    reservations.free(uow, sorted(set(lines) - set(fast)))
    imported: dict[str, list[str]] = {}
    for item_id in careful:
        line = lines[item_id]
        outcomes[item_id] = outcome = _one_at_a_time(uow, run, issuer, line)
        if outcome.award is not None:
            imported.setdefault(line.learner, []).append(f"award:{outcome.award.public_id}")
    entries: list[audit_trail.Entry] = []
    inserted: dict[str, dict[str, Any]] = {}
    if fast:
        rows = [(lines[i], targets[i], learners.rows[lines[i].learner], reserved[i]) for i in fast]
        savepoint = uow.session.begin_nested()
        try:
            made, entries = _issue_together(uow, run, issuer, rows, learners.new_names)
            inserted = {f"award:{values['public_id']}": values for values in made}
        except CredstackError as exc:
            savepoint.rollback()
            outcomes.update({i: Outcome(FAILED, message=exc.message) for i in fast})
            reservations.free(uow, fast)
        else:
            savepoint.commit()
            for i, values in zip(fast, made, strict=True):
                outcomes[i] = Outcome(DONE, award_id=values["id"])
                imported.setdefault(lines[i].learner, []).append(f"award:{values['public_id']}")
            reservations.release(uow, fast)
    new = {learners.rows[key].id for key in learners.new_names}
    _settle_stacks(uow, run, issuer, learners.rows, imported, (inserted, new), lines, outcomes)
    audit_trail.record_many(uow, entries)
    return outcomes


def _settle_stacks(
    uow: UnitOfWork,
    run: ImportRun,
    issuer: IssuerRow,
    learners: dict[str, LearnerRow],
    imported: dict[str, list[str]],
    known: tuple[settling.Inserted, set[int]],
    lines: dict[int, AwardLine],
    outcomes: dict[int, Outcome],
) -> None:
    """Award what the imported awards complete, as the engine does for a new award: once per
    learner for all of the chunk's awards, in the chunk's transaction (so exactly once), and
    only for the learners an in-memory cascade over the chunk's records finds something for
    (`settling.learners_to_settle`; `known`: the awards the chunk inserted and the learners it
    made, whose records are those awards alone)
    A stack that cannot be awarded now (say, no signing key) leaves the rows issued, notes why
    on them, and is awarded when the learner's next record is settled."""
    if not imported:
        return
    catalogs = settling_catalogs(uow, issuer)
    if not any(compiled.requirements for _, compiled in catalogs):
        return
    uow.session.flush()
    chosen = learners_to_settle(
        uow, catalogs, {learners[key].id: awards for key, awards in imported.items()}, *known
    )
    for learner_key, awards in imported.items():
        if learners[learner_key].id not in chosen:
            continue  # the engine would award nothing: nothing to write
        savepoint = uow.session.begin_nested()
        try:
            settle_imported(
                uow,
                run.keys,
                learner=learners[learner_key],
                issuer=issuer,
                awards=awards,
                catalogs=catalogs,
            )
        except CredstackError as exc:
            savepoint.rollback()
            note = f"issued; its stacks were not settled: {exc.message}"
            for item_id, line in lines.items():
                if line.learner == learner_key and outcomes[item_id].state == DONE:
                    outcomes[item_id] = replace(outcomes[item_id], message=note)
        else:
            savepoint.commit()


def _one_at_a_time(uow: UnitOfWork, run: ImportRun, issuer: IssuerRow, line: AwardLine) -> Outcome:
    savepoint = uow.session.begin_nested()
    try:
        award = award_import.issue_line(uow, run.keys, issuer, line)
    except AlreadyHeld as exc:
        savepoint.rollback()
        return Outcome(SKIPPED, message=exc.message)
    except CredstackError as exc:
        savepoint.rollback()
        return Outcome(FAILED, message=exc.message)
    savepoint.commit()
    return Outcome(DONE, award=award, award_id=award.id)


@dataclass
class _Learners:
    """The chunk's learners by key; for those made here, the name as given (it is sealed on
    the row), and for those that could not be made, why."""

    rows: dict[str, LearnerRow]
    new_names: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def _learners(uow: UnitOfWork, lines: Sequence[AwardLine]) -> _Learners:
    """The rows' learners, the missing ones created: one read, one check, one write.

    A learner another worker created meanwhile (its batch had a row of the same new learner)
    is used as found, as if it had existed: it is no longer new here."""
    wanted = {line.learner: line for line in lines}
    found = _Learners(
        {
            row.key: row
            for row in uow.session.scalars(select(LearnerRow).where(LearnerRow.key.in_(wanted)))
        }
    )
    missing = [line for key, line in wanted.items() if key not in found.rows]
    if not missing:
        return found
    personal = uow.personal
    emails = {line.learner: line.email.strip() if line.email else None for line in missing}
    lookups = {key: personal.lookup_hash(email) for key, email in emails.items() if email}
    taken = set(
        uow.session.scalars(
            select(LearnerRow.email_lookup).where(LearnerRow.email_lookup.in_(lookups.values()))
        )
    )
    fresh: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for line in missing:
        key = line.learner
        if lookups.get(key) in taken:
            # Checked when the file was submitted; another learner has taken it since.
            found.refused[key] = _ADDRESS_TAKEN
            continue
        names[key] = line.name.strip()
        public_id, salt = new_public_id(), secrets.token_hex(16)
        fresh[key] = {"key": key, "public_id": public_id, "identity_salt": salt}
        fresh[key].update(
            sealed_profile(
                uow, key=key, public_id=public_id, salt=salt, name=names[key], email=emails[key]
            )
        )
    made = uow.learners.add_unless_taken(list(fresh.values()))
    for key, values in fresh.items():
        row = made.get(key)
        if row is None:  # its address was taken meanwhile, under another key
            found.refused[key] = _ADDRESS_TAKEN
            continue
        found.rows[key] = row
        if row.public_id == values["public_id"]:
            found.new_names[key] = names[key]
    return found


_ADDRESS_TAKEN = "another learner already has this email address"


def _held(uow: UnitOfWork, learner_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(learner, achievement) pairs with an active award: those rows take the careful path."""
    if not learner_ids:
        return set()
    rows = uow.session.execute(
        select(AwardRow.learner_id, AchievementVersionRow.achievement_id)
        .join(AchievementVersionRow, AchievementVersionRow.id == AwardRow.achievement_version_id)
        .where(AwardRow.learner_id.in_(learner_ids), AwardRow.status == AwardStatus.ACTIVE)
    )
    return {(learner_id, achievement_id) for learner_id, achievement_id in rows}


def _score(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(parse_amount(text, places=2, maximum=MAX_AMOUNT, what="score"))
    except AmountError as exc:
        raise InvalidInput(str(exc)) from None


@dataclass
class _Dated:
    """A chunk's award days, validities and scores, each distinct one worked out once: a file
    gives most of its rows the same day and few distinct scores. An instant with its offset
    is not kept (two equal instants may be written with different offsets, and the award
    keeps the one given)."""

    issuer: IssuerRow
    days: dict[date, tuple[date, datetime]] = field(default_factory=dict)
    until: dict[tuple[str, date], tuple[date | None, datetime | None]] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)

    def time(self, line: AwardLine) -> tuple[date, datetime]:
        if line.awarded_at is not None or line.awarded_on is None:
            return award_time(self.issuer, line.awarded_on, line.awarded_at)
        found = self.days.get(line.awarded_on)
        if found is None:
            found = self.days[line.awarded_on] = award_time(self.issuer, line.awarded_on, None)
        return found

    def valid_until(self, target: _Target, awarded_on: date) -> tuple[date | None, datetime | None]:
        """The last valid day, and the instant it ends in the issuer's zone."""
        found = self.until.get((target.key, awarded_on))
        if found is None:
            day = valid_until_of(target.typed, awarded_on)
            ends = end_of(day, issuer_zone(self.issuer)) if day is not None else None
            found = self.until[(target.key, awarded_on)] = (day, ends)
        return found

    def score(self, line: AwardLine) -> float | None:
        if line.score is None:
            return None
        if line.score not in self.scores:
            self.scores[line.score] = _score(line.score)
        return self.scores[line.score]


def _issue_together(
    uow: UnitOfWork,
    run: ImportRun,
    issuer: IssuerRow,
    rows: Sequence[tuple[AwardLine, _Target, LearnerRow, reservations.Reserved]],
    new_names: dict[str, str],
) -> tuple[list[dict[str, Any]], list[audit_trail.Entry]]:
    """Sign and insert the rows' awards and everything that goes with them, at their reserved
    indexes; the values each award was inserted with (and its `id`), and the audit-trail
    entries for the caller to append."""
    key = run.keys.signing_key(issuer)
    dated = _Dated(issuer)
    now = clock.now()
    holders = _holder_dids(uow, [learner.id for _, _, learner, _ in rows])
    awards: list[dict[str, Any]] = []
    for line, target, learner, reserved in rows:
        awarded_on, awarded_at = dated.time(line)
        valid_until, ends = dated.valid_until(target, awarded_on)
        public_id = str(uuid.uuid4())
        evidence = line.evidence()
        document = award_document(
            target.basis,
            base_url=run.base_url,
            public_id=public_id,
            learner=learner,
            printed_name=_printed_name(uow, learner, new_names),
            awarded=awarded_at,
            valid_until=ends,
            route=None,
            counted=(),
            status=StatusEntryInfo(
                list_credential_url=status_list_url(run.base_url, issuer.key, reserved.list_key),
                index=reserved.index,
                purpose="revocation",
            ),
            documented=evidence,
            holder=holders.get(learner.id),
        )
        awards.append(
            {
                "public_id": public_id,
                "learner_id": learner.id,
                "issuer_id": issuer.id,
                "achievement_version_id": target.version.id,
                "awarded_on": awarded_on,
                "awarded_at": awarded_at,
                "awarded_offset": offset_minutes(awarded_at),
                "valid_until": valid_until,
                "status": AwardStatus.ACTIVE,
                "grade": None,
                "score": dated.score(line),
                "evidence": evidence,
                "counted": [],
                "origin": award_import.ORIGIN,
                "credential": dataintegrity.sign(document, key, created=now),
                "status_list_id": reserved.list_id,
                "status_list_index": reserved.index,
                "created_at": now,
            }
        )
    # The driver's executemany (`insert_many`), then the ids read back by public id: the
    # rows' values go in without SQLAlchemy's per-parameter work, a good part of a row's cost
    # outside signing.
    uow.session.flush()
    connection = uow.session.connection()
    insert_many(connection, AwardRow, awards)
    made: dict[str, int] = {}
    for start in range(0, len(awards), _READ_BACK):
        public_ids = [award["public_id"] for award in awards[start : start + _READ_BACK]]
        made.update(
            connection.execute(
                select(AwardRow.public_id, AwardRow.id).where(AwardRow.public_id.in_(public_ids))
            ).all()
        )
    ids = [made[award["public_id"]] for award in awards]
    insert_many(
        connection,
        AwardEventRow,
        [{"award_id": i, "kind": "issued", "reason": award_import.ORIGIN, "at": now} for i in ids],
    )
    entries: list[audit_trail.Entry] = []
    cycles: list[dict[str, Any]] = []
    for award_id, award, (_, target, learner, _) in zip(ids, awards, rows, strict=True):
        entries.append(
            audit_trail.Entry(
                action="award.issued",
                subject=f"award:{award['public_id']}",
                details={
                    "issuer": issuer.key,
                    "learner": learner.public_id,
                    "achievement": target.key,
                    "version": target.version.version,
                    "origin": award_import.ORIGIN,
                },
            )
        )
        entries.append(
            audit_trail.Entry(
                action="key.used",
                subject=f"issuer:{issuer.key}",
                details={"key": key.verification_method, "credential": award["public_id"]},
            )
        )
        if target.ce is not None:
            cycle = Cycle.starting(award["awarded_on"], target.ce.cycle)
            cycles.append(
                {
                    "award_id": award_id,
                    "number": 1,
                    "starts_on": cycle.start,
                    "ends_on": cycle.end,
                    "status": "open",
                }
            )
    if cycles:
        insert_many(connection, CeCycleRow, cycles)
    mail_outbox.queue_for_awards(
        uow, AWARDED, [(i, learner) for i, (_, _, learner, _) in zip(ids, rows, strict=True)]
    )
    if webhook_events.subscribed(uow, issuer.id, webhook_events.ISSUED):
        for issued in uow.session.scalars(select(AwardRow).where(AwardRow.id.in_(ids))):
            webhook_events.award_events(uow, webhook_events.ISSUED, issued)
    for award_id, award in zip(ids, awards, strict=True):
        award["id"] = award_id
    return awards, entries


def _holder_dids(uow: UnitOfWork, learner_ids: Sequence[int]) -> dict[int, str]:
    """The DIDs the batch's learners bound (``service.holders``): their credentials name them,
    as a single award's would."""
    if not learner_ids:
        return {}
    rows = uow.session.execute(
        select(HolderDidRow.learner_id, HolderDidRow.did).where(
            HolderDidRow.learner_id.in_(learner_ids)
        )
    )
    return {row.learner_id: row.did for row in rows}


def _printed_name(uow: UnitOfWork, learner: LearnerRow, new_names: dict[str, str]) -> str | None:
    """The name the credential hashes: a learner made in this chunk is named as given."""
    name = new_names.get(learner.key)
    if name is not None:
        return name
    person = profile(uow, learner)
    return None if person.erased else person.name
