"""The batched nightly run against the per-learner path, on generated data (the benchmark's
generator, small), on SQLite and PostgreSQL: the same awards, expiries and messages, whether
one process or two run it and whatever the batch size; a second run changes nothing."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select

from credstack.config import Settings
from credstack.domain.checks import compile_check, met_achievements
from credstack.domain.evaluator import evaluate
from credstack.domain.records import Award, AwardStatus
from credstack.domain.requirements import assessment_readers
from credstack.service import audit_trail, ce, lifecycle
from credstack.service.actor import Actor
from credstack.service.awards import grant_award
from credstack.service.engine import compile_catalog, evidence_of
from credstack.service.records import load_records, records_of
from credstack.service.reevaluation import reevaluate
from credstack.service.runtime import Runtime, initialise
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AuditEventRow,
    AwardEventRow,
    AwardRow,
    FreeStatusIndexRow,
    LearnerRow,
    OutboxMessageRow,
    StatusListRow,
)
from tests.conftest import REPO, DatabaseFactory

LEARNERS, PATHWAYS, SEED = 60, 8, 11
OPERATOR = Actor.operator()


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_reevaluate", REPO / "bench/bench_reevaluate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def _generated(databases: DatabaseFactory, where: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """A fresh database with the benchmark's data, where many more learners than in the
    benchmark have sittings nobody settled or an award that has ended."""
    monkeypatch.setattr(BENCH, "UNSETTLED", 0.25)
    monkeypatch.setattr(BENCH, "ENDED", 0.1)
    where.mkdir()
    runtime = initialise(Settings(where, databases.create(), "https://badges.example.org"))
    BENCH.generate(runtime, LEARNERS, PATHWAYS, SEED)
    return runtime


def _per_learner(runtime: Runtime, day: date) -> None:
    """The nightly job's meaning, one learner at a time with the explaining evaluator: close
    due cycles, expire what ended, award every achievement newly met (until nothing more is),
    queue reminders."""
    with runtime.uow() as uow:
        keys = runtime.keys(uow)
        for issuer in uow.issuers.all():
            requirements = compile_catalog(uow, issuer).requirements
            for learner in uow.session.scalars(select(LearnerRow).order_by(LearnerRow.id)):
                ids = [learner.id]
                ce.close_due_cycles(uow, on=day, issuer=issuer, learner_ids=ids)
                lifecycle.expire_ended(uow, as_of=day, issuer_id=issuer.id, learner_ids=ids)
                looked_at: set[str] = set()
                while True:
                    records = load_records(uow, learner, issuer)
                    ever = {r.achievement_id for r in records.items if isinstance(r, Award)}
                    met = [
                        (key, outcome)
                        for key, tree in requirements.items()
                        if key not in ever and key not in looked_at
                        for outcome in [evaluate(tree, records.items, day)]
                        if outcome.met
                    ]
                    if not met:
                        break
                    key, outcome = met[0]
                    looked_at.add(key)
                    grant_award(
                        uow,
                        issuer=issuer,
                        learner=learner,
                        achievement_key=key,
                        awarded_on=day,
                        evidence=evidence_of(outcome, records),
                        counted=list(outcome.counted),
                        evidence_refs=records.evidence(uow, outcome.counted),
                        origin="automatic",
                        keys=keys,
                    )
                ce.queue_reminders(
                    uow,
                    as_of=day,
                    thresholds=runtime.settings.ce_reminder_days,
                    issuer=issuer,
                    learner_ids=ids,
                )
        uow.commit()


def _state(runtime: Runtime) -> tuple[Counter[tuple[object, ...]], Counter[tuple[str, str]]]:
    """Every award (who, what, status, dates, how many records it counted) and every queued
    message (kind, to whom): what a run can change, without the random ids."""
    with runtime.uow(write=False) as uow:
        awards = Counter(
            _without_ids(tuple(row))
            for row in uow.session.execute(
                select(
                    LearnerRow.key,
                    AchievementRow.key,
                    AwardRow.status,
                    AwardRow.awarded_on,
                    AwardRow.valid_until,
                    AwardRow.origin,
                    AwardRow.credential.is_not(None),
                    AwardRow.counted,
                )
                .join(LearnerRow, AwardRow.learner_id == LearnerRow.id)
                .join(
                    AchievementVersionRow,
                    AwardRow.achievement_version_id == AchievementVersionRow.id,
                )
                .join(AchievementRow, AchievementVersionRow.achievement_id == AchievementRow.id)
            )
        )
        messages = Counter(
            (str(kind), str(key))
            for kind, key in uow.session.execute(
                select(OutboxMessageRow.kind, LearnerRow.key).join(
                    LearnerRow, OutboxMessageRow.learner_id == LearnerRow.id
                )
            )
        )
    return awards, messages


def _without_ids(row: tuple[object, ...]) -> tuple[object, ...]:
    *rest, counted = row
    assert isinstance(counted, list)
    return (*rest, tuple(sorted(str(rid).split(":", 1)[0] for rid in counted)))


@pytest.mark.parametrize(("workers", "batch"), [(1, 7), (2, 500)])
def test_the_batched_run_does_what_the_per_learner_path_does(
    databases: DatabaseFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
    batch: int,
) -> None:
    reference = _generated(databases, tmp_path / "reference", monkeypatch)
    batched = _generated(databases, tmp_path / "batched", monkeypatch)
    try:
        assert _state(reference) == _state(batched)  # the same data, the same seed
        before = _state(batched)
        _per_learner(reference, BENCH.AS_OF)
        done = reevaluate(
            batched, OPERATOR, issuer=None, as_of=BENCH.AS_OF, batch=batch, workers=workers
        )
        after = _state(batched)
        assert after == _state(reference)
        assert done.learners == LEARNERS and done.granted > 0 and done.expired > 0
        assert done.workers == (1 if databases.backend == "sqlite" else workers)
        granted = sum(after[0].values()) - sum(before[0].values())
        assert granted == done.granted
        again = reevaluate(
            batched, OPERATOR, issuer=None, as_of=BENCH.AS_OF, batch=batch, workers=workers
        )
        assert (again.granted, again.expired, again.reminders_queued) == (0, 0, 0)
        assert _state(batched) == after
    finally:
        reference.close()
        batched.close()


def test_the_reader_that_leaves_attempts_out_answers_as_load_records_does(
    databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly read leaves out attempts only already-awarded achievements read: every
    learner newly meets the same achievements as with every record `load_records` gives, and
    the records it does make are among those."""
    runtime = _generated(databases, tmp_path / "db", monkeypatch)
    try:
        with runtime.uow(write=False) as uow:
            for issuer in uow.issuers.all():
                requirements = compile_catalog(uow, issuer).requirements
                checks = {key: compile_check(tree) for key, tree in requirements.items()}
                learners = uow.session.scalars(select(LearnerRow).order_by(LearnerRow.id)).all()
                lean = records_of(
                    uow,
                    [learner.id for learner in learners],
                    issuer,
                    readers=assessment_readers(requirements),
                )
                left_out = newly = 0
                for learner in learners:
                    full = load_records(uow, learner, issuer).items
                    ever = {r.achievement_id for r in full if isinstance(r, Award)}
                    assert set(lean[learner.id]) <= set(full)
                    left_out += len(full) - len(lean[learner.id])
                    met = met_achievements(checks, full, BENCH.AS_OF, skip=ever)
                    assert met_achievements(checks, lean[learner.id], BENCH.AS_OF, skip=ever) == met
                    newly += len(met)
                assert left_out > 0 and newly > 0  # attempts left out; some learners to award
    finally:
        runtime.close()


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


_MADE_APART = frozenset(
    ("id", "proofValue", "created", "verificationMethod", "statusListIndex", "salt", "identityHash")
)


def _shape(value: object) -> object:
    """A credential with what differs between two databases made alike left out: random ids,
    the proof's value, instant and key (each database made its issuer's), the learners' salted
    identity hashes (each generation salts them anew), the status-list position (checked on
    its own)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items() if key not in _MADE_APART}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if isinstance(value, str):
        return _UUID.sub("<id>", value)
    return value


def _granted(runtime: Runtime, since: int) -> dict[tuple[str, str], tuple[object, int, int]]:
    """The awards made after award id `since`, by learner and achievement: the credential's
    shape, the status-list index the award holds and the one its credential names."""
    with runtime.uow(write=False) as uow:
        rows = uow.session.execute(
            select(LearnerRow.key, AchievementRow.key, AwardRow.credential, AwardRow)
            .join(LearnerRow, AwardRow.learner_id == LearnerRow.id)
            .join(
                AchievementVersionRow, AwardRow.achievement_version_id == AchievementVersionRow.id
            )
            .join(AchievementRow, AchievementVersionRow.achievement_id == AchievementRow.id)
            .where(AwardRow.id > since)
        ).all()
        found = {}
        for learner, achievement, credential, award in rows:
            assert credential is not None and award.status_list_index is not None
            named = int(credential["credentialStatus"]["statusListIndex"])
            found[(learner, achievement)] = (_shape(credential), award.status_list_index, named)
        return found


def _indexes_and_trail(runtime: Runtime) -> tuple[bool, Counter[tuple[str, str]]]:
    """Whether every list's indexes below its counter are each held by one award or free
    (unique, no gap), and the audit trail's events by action and subject kind, its chain
    checked whole."""
    with runtime.uow(write=False) as uow:
        whole = True
        for status_list in uow.session.scalars(
            select(StatusListRow).where(StatusListRow.purpose == "revocation")
        ):
            held = list(
                uow.session.scalars(
                    select(AwardRow.status_list_index).where(
                        AwardRow.status_list_id == status_list.id
                    )
                )
            )
            free = list(
                uow.session.scalars(
                    select(FreeStatusIndexRow.status_list_index).where(
                        FreeStatusIndexRow.status_list_id == status_list.id
                    )
                )
            )
            whole &= sorted([*held, *free]) == list(range(status_list.next_index))
        report = audit_trail.verify_chain(uow)
        assert report.broken is None
        events = Counter(
            (action, subject.split(":", 1)[0])
            for action, subject in uow.session.execute(
                select(AuditEventRow.action, AuditEventRow.subject)
            )
        )
    return whole, events


def test_the_batched_grants_are_signed_indexed_and_audited_as_single_grants_are(
    databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's grants (their keys unsealed once, their indexes taken a learner's at a
    time, their audit events appended once a batch) give the credentials, the status-list
    indexes and the audit trail that granting one award at a time gives."""
    reference = _generated(databases, tmp_path / "reference", monkeypatch)
    batched = _generated(databases, tmp_path / "batched", monkeypatch)
    try:
        with batched.uow(write=False) as uow:
            since = uow.session.scalar(select(func.max(AwardRow.id))) or 0
        _per_learner(reference, BENCH.AS_OF)
        done = reevaluate(batched, OPERATOR, issuer=None, as_of=BENCH.AS_OF, batch=7)
        assert done.granted > 0
        singly, together = _granted(reference, since), _granted(batched, since)
        assert len(together) == done.granted
        assert {k: v[0] for k, v in together.items()} == {k: v[0] for k, v in singly.items()}
        assert all(held == named for _, held, named in together.values())
        assert sorted(v[1] for v in together.values()) == sorted(v[1] for v in singly.values())
        assert _indexes_and_trail(batched) == _indexes_and_trail(reference)
        assert _indexes_and_trail(batched)[0]
    finally:
        reference.close()
        batched.close()


def _stacked_on_what_ends(runtime: Runtime) -> None:
    """Make the generated awards count one another (the generator's count nothing): each
    learner's first other award counts the award that has ended (or, for a learner with
    none, their first award, which stays current), and the next one counts that one, so an
    expiry flags a chain of dependants, as `counted_by` follows it."""
    with runtime.uow() as uow:
        for learner_id in uow.session.scalars(select(LearnerRow.id).order_by(LearnerRow.id)):
            held = list(
                uow.session.scalars(
                    select(AwardRow).where(AwardRow.learner_id == learner_id).order_by(AwardRow.id)
                )
            )
            ended = [a for a in held if a.valid_until is not None and a.valid_until < BENCH.AS_OF]
            first = ended[0] if ended else (held[0] if held else None)
            others = [a for a in held if a is not first]
            if first is None or not others:
                continue
            others[0].counted = [f"award:{first.public_id}"]
            if len(others) > 1:
                others[1].counted = [f"award:{others[0].public_id}", "attempt:elsewhere"]
        uow.commit()


_RECORD_IDS = re.compile(r"\b(award|attempt):[\w-]+")


def _flags(runtime: Runtime) -> tuple[Counter[tuple[object, ...]], Counter[tuple[str, str]]]:
    """Every flag raised (whose award, of what, why, since when) and the awards' history
    events by kind and learner, record ids left out."""
    with runtime.uow(write=False) as uow:
        flags = Counter(
            (learner, achievement, _RECORD_IDS.sub(r"\1:<id>", flag or ""), at)
            for learner, achievement, flag, at in uow.session.execute(
                select(
                    LearnerRow.key, AchievementRow.key, AwardRow.review_flag, AwardRow.flagged_at
                )
                .join(LearnerRow, AwardRow.learner_id == LearnerRow.id)
                .join(
                    AchievementVersionRow,
                    AwardRow.achievement_version_id == AchievementVersionRow.id,
                )
                .join(AchievementRow, AchievementVersionRow.achievement_id == AchievementRow.id)
                .where(AwardRow.review_flag.is_not(None))
            )
        )
        events = Counter(
            (str(kind), str(learner))
            for kind, learner in uow.session.execute(
                select(AwardEventRow.kind, LearnerRow.key)
                .join(AwardRow, AwardEventRow.award_id == AwardRow.id)
                .join(LearnerRow, AwardRow.learner_id == LearnerRow.id)
            )
        )
    return flags, events


def test_expiries_in_a_batch_flag_what_the_per_learner_path_flags(
    databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expiry in the nightly batch flags the awards that counted it, directly or through
    others, as the one-learner-at-a-time path does (`flag_dependants` reads the learner's
    records only when some award counted the expired one); awards counting a record that
    stays current are not flagged."""
    reference = _generated(databases, tmp_path / "reference", monkeypatch)
    batched = _generated(databases, tmp_path / "batched", monkeypatch)
    try:
        _stacked_on_what_ends(reference)
        _stacked_on_what_ends(batched)
        assert _flags(reference) == _flags(batched)
        _per_learner(reference, BENCH.AS_OF)
        done = reevaluate(batched, OPERATOR, issuer=None, as_of=BENCH.AS_OF, batch=7)
        flags, events = _flags(batched)
        assert (flags, events) == _flags(reference)
        assert _state(batched) == _state(reference)
        assert done.expired > 0
        # An ended award's first dependant and the one counting that (if the learner holds
        # them) are flagged, each with one history event.
        assert done.expired < sum(flags.values()) <= 2 * done.expired
        assert sum(n for (kind, _), n in events.items() if kind == "flagged") == sum(flags.values())
    finally:
        reference.close()
        batched.close()


def test_flag_dependants_flags_what_the_learners_records_say(
    databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`flag_dependants` skips reading the learner's records when no award of theirs counted
    the award; for every award, revoked, it flags exactly what judging the learner's records
    (`lifecycle._flag`, unconditionally) flags."""
    runtime = _generated(databases, tmp_path / "db", monkeypatch)
    try:
        _stacked_on_what_ends(runtime)
        with runtime.uow(write=False) as uow:
            ids = list(uow.session.scalars(select(AwardRow.id).order_by(AwardRow.id)))
        compared = flagged = 0
        for award_id in ids[:: max(1, len(ids) // 150)]:
            outcomes = []
            for judge in ("precheck", "records"):
                with runtime.uow() as uow:  # never committed
                    award = uow.session.get(AwardRow, award_id)
                    assert award is not None
                    award.status = AwardStatus.REVOKED
                    uow.session.flush()
                    if judge == "precheck":
                        found = lifecycle.flag_dependants(uow, award, on=BENCH.AS_OF)
                    else:
                        learner, issuer = uow.awards.parties(award)
                        rid = f"award:{award.public_id}"
                        found = lifecycle._flag(uow, learner, issuer, rid, BENCH.AS_OF)
                    outcomes.append(sorted((a.public_id, a.review_flag) for a in found))
            assert outcomes[0] == outcomes[1]
            compared += 1
            flagged += bool(outcomes[0])
        assert compared > 50 and 0 < flagged < compared
    finally:
        runtime.close()
