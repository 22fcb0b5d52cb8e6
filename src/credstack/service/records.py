"""A learner's rows as the domain's records: the stacking engine's view of what they did.

Record ids name the row kind and its public id (`award:…`, `attempt:…`, `attestation:…`,
`course:…`, `imported:…`), so the evidence an award counted can always be traced back to a row.
Achievement and assessment keys are namespaced by issuer (`harbor-college:cert-x`) except for
the issuer whose requirements are being evaluated: catalogs name their own achievements by bare
key, and two issuers' keys may collide.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    DateTime,
    SQLColumnExpression,
    Text,
    and_,
    cast,
    select,
    type_coerce,
)

from credstack.domain.calendar import day_of
from credstack.domain.quantities import ZERO, exact
from credstack.domain.records import (
    AssessmentResult,
    Attestation,
    Award,
    AwardStatus,
    CourseCompletion,
    Proctoring,
    Record,
    RubricScore,
)
from credstack.service.achievements import achievement_of
from credstack.service.clock import issuer_zone
from credstack.service.evidence import EvidenceRef, RecordRow, record_id, resolve
from credstack.store.models import (
    AchievementRow,
    AssessmentAttemptRow,
    AssessmentRow,
    AttestationRow,
    AwardRow,
    Base,
    CourseCompletionRow,
    ImportedCredentialRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.types import UtcDateTime
from credstack.store.uow import UnitOfWork

__all__ = [
    "RecordNames",
    "Records",
    "award_record",
    "load_records",
    "of_learners",
    "partner_of",
    "record_id",
    "records_of",
    "site",
]


@dataclass
class Records:
    """A learner's records from one issuer's point of view, with the rows behind them.

    The rows are kept so that what an award counted can be handed on as `EvidenceRef`s without
    reading them again, and a new award can be added (`admit`) without reloading the rest.
    """

    perspective: IssuerRow
    items: list[Record] = field(default_factory=list)
    awards: dict[str, AwardRow] = field(default_factory=dict)
    attempts: dict[str, AssessmentAttemptRow] = field(default_factory=dict)
    rows: dict[str, EvidenceRef] = field(default_factory=dict)
    names: _Names | None = field(default=None, repr=False)
    kinds: _AwardKinds | None = field(default=None, repr=False)

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.items}

    def evidence(self, uow: UnitOfWork, ids: Iterable[str]) -> list[EvidenceRef]:
        """The rows behind the given record ids, from memory; an id these records do not hold
        (none the engine counts) is looked up the way a stored award's are."""
        wanted = list(ids)
        unknown = [rid for rid in wanted if rid not in self.rows]
        found = [self.rows[rid] for rid in wanted if rid in self.rows]
        return found + resolve(uow, unknown) if unknown else found

    def admit(self, row: AwardRow) -> Award:
        """Add an award just made, as `load_records` would have read it."""
        assert self.names is not None, "admit needs records made by load_records"
        if self.kinds is None:
            self.kinds = _AwardKinds(self.names, self.perspective)
        award = _award(row, self.kinds, issuer_zone(self.perspective))
        self._keep(award, row)
        self.awards[award.id] = row
        return award

    def _keep(self, record: Record, row: RecordRow) -> None:
        self.items.append(record)
        self.rows[record.id] = EvidenceRef.of(row)


@dataclass(frozen=True, slots=True)
class _Defined:
    """What an award's record takes from its achievement version: plain values, so a cache of
    them outlives the unit of work that read them."""

    key: str
    type: str
    name: str
    credits: Decimal
    ce_hours: Decimal
    ce_category: str | None


class RecordNames:
    """Issuer keys, achievement and assessment versions, looked up once per load, or once per
    run of a job that reads many batches (`records_of`): versions never change once stored,
    so what was read stays true; `bind` hands the cache the next batch's unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.issuers = {i.id: (i.key, i.name) for i in uow.issuers.all()}
        self._versions: dict[int, _Defined] = {}
        self._assessments: dict[int, str] = {}

    def bind(self, uow: UnitOfWork) -> RecordNames:
        self.uow = uow
        return self

    def issuer(self, issuer_id: int) -> tuple[str, str]:
        """(key, name) of an issuer; one added since the cache was made is read then."""
        if issuer_id not in self.issuers:
            row = self.uow.session.get(IssuerRow, issuer_id)
            assert row is not None
            self.issuers[issuer_id] = (row.key, row.name)
        return self.issuers[issuer_id]

    def achievement(self, version_id: int) -> _Defined:
        """The achievement's key and what its version defines, read once."""
        found = self._versions.get(version_id)
        if found is None:
            version = self.uow.achievements.version_by_id(version_id)
            assert version is not None
            achievement = self.uow.session.get(AchievementRow, version.achievement_id)
            assert achievement is not None
            defined = achievement_of(self.uow, version)
            ce = defined.ce
            found = self._versions[version_id] = _Defined(
                achievement.key,
                version.type,
                version.name,
                defined.credits if defined.credits is not None else ZERO,
                ce.hours if ce else ZERO,
                ce.category if ce else None,
            )
        return found

    def assessment(self, version_id: int) -> str:
        if version_id not in self._assessments:
            version = self.uow.records.assessment_version(version_id)
            assert version is not None
            row = self.uow.session.get(AssessmentRow, version.assessment_id)
            assert row is not None
            self._assessments[version_id] = row.key
        return self._assessments[version_id]


_Names = RecordNames


def _scoped(key: str, issuer_id: int, perspective: IssuerRow, names: _Names) -> str:
    return key if issuer_id == perspective.id else f"{names.issuer(issuer_id)[0]}:{key}"


_STATUSES = {status.value: status for status in AwardStatus}
"""A stored status as the enum member: a dict look-up, once per award row (the enum's own
call is several times slower)."""
_PROCTORING = {kind.value: kind for kind in Proctoring}


class _AwardKinds(dict[tuple[int, int], tuple[Any, ...]]):
    """What an award's record takes from its achievement version and issuer, as the
    perspective names them, by (achievement version, issuer): (achievement id, issuer key,
    type, credits, CE hours, CE category, issuer name, title), worked out once a batch."""

    def __init__(self, names: _Names, perspective: IssuerRow) -> None:
        super().__init__()
        self.names, self.perspective = names, perspective.id

    def __missing__(self, version_issuer: tuple[int, int]) -> tuple[Any, ...]:
        version_id, issuer_id = version_issuer
        defined = self.names.achievement(version_id)
        issuer_key, issuer_name = self.names.issuer(issuer_id)
        found = self[version_issuer] = (
            defined.key if issuer_id == self.perspective else f"{issuer_key}:{defined.key}",
            issuer_key,
            defined.type,
            defined.credits,
            defined.ce_hours,
            defined.ce_category,
            issuer_name,
            defined.name,
        )
        return found


def _award(row: Any, kinds: _AwardKinds, where: ZoneInfo, counted: _Counted | None = None) -> Award:
    achievement, issuer, kind, credits, hours, category, issuer_name, title = kinds[
        row.achievement_version_id, row.issuer_id
    ]
    changed = row.status_changed_at
    return Award(  # by position, in the fields' order: a nightly run makes millions
        record_id("award", row.public_id),
        achievement,
        issuer,
        kind,
        row.awarded_on if row.awarded_at is None else _day(row.awarded_at, where),
        row.valid_until,
        _STATUSES[row.status],
        None if changed is None else _day(changed, where),
        credits,
        hours,
        category,
        row.grade,
        None if row.score is None else exact(row.score),
        tuple(row.counted) if counted is None else counted[row.counted],
        issuer_name,
        title,
    )


def load_records(uow: UnitOfWork, learner: LearnerRow, perspective: IssuerRow) -> Records:
    """Every dated record is put on the perspective issuer's calendar day (domain.calendar)."""
    return _records(
        perspective,
        _Names(uow),
        uow.awards.for_learner(learner.id),
        uow.records.attempts(learner.id),
        uow.records.attestations(learner.id),
        uow.records.completions(learner.id),
        uow.records.imported(learner.id),
        _partner_sites(uow, perspective),
    )


def records_of(
    uow: UnitOfWork,
    learner_ids: Sequence[int],
    perspective: IssuerRow,
    names: RecordNames | None = None,
    *,
    span: tuple[int, int] | None = None,
    readers: Mapping[str, frozenset[str]] | None = None,
) -> dict[int, list[Record]]:
    """The records `load_records` gives, for a batch of learners, in five queries and without
    ORM rows: what a job over every learner reads to find the few with something to do (it
    then loads those few with `load_records`, rows and all). Same conversion, same answers.
    A job passes one `names` for all its batches, so versions are looked up once a run.

    `span` (after, up to) says the ids are every learner in that id range: the rows are then
    read by range, one statement the driver and the database prepare once, instead of a list
    of hundreds of ids that each batch spells out again.

    `readers` names, for each assessment or rubric key, the achievements whose requirements
    read its attempts, for a caller that asks only about achievements the learner holds no
    award of: an attempt is then made into a record only if one of its readers is such an
    achievement (most of a nightly run's rows are sittings of exams whose badge the learner
    already holds, which nothing it asks can read)."""
    ids = list(learner_ids)
    names = RecordNames(uow) if names is None else names.bind(uow)
    where = issuer_zone(perspective)
    out: dict[int, list[Record]] = {i: [] for i in ids}
    counted, kinds = _Counted(), _AwardKinds(names, perspective)
    for row in _rows_of(uow, AwardRow, ids, span):
        out[row.learner_id].append(_award(row, kinds, where, counted))
    amounts, keys = _Amounts(), _AttemptKeys(names, perspective)
    held = (
        {}
        if readers is None
        else {
            i: frozenset(a.achievement_id for a in got if isinstance(a, Award))
            for i, got in out.items()
        }
    )
    for row in _rows_of(uow, AssessmentAttemptRow, ids, span):
        key = keys[row.assessment_version_id, row.issuer_id]
        if readers is None or not readers.get(key, _NOBODY) <= held[row.learner_id]:
            out[row.learner_id].append(_attempt(row, key, where, amounts))
    for row in _rows_of(uow, AttestationRow, ids, span):
        out[row.learner_id].append(_attestation(row))
    for row in _rows_of(uow, CourseCompletionRow, ids, span):
        out[row.learner_id].append(_completion(row))
    partners = _partner_sites(uow, perspective)
    for row in _rows_of(uow, ImportedCredentialRow, ids, span):
        out[row.learner_id].append(_imported(row, partners, where))
    return out


_UNREAD = frozenset(
    {"credential", "evidence", "responses", "created_at", "compact", "verification"}
)
"""Columns a record is not made from: a signed credential alone is kilobytes of JSON."""

_READ: dict[str, frozenset[str]] = {
    "awards": frozenset(
        {
            "id",
            "public_id",
            "learner_id",
            "issuer_id",
            "achievement_version_id",
            "awarded_on",
            "awarded_at",
            "valid_until",
            "status",
            "status_changed_at",
            "grade",
            "score",
            "counted",
        }
    ),
    "assessment_attempts": frozenset(
        {
            "id",
            "public_id",
            "learner_id",
            "issuer_id",
            "assessment_version_id",
            "external_attempt_id",
            "source",
            "sat_at",
            "raw_score",
            "max_score",
            "passed",
            "scored_by_user_id",
            "proctoring",
            "identity_method",
        }
    ),
}
"""The two big tables (a learner has dozens of rows in them) are read only for the columns a
record is made from: every column read is converted per row, and that is most of a job's
time."""


def _day(instant: datetime, where: ZoneInfo) -> date:
    """`day_of` for an instant as stored: the store keeps UTC, and SQLite hands it back naive.
    An instant read back always has its offset (or is given UTC's here), so `day_of`'s check
    for a missing one is not repeated on every row of a nightly run."""
    if instant.tzinfo is None:
        return day_of(instant.replace(tzinfo=UTC), where)
    return instant.astimezone(where).date()


def _rows_of(
    uow: UnitOfWork, model: type[Base], ids: list[int], span: tuple[int, int] | None
) -> Sequence[Any]:
    """Plain rows (attribute names are the models' column names), oldest first."""
    table = model.__table__
    wanted = _READ.get(model.__tablename__)
    columns = [
        # An instant is read as the driver gives it (a naive one is UTC, see `_day`), not
        # normalised per row by the column type: that was a tenth of a nightly run.
        type_coerce(c, DateTime(timezone=True)).label(c.name)
        if isinstance(c.type, UtcDateTime) and wanted is not None
        # The list of what an award counted as its stored text: most are empty, and each
        # distinct one is parsed once a batch (`_Counted`) rather than once a row.
        else cast(c, Text).label(c.name)
        if c.name == "counted" and wanted is not None
        else c
        for c in table.c
        if (c.name in wanted if wanted is not None else c.name not in _UNREAD)
    ]
    return (
        uow.session.connection()
        .execute(
            select(*columns).where(of_learners(table.c.learner_id, ids, span)).order_by(table.c.id)
        )
        .all()
    )


def of_learners(
    column: SQLColumnExpression[int], ids: Collection[int], span: tuple[int, int] | None = None
) -> ColumnElement[bool]:
    """Rows of these learners: by id list, or, when `span` (after, up to) is known to hold
    exactly these learners (a keyset batch), by id range, which a database and a driver
    prepare once however many learners a batch has."""
    if span is None:
        return column.in_(list(ids))
    return and_(column > span[0], column <= span[1])


class _Counted(dict[str, tuple[str, ...]]):
    """An award's `counted` list from its stored JSON text, each distinct text parsed once."""

    def __missing__(self, stored: str) -> tuple[str, ...]:
        found = self[stored] = tuple(json.loads(stored))
        return found


_NOBODY: frozenset[str] = frozenset()


class _AttemptKeys(dict[tuple[int, int], str]):
    """An attempt's assessment key as the perspective's catalog names it, by (assessment
    version, issuer): looked up once a batch, not once a row."""

    def __init__(self, names: _Names, perspective: IssuerRow) -> None:
        super().__init__()
        self.names, self.perspective = names, perspective

    def __missing__(self, version_issuer: tuple[int, int]) -> str:
        version_id, issuer_id = version_issuer
        key = _scoped(self.names.assessment(version_id), issuer_id, self.perspective, self.names)
        self[version_issuer] = key
        return key


class _Amounts(dict[object, Decimal]):
    """`exact` of each distinct score read in a batch, converted once (scores repeat)."""

    def __missing__(self, value: object) -> Decimal:
        found = self[value] = exact(value)
        return found


def _records(
    perspective: IssuerRow,
    names: _Names,
    awards: Iterable[AwardRow],
    attempts: Iterable[AssessmentAttemptRow],
    attestations: Iterable[AttestationRow],
    completions: Iterable[CourseCompletionRow],
    imports: Iterable[ImportedCredentialRow] = (),
    partners: dict[str, str] | None = None,
) -> Records:
    out = Records(perspective, names=names)
    where = issuer_zone(perspective)
    for row in awards:
        out.admit(row)
    keys = _AttemptKeys(names, perspective)
    for attempt in attempts:
        key = keys[attempt.assessment_version_id, attempt.issuer_id]
        record = _attempt(attempt, key, where)
        out.attempts[record.id] = attempt
        out._keep(record, attempt)
    for attestation in attestations:
        out._keep(_attestation(attestation), attestation)
    for completion in completions:
        out._keep(_completion(completion), completion)
    for imported in imports:
        out._keep(_imported(imported, partners or {}, where), imported)
    return out


def _attempt(
    attempt: AssessmentAttemptRow, key: str, where: ZoneInfo, amounts: _Amounts | None = None
) -> AssessmentResult | RubricScore:
    """`key`: the attempt's assessment as the perspective names it (`_AttemptKeys`)."""
    rid = record_id("attempt", attempt.public_id)
    on = _day(attempt.sat_at, where)
    amount = exact if amounts is None else amounts.__getitem__
    if attempt.source == "rubric":
        return RubricScore(
            id=rid,
            rubric_id=key,
            score=amount(attempt.raw_score),
            max_score=amount(attempt.max_score),
            reviewer_id=str(attempt.scored_by_user_id or ""),
            scored_on=on,
            reviewer_role="reviewer",
        )
    return AssessmentResult(
        id=rid,
        assessment_id=key,
        score=amount(attempt.raw_score),
        max_score=amount(attempt.max_score),
        passed=attempt.passed,
        taken_on=on,
        proctoring=_PROCTORING[attempt.proctoring],
        identity_verified=attempt.identity_method is not None,
        identity_method=attempt.identity_method,
        attempt_id=attempt.external_attempt_id,
    )


def _attestation(attestation: AttestationRow) -> Attestation:
    return Attestation(
        id=record_id("attestation", attestation.public_id),
        subject=attestation.subject or "",
        attester_id=str(attestation.attester_user_id),
        role=attestation.role,
        program=attestation.program or None,
        statement=attestation.statement,
        attested_on=attestation.attested_on,
    )


def _completion(completion: CourseCompletionRow) -> CourseCompletion:
    return CourseCompletion(
        id=record_id("course", completion.public_id),
        course_id=completion.course,
        provider_id=completion.provider,
        hours=exact(completion.hours),
        completed_on=completion.completed_on,
        grade=completion.grade,
        credits=ZERO if completion.credits is None else exact(completion.credits),
    )


def site(url: str) -> str:
    """A web site's URL as compared: scheme and host lower-cased, no trailing slash."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


def _partner_sites(uow: UnitOfWork, perspective: IssuerRow) -> dict[str, str]:
    """The perspective's recognised partners, by their web site: the catalog's `partners`."""
    return {site(p.url): p.key for p in uow.issuers.partners(perspective.id) if p.url}


def partner_of(uow: UnitOfWork, perspective: IssuerRow, issuer_url: str | None) -> str | None:
    """The partner key under which `perspective`'s catalog accepts an imported credential
    whose recognised issuer has the web site `issuer_url`; None when it names no partner."""
    if issuer_url is None:
        return None
    return _partner_sites(uow, perspective).get(site(issuer_url))


def _imported(row: Any, partners: dict[str, str], where: ZoneInfo) -> Award:
    """An imported credential as an award from its issuer (articulation).

    The issuer is the catalog's partner when the credential's issuer was recognised (by the
    operator's trust list) with that partner's web site: so the articulation list the catalog
    already has (`from: {issuers: [...]}`) is what accepts it. Otherwise it is named by its
    own id (its DID), which no articulation list names, and the audit says so.
    """
    partner = partners.get(site(row.issuer_url)) if row.issuer_url else None
    issuer = partner or row.issuer_ref
    return Award(
        id=record_id("imported", row.public_id),
        achievement_id=f"{issuer}:{row.achievement_ref}",
        issuer_id=issuer,
        achievement_type=row.achievement_type,
        awarded_on=_day(row.valid_from, where),
        valid_until=_day(row.valid_until, where) if row.valid_until is not None else None,
        status=_STATUSES[row.status],
        status_changed_on=(
            _day(row.status_changed_at, where) if row.status_changed_at is not None else None
        ),
        credits=ZERO if row.credits is None else exact(row.credits),
        issuer_name=row.issuer_name,
        title=row.achievement_name,
    )


def award_record(values: Any, perspective: IssuerRow, names: RecordNames) -> Award:
    """The record of an award from its column values (attributes named as the columns), as
    `records_of` makes it from the stored row: for an award still in the caller's hands, such
    as one a bulk import has just inserted, without reading it back."""
    return _award(values, _AwardKinds(names, perspective), issuer_zone(perspective))
