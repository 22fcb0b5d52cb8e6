"""Settling only the learners an in-memory cascade picks awards exactly what settling every
learner of every chunk (the engine's per-learner path) awards, and a chunk's new learners'
records made from what the chunk inserted are the records read back. On both databases."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from credstack.service.actor import Actor
from credstack.service.awards import grant_award
from credstack.service.bulk import award_batch, run_job, settling, submit_award_import
from credstack.service.engine import CompiledCatalog
from credstack.service.people import add_learner
from credstack.service.records import RecordNames, records_of
from credstack.service.runtime import Runtime
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AwardRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork
from tests.integration.bulk.test_award_import_batch import HEADER, PATH, STACKED, _runtime

_Shape = tuple[str, date, str, tuple[str, ...]]


def _rows(prefix: str) -> list[str]:
    """Learners who complete the stack across chunks, in the wrong order, not at all, and one
    who held a part before the import."""
    rows = []
    for who, days in (("whole", (1, 2, 3, 4)), ("late", (4, 3, 2, 1)), ("half", (1, 2))):
        for day, key in zip(days, PATH, strict=False):
            rows.append(f"{prefix}-{who},,{who.title()},{key},2026-05-0{day},,,")
    for day, key in enumerate(PATH[1:], start=2):
        rows.append(f"{prefix}-held,,Held,{key},2026-05-0{day},,,")
    rows.append(f"{prefix}-one,,One,sql-querying,2026-05-01,,,")
    return rows


def _import(runtime: Runtime, prefix: str) -> None:
    with runtime.uow() as uow:
        issuer = uow.issuers.by_key("northwind")
        assert issuer is not None
        learner = add_learner(uow, key=f"{prefix}-held", name="Held", email=None)
        grant_award(
            uow,
            issuer=issuer,
            learner=learner,
            achievement_key=PATH[0],
            awarded_on=date(2026, 5, 1),
            keys=runtime.keys(uow),
        )
        uow.commit()
    text = HEADER + "\n".join(_rows(prefix)) + "\n"
    submitted = submit_award_import(
        runtime, Actor.operator(), issuer="northwind", text=text, source=f"{prefix}.csv"
    )
    job = run_job(runtime, Actor.operator(), submitted.job.id, batch_rows=3).job
    assert job.failed == 0 and job.done == len(_rows(prefix)), job


def _made(runtime: Runtime, prefix: str) -> dict[str, list[_Shape]]:
    """Each learner's awards without the prefix: achievement, day, origin, what was counted."""
    with runtime.uow(write=False) as uow:
        rows = uow.session.execute(
            select(LearnerRow.key, AchievementRow.key, AwardRow)
            .join(LearnerRow, LearnerRow.id == AwardRow.learner_id)
            .join(
                AchievementVersionRow,
                AchievementVersionRow.id == AwardRow.achievement_version_id,
            )
            .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
            .where(LearnerRow.key.like(f"{prefix}-%"))
            .order_by(AwardRow.id)
        ).all()
        achievement_of = {f"award:{award.public_id}": key for _, key, award in rows}
        made: dict[str, list[_Shape]] = {}
        for learner, key, award in rows:
            counted = tuple(sorted(achievement_of[c] for c in award.counted))
            made.setdefault(learner.removeprefix(f"{prefix}-"), []).append(
                (key, award.awarded_on, award.origin, counted)
            )
        return {learner: sorted(awards) for learner, awards in made.items()}


def test_settling_the_chosen_learners_awards_what_settling_everyone_does(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = _runtime(tmp_path, database_url, STACKED)
    try:
        _import(runtime, "chosen")

        def everyone(_uow: object, _c: object, imported: Sequence[int], *_: object) -> set[int]:
            return set(imported)

        monkeypatch.setattr(award_batch, "learners_to_settle", everyone)
        _import(runtime, "each")
        chosen, each = _made(runtime, "chosen"), _made(runtime, "each")
        assert chosen == each
        stacked = {
            who for who, awards in chosen.items() if any(a[2] == "automatic" for a in awards)
        }
        # The comparison covered stacks made (in one chunk, across chunks, over a held part);
        # the path is "in order", so parts awarded in reverse complete nothing on either path.
        assert stacked == {"whole", "held"}
        assert (len(chosen["half"]), len(chosen["one"])) == (2, 1)
    finally:
        runtime.close()


def test_new_learners_records_from_the_chunk_are_those_read_back(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk's new learners: their records as made from the chunk's inserts equal the
    records read back from the database in the same transaction, and which learners are
    settled is what reading every learner back decides."""
    runtime = _runtime(tmp_path, database_url, STACKED)
    real = award_batch.learners_to_settle
    checked: list[int] = []

    def compared(
        uow: UnitOfWork,
        catalogs: Sequence[tuple[IssuerRow, CompiledCatalog]],
        imported: Mapping[int, Sequence[str]],
        inserted: settling.Inserted,
        new: Collection[int],
    ) -> set[int]:
        uow.session.flush()
        for perspective, _ in catalogs:
            read_back = records_of(uow, list(new), perspective)
            made = settling.new_learners_records(
                inserted, imported, new, perspective, RecordNames(uow)
            )
            assert made == {i: read_back[i] for i in new}
        chosen = real(uow, catalogs, imported, inserted, new)
        assert chosen == real(uow, catalogs, imported, {}, ())
        checked.extend(new)
        return chosen

    try:
        monkeypatch.setattr(award_batch, "learners_to_settle", compared)
        _import(runtime, "chunk")
        # Every new learner was compared (held existed before the import), and some of them
        # completed the stack inside one chunk or across chunks.
        with runtime.uow(write=False) as uow:
            keys = dict(uow.session.execute(select(LearnerRow.id, LearnerRow.key)).all())
        assert {keys[i] for i in checked} == {
            f"chunk-{who}" for who in ("whole", "late", "half", "one")
        }
        stacked = {
            who
            for who, awards in _made(runtime, "chunk").items()
            if any(a[2] == "automatic" for a in awards)
        }
        assert stacked == {"whole", "held"}
    finally:
        runtime.close()
