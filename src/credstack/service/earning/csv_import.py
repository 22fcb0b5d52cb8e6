"""Importing results from a test platform's CSV export.

One row per attempt. Columns: `learner`, `assessment`, `attempt_id`, `sat_at` (ISO 8601 with a
time zone), then either `score` (the platform's total) or one `item:<id>` column per item (the
candidate's answers, which credstack scores: an option label, `true`/`false`, or labels joined
by `;` for select-all items; empty for unanswered). Optional: `proctoring` (unproctored, online,
in_person), `proctored_by`, `identity_method`, `identity_verified_by`, `identity_verified_at`,
and `learner_name` (used only with `add_learners`).

Every problem is reported with its row number (the header is row 1). Without `partial`, one bad
row rejects the whole file and nothing is kept; with it, the good rows are kept. Re-importing
the same file is harmless: rows whose `attempt_id` is already recorded are skipped.

A partial import is committed in batches (`BATCH_ROWS` rows or `BATCH_SECONDS`, whichever comes
first), so a big file never holds SQLite's single write lock for long: other writers wait for
one batch at most. Nothing is lost by this: the rows of a batch are kept or not together, and
an import stopped half-way is finished by importing the same file again. An all-or-nothing
import (without `partial`) is one transaction by its promise, and holds the lock throughout.
"""

from __future__ import annotations

import _csv
import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from credstack.assessment import MultipleChoiceItem, MultiSelectItem, TrueFalseItem
from credstack.assessment.scoring import Answer
from credstack.domain.records import Proctoring
from credstack.errors import CredstackError, InvalidInput
from credstack.limits import MAX_CSV_FIELD_BYTES
from credstack.service.actor import Actor, Authorised, authorise
from credstack.service.earning.definitions import stored_assessment
from credstack.service.earning.recorded import Recorded
from credstack.service.earning.results import (
    RECORDER_ROLES,
    AttemptConditions,
    ItemResponses,
    ResultInput,
    TotalScore,
    record_result,
)
from credstack.service.keys import IssuerKeys
from credstack.service.people import add_learner
from credstack.store.models import IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "BATCH_ROWS",
    "BATCH_SECONDS",
    "COLUMNS",
    "ImportRejected",
    "ImportReport",
    "RowProblem",
    "authorise_importing",
    "import_results",
]

BATCH_ROWS = 200
BATCH_SECONDS = 0.5
"""A partial import commits after this many rows or this long, whichever comes first."""

REQUIRED = ("learner", "assessment", "attempt_id", "sat_at")
OPTIONAL = (
    "score",
    "proctoring",
    "proctored_by",
    "identity_method",
    "identity_verified_by",
    "identity_verified_at",
    "learner_name",
)
COLUMNS = REQUIRED + OPTIONAL
ITEM_PREFIX = "item:"


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    recorded: list[tuple[int, Recorded]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    """Rows whose attempt was already recorded with the same content."""
    problems: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "recorded": [{"row": row, **rec.as_dict()} for row, rec in self.recorded],
            "skipped": self.skipped,
            "problems": [str(p) for p in self.problems],
        }


class ImportRejected(InvalidInput):
    """The file had problems and partial import was not asked for: nothing was kept."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(
            f"the import was rejected, nothing was recorded ({len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}; use partial import to keep the good "
            "rows):\n" + "\n".join(str(p) for p in problems)
        )
        self.problems = [str(p) for p in problems]


def _header_problems(header: list[str]) -> list[str]:
    found = []
    for name in header:
        if name not in COLUMNS and not name.startswith(ITEM_PREFIX):
            found.append(
                f"unknown column {name!r}; expected {', '.join(COLUMNS)} or item:<item id>"
            )
    for name in REQUIRED:
        if name not in header:
            found.append(f"the required column {name!r} is missing")
    items = [n for n in header if n.startswith(ITEM_PREFIX)]
    if ("score" in header) == bool(items):
        found.append("give either a 'score' column or item:<id> columns with the answers")
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        found.append(f"column {', '.join(duplicates)} appears twice")
    return found


def _when(value: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"{what} {value!r} needs a time zone, e.g. {value}+00:00")
    return parsed


def _answers(
    uow: UnitOfWork, issuer: IssuerRow, assessment: str, cells: dict[str, str]
) -> ItemResponses:
    definition = stored_assessment(uow, issuer, assessment).definition
    answers: dict[str, Answer] = {}
    for item_id, cell in cells.items():
        value = cell.strip()
        item = definition.item(item_id)
        if not value:
            answers[item_id] = None
        elif isinstance(item, TrueFalseItem):
            if value.lower() not in ("true", "false"):
                raise InvalidInput(f"item {item_id} is true/false, not {value!r}")
            answers[item_id] = value.lower() == "true"
        elif isinstance(item, MultiSelectItem):
            answers[item_id] = [part.strip() for part in value.split(";") if part.strip()]
        elif isinstance(item, MultipleChoiceItem) or item is None:
            answers[item_id] = value  # an unknown item is refused by scoring, with its name
    return ItemResponses(answers)


def _row(
    uow: UnitOfWork,
    keys: IssuerKeys,
    issuer: IssuerRow,
    cells: dict[str, str],
    *,
    add_learners: bool,
    by: Authorised,
) -> Recorded:
    learner_key = cells["learner"].strip()
    learner: LearnerRow | None = uow.learners.by_key(learner_key)
    if learner is None:
        name = cells.get("learner_name", "").strip()
        if not add_learners:
            raise InvalidInput(f"unknown learner {learner_key!r}")
        if not name:
            raise InvalidInput(f"new learner {learner_key!r} needs a learner_name")
        learner = add_learner(uow, key=learner_key, name=name)
    assessment = cells["assessment"].strip()
    items = {k[len(ITEM_PREFIX) :]: v for k, v in cells.items() if k.startswith(ITEM_PREFIX)}
    result: ResultInput
    if items:
        result = _answers(uow, issuer, assessment, items)
    else:
        try:
            result = TotalScore(float(cells["score"]))
        except ValueError:
            raise InvalidInput(f"score {cells['score']!r} is not a number") from None
    proctoring_text = cells.get("proctoring", "").strip() or Proctoring.NONE.value
    try:
        proctoring = Proctoring(proctoring_text)
    except ValueError:
        allowed = ", ".join(p.value for p in Proctoring)
        raise InvalidInput(f"proctoring {proctoring_text!r}: use one of {allowed}") from None
    verified_at = cells.get("identity_verified_at", "").strip()
    conditions = AttemptConditions(
        sat_at=_when(cells["sat_at"], "sat_at"),
        proctoring=proctoring,
        proctored_by=cells.get("proctored_by", "").strip() or None,
        identity_method=cells.get("identity_method", "").strip() or None,
        identity_verified_by=cells.get("identity_verified_by", "").strip() or None,
        identity_verified_at=_when(verified_at, "identity_verified_at") if verified_at else None,
    )
    attempt_id = cells["attempt_id"].strip()
    if not attempt_id:
        raise InvalidInput("attempt_id is empty; imports are matched by the platform's id")
    return record_result(
        uow,
        keys,
        issuer=issuer,
        learner=learner,
        assessment=assessment,
        result=result,
        conditions=conditions,
        by=by,
        attempt_id=attempt_id,
    )


def authorise_importing(actor: Actor, issuer: str) -> Authorised:
    """Whoever may record results may import them (rubric scores are never imported)."""
    return authorise(actor, issuer, *RECORDER_ROLES, what="import results")


def import_results(
    uow: UnitOfWork,
    keys: IssuerKeys,
    *,
    issuer: IssuerRow,
    text: str,
    partial: bool = False,
    add_learners: bool = False,
    by: Authorised,
    checkpoint: Callable[[], None] | None = None,
    batch_rows: int = BATCH_ROWS,
    batch_seconds: float = BATCH_SECONDS,
) -> ImportReport:
    """Record every row, each in its own savepoint; raise `ImportRejected` (keeping nothing)
    unless all are good or `partial` was asked for. The caller's unit of work commits; `by` is
    the recorder as `authorise_importing` let them, and records every row.

    With `partial` and a `checkpoint` (normally `uow.checkpoint`: commit and let other writers
    in), the rows so far are committed every `batch_rows` rows or `batch_seconds`; without
    `partial` the checkpoint is never called, as a rejected file must leave nothing behind.
    """
    by.at(issuer.key)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise _unreadable(reader.line_num, exc) from exc
    report = ImportReport()
    if not header:
        raise ImportRejected([RowProblem(1, "the file is empty; the first row must be a header")])
    header_problems = _header_problems(header)
    if header_problems:
        raise ImportRejected([RowProblem(1, message) for message in header_problems])
    flush = checkpoint if partial else None
    # A rejected file leaves no trace, whoever commits later; a batched import has no "whole".
    whole = None if flush is not None else uow.session.begin_nested()
    try:
        _record_rows(
            uow,
            keys,
            issuer,
            reader,
            header,
            report,
            add_learners,
            by,
            flush=flush,
            batch_rows=batch_rows,
            batch_seconds=batch_seconds,
        )
    except csv.Error as exc:
        if whole is not None:
            whole.rollback()
        raise _unreadable(reader.line_num, exc) from exc
    if whole is None:
        return report
    if report.problems and not partial:
        whole.rollback()
        raise ImportRejected(report.problems)
    whole.commit()
    return report


def _unreadable(line: int, exc: csv.Error) -> ImportRejected:
    """The csv module's limit on a field (128 KiB) is a bound on what a cell can mean."""
    if "field limit" in str(exc):
        message = f"a field is longer than {MAX_CSV_FIELD_BYTES // 1024} KiB"
    else:
        message = f"not readable as CSV: {exc}"
    return ImportRejected([RowProblem(line, message)])


def _record_rows(
    uow: UnitOfWork,
    keys: IssuerKeys,
    issuer: IssuerRow,
    reader: _csv.Reader,
    header: list[str],
    report: ImportReport,
    add_learners: bool,
    by: Authorised,
    *,
    flush: Callable[[], None] | None,
    batch_rows: int,
    batch_seconds: float,
) -> None:
    since, started = 0, time.monotonic()
    for cells_list in reader:
        row = reader.line_num
        if not any(cell.strip() for cell in cells_list):
            continue
        if len(cells_list) != len(header):
            report.problems.append(
                RowProblem(row, f"has {len(cells_list)} cells; the header has {len(header)}")
            )
            continue
        cells = dict(zip(header, cells_list, strict=True))
        savepoint = uow.session.begin_nested()
        try:
            recorded = _row(uow, keys, issuer, cells, add_learners=add_learners, by=by)
        except CredstackError as exc:
            savepoint.rollback()
            report.problems.append(RowProblem(row, exc.message))
            continue
        savepoint.commit()
        if recorded.duplicate:
            report.skipped.append(row)
        else:
            report.recorded.append((row, recorded))
        since += 1
        if flush is not None and (
            since >= batch_rows or time.monotonic() - started >= batch_seconds
        ):
            flush()
            since, started = 0, time.monotonic()
