"""The stacking engine at work: a new record in, every award it makes possible out.

The requirement trees of an issuer's issuable achievements are compiled once per catalog state
(parsed trees plus a reverse index from what they mention to who mentions it), so a new record
re-evaluates only its dependants, then theirs as awards cascade, all in the caller's
transaction. Awards are made at most once: an achievement already held is never awarded again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from credstack.domain.audit import DegreeAudit, degree_audit
from credstack.domain.dependants import DependantIndex, cascade
from credstack.domain.evaluator import evaluate
from credstack.domain.outcome import Outcome
from credstack.domain.records import Award, Record
from credstack.domain.requirements import AssessmentPassed, Requirement, iter_nodes
from credstack.errors import InvalidInput, NotFound
from credstack.service.achievements import achievement_of
from credstack.service.awards import grant_award, holds
from credstack.service.clock import on_day
from credstack.service.explain import Names
from credstack.service.issuance import awarded_instant
from credstack.service.keys import IssuerKeys
from credstack.service.records import Records, load_records
from credstack.store.decoded import StackIndex
from credstack.store.models import (
    AchievementVersionRow,
    AssessmentAttemptRow,
    AttestationRow,
    AwardRow,
    CourseCompletionRow,
    ImportedCredentialRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "CompiledCatalog",
    "Settlement",
    "audit",
    "catalog_names",
    "compile_catalog",
    "evidence_of",
    "progress",
    "reconsider",
    "settle",
    "settle_imported",
    "settling_catalogs",
]


@dataclass(frozen=True)
class CompiledCatalog:
    issuer_key: str
    requirements: Mapping[str, Requirement]
    versions: Mapping[str, AchievementVersionRow]
    index: DependantIndex


def compile_catalog(uow: UnitOfWork, issuer: IssuerRow) -> CompiledCatalog:
    """Requirement trees of the issuer's issuable achievements, indexed once per catalog state.

    The issuable version of an achievement is its newest published one: a newer version still
    in review does not stop the published one from being issued.
    """
    versions: dict[str, AchievementVersionRow] = {}
    for achievement in uow.achievements.all(issuer.id):
        version = uow.achievements.issuable(achievement)
        if version is not None:
            versions[achievement.key] = version
    state = tuple(sorted((key, v.content_hash) for key, v in versions.items()))

    def build() -> StackIndex:
        requirements: dict[str, Requirement] = {}
        for key, version in versions.items():
            tree = achievement_of(uow, version).requirements
            if tree is not None:
                requirements[key] = tree
        return StackIndex(requirements, DependantIndex.build(requirements))

    stacks = uow.decoded.stack_index((issuer.key, state), build)
    return CompiledCatalog(issuer.key, stacks.requirements, versions, stacks.index)


@dataclass
class Settlement:
    """What one new record led to: the awards made and the outcomes of its dependants."""

    awarded: list[AwardRow] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def why_not(self, achievement_key: str) -> tuple[str, ...]:
        outcome = self.outcomes.get(achievement_key)
        return () if outcome is None else outcome.why_not()


def _evidence(outcome: Outcome, records: Records) -> list[dict[str, Any]]:
    """The counted records, described so a person (and the signed credential) can read them."""
    by_id = records.by_id()
    evidence: list[dict[str, Any]] = []
    for rid in outcome.counted:
        record = by_id.get(rid)
        if record is None:
            continue
        entry: dict[str, Any] = {"id": rid, "kind": records.rows[rid].kind.value}
        if isinstance(record, Award):
            entry.update(
                achievement=record.achievement_id,
                name=record.title,
                issuer=record.issuer_id,
                date=record.awarded_on.isoformat(),
            )
        else:
            entry["record"] = type(record).__name__
        evidence.append(entry)
    return evidence


evidence_of = _evidence
"""The counted records described for a person and the credential (for the nightly job)."""


def _award_maker(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    learner: LearnerRow,
    perspective: IssuerRow,
    records: Records,
    awarded_on: date | None,
    awarded_at: datetime | None,
    made: list[AwardRow],
) -> Callable[[str, Outcome], Award]:
    """What `cascade` calls when an achievement is met: one automatic award, with the counted
    records as evidence, noted in `made` and admitted to `records` so later trees can count
    it. `settle`, `settle_imported` and `reconsider` differ only in how they date the award."""

    def make_award(key: str, outcome: Outcome) -> Award:
        row = grant_award(
            uow,
            issuer=perspective,
            learner=learner,
            achievement_key=key,
            awarded_on=awarded_on,
            awarded_at=awarded_at,
            evidence=_evidence(outcome, records),
            counted=list(outcome.counted),
            evidence_refs=records.evidence(uow, outcome.counted),
            origin="automatic",
            keys=keys,
        )
        made.append(row)
        return records.admit(row)

    return make_award


def settle(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    learner: LearnerRow,
    issuer: IssuerRow,
    trigger: str,
    as_of: date | None = None,
    at: datetime | None = None,
    perspectives: list[IssuerRow] | None = None,
) -> Settlement:
    """Re-evaluate what depends on `trigger` and award whatever is now met, recursively.

    `at` is the instant of the triggering event (an attempt's time): each issuer evaluates on,
    and dates its awards, the calendar day `at` falls on in its own zone, the same day it will
    give the record when it re-reads it. Given only `as_of`, awards start that day.
    `perspectives` replaces the issuers that evaluate (the record's issuer and whoever lists it
    as a partner): an imported credential has no issuer here, only the catalogs accepting it.
    """
    if at is None and as_of is None:
        raise ValueError("settle needs the day or the instant of the new record")
    settlement = Settlement()
    chosen = _perspectives(uow, issuer) if perspectives is None else perspectives
    for perspective in chosen:
        day = on_day(perspective, at) if at is not None else as_of
        assert day is not None
        records = load_records(uow, learner, perspective)
        by_id = records.by_id()
        if trigger not in by_id:
            raise NotFound(f"no record {trigger} for learner {learner.key}")
        others = [r for r in records.items if r.id != trigger]
        compiled = compile_catalog(uow, perspective)

        make_award = _award_maker(
            uow,
            keys,
            learner=learner,
            perspective=perspective,
            records=records,
            awarded_on=None if at is not None else day,
            awarded_at=at,
            made=settlement.awarded,
        )

        result = cascade(
            compiled.requirements, compiled.index, others, by_id[trigger], day, make_award
        )
        for key, outcome in result.outcomes.items():
            settlement.outcomes.setdefault(key, outcome)
    return settlement


def settle_imported(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    learner: LearnerRow,
    issuer: IssuerRow,
    awards: Sequence[str],
    catalogs: Sequence[tuple[IssuerRow, CompiledCatalog]] | None = None,
) -> list[AwardRow]:
    """What a learner's imported awards (record ids) complete, settled as `settle` settles one
    new record, for each in the order they were awarded: the learner's records are read once
    per perspective for them all, not once per award. Awards made are dated by the award that
    completed them, as if the imported awards had been issued here one by one. `catalogs`
    (`settling_catalogs`) may be looked up once for many learners."""
    made: list[AwardRow] = []
    for perspective, compiled in catalogs or settling_catalogs(uow, issuer):
        if not compiled.requirements:
            continue
        records = load_records(uow, learner, perspective)
        by_id = records.by_id()
        pending = set(awards)
        triggers = sorted(
            (records.awards[rid] for rid in awards if rid in records.awards),
            key=lambda row: (awarded_instant(perspective, row), row.id),
        )
        settled = [r for r in records.items if r.id not in pending]
        for row in triggers:
            at = awarded_instant(perspective, row)
            trigger = by_id[f"award:{row.public_id}"]
            day = on_day(perspective, at)

            make_award = _award_maker(
                uow,
                keys,
                learner=learner,
                perspective=perspective,
                records=records,
                awarded_on=None,
                awarded_at=at,
                made=made,
            )

            result = cascade(
                compiled.requirements, compiled.index, settled, trigger, day, make_award
            )
            settled += [trigger, *result.awarded]
    return made


def settling_catalogs(
    uow: UnitOfWork, issuer: IssuerRow
) -> list[tuple[IssuerRow, CompiledCatalog]]:
    """Who settles a record of `issuer` (itself and its partners), with their compiled trees."""
    return [(p, compile_catalog(uow, p)) for p in _perspectives(uow, issuer)]


def _perspectives(uow: UnitOfWork, issuer: IssuerRow) -> list[IssuerRow]:
    """The record's issuer, and every issuer that lists it as a recognised partner."""
    found = [issuer]
    for other in uow.issuers.all():
        if other.id != issuer.id and uow.issuers.partner(other.id, issuer.key) is not None:
            found.append(other)
    return found


def catalog_names(uow: UnitOfWork, issuer: IssuerRow) -> Names:
    """Names of the issuer's achievements and assessments, by id, for text people read."""
    by_id = {key: version.name for key, version in compile_catalog(uow, issuer).versions.items()}
    for requirement in compile_catalog(uow, issuer).requirements.values():
        for node in iter_nodes(requirement):
            if isinstance(node, AssessmentPassed) and node.assessment not in by_id:
                row = uow.assessments.by_key(issuer.id, node.assessment)
                version = uow.assessments.current(row) if row is not None else None
                title = version.definition.get("title") if version is not None else None
                if isinstance(title, str) and title:
                    by_id[node.assessment] = title
    return Names(by_id)


def progress(
    uow: UnitOfWork, *, learner: LearnerRow, issuer: IssuerRow, achievement_key: str, as_of: date
) -> Outcome:
    """Where a learner stands on one achievement: met or not, how far, and why not."""
    compiled = compile_catalog(uow, issuer)
    requirement = compiled.requirements.get(achievement_key)
    if requirement is None:
        if uow.achievements.by_key(issuer.id, achievement_key) is None:
            raise NotFound(f"issuer {issuer.key} has no achievement {achievement_key!r}")
        raise NotFound(
            f"{achievement_key} has no requirements to make progress on, or is not published"
        )
    return evaluate(requirement, _evidence_for(uow, learner, issuer, achievement_key), as_of)


def _evidence_for(
    uow: UnitOfWork, learner: LearnerRow, issuer: IssuerRow, achievement_key: str
) -> list[Record]:
    """The learner's records minus their own awards of the achievement: an award is never
    evidence for itself (a held degree would otherwise open up and count its own credits)."""
    return [
        r
        for r in load_records(uow, learner, issuer).items
        if not (isinstance(r, Award) and r.achievement_id == achievement_key)
    ]


def audit(
    uow: UnitOfWork, *, learner: LearnerRow, issuer: IssuerRow, achievement_key: str, as_of: date
) -> tuple[Outcome, DegreeAudit]:
    """The degree audit: the evaluator's own explanation, grouped by where credits came from."""
    outcome = progress(
        uow, learner=learner, issuer=issuer, achievement_key=achievement_key, as_of=as_of
    )
    records = _evidence_for(uow, learner, issuer, achievement_key)
    try:
        return outcome, degree_audit(outcome, records)
    except ValueError as exc:
        raise InvalidInput(f"{achievement_key} has no credit requirement to audit") from exc


def reconsider(
    uow: UnitOfWork, keys: IssuerKeys, *, issuer: IssuerRow, achievement_key: str, as_of: date
) -> list[AwardRow]:
    """Award an achievement to everyone whose records already meet it, e.g. once it is published.

    Records arriving while a version was a draft issue nothing then; publishing must not leave
    those learners waiting for some unrelated new record to wake the engine.
    """
    compiled = compile_catalog(uow, issuer)
    requirement = compiled.requirements.get(achievement_key)
    achievement = uow.achievements.by_key(issuer.id, achievement_key)
    if requirement is None or achievement is None:
        return []
    made: list[AwardRow] = []
    for learner in _learners_with_records(uow, issuer):
        if holds(uow, learner, achievement.id, as_of) is not None:
            continue
        records = load_records(uow, learner, issuer)
        outcome = evaluate(requirement, records.items, as_of)
        if not outcome.met:
            continue
        grant = _award_maker(
            uow,
            keys,
            learner=learner,
            perspective=issuer,
            records=records,
            awarded_on=as_of,
            awarded_at=None,
            made=made,
        )
        grant(achievement_key, outcome)
        award = made[-1]
        made += settle(
            uow,
            keys,
            learner=learner,
            issuer=issuer,
            trigger=f"award:{award.public_id}",
            as_of=as_of,
        ).awarded
    return made


def _learners_with_records(uow: UnitOfWork, issuer: IssuerRow) -> list[LearnerRow]:
    """Whoever has a record the issuer's requirements can count: its own, or an imported
    credential from a recognised issuer (one a partner may be; evaluating tells)."""
    ids: set[int] = set()
    for model in (AwardRow, AssessmentAttemptRow, AttestationRow, CourseCompletionRow):
        ids |= set(
            uow.session.scalars(select(model.learner_id).where(model.issuer_id == issuer.id))
        )
    ids |= set(
        uow.session.scalars(
            select(ImportedCredentialRow.learner_id).where(
                ImportedCredentialRow.issuer_url.is_not(None)
            )
        )
    )
    return [row for row in (uow.session.get(LearnerRow, i) for i in sorted(ids)) if row]
