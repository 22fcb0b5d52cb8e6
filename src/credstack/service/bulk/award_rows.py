"""Reading and checking an award import's rows, all of them, before anything is written.

Columns: `learner` (the registrar's id), `email`, `name`, `achievement`, `date` (an ISO 8601
day, or an instant with its offset), optional `score`, `evidence_url`, `narrative`. A learner
the installation does not know is created from `name` and `email`; for a known learner the two
are not used (a learner's profile is changed by `learner` commands, not by an import).

Every problem is named by the line it starts on (the header is line 1), so the report reads
FILE:LINE: message. The checks that need the database (the achievement, the learner, the
address) are done with one query per distinct value, not per row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, select

from credstack.domain.parsing import MAX_AMOUNT
from credstack.domain.quantities import AmountError, parse_amount
from credstack.errors import CredstackError, InvalidInput
from credstack.limits import (
    MAX_AWARD_IMPORT_ROWS,
    MAX_CSV_FIELD_BYTES,
    MAX_IMPORT_NARRATIVE_CHARS,
    MAX_URL_CHARS,
)
from credstack.service import clock
from credstack.store.models import IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = [
    "COLUMNS",
    "MAX_REPORTED",
    "AwardLine",
    "Checked",
    "RowProblem",
    "check_rows",
]

REQUIRED = ("learner", "email", "name", "achievement", "date")
OPTIONAL = ("score", "evidence_url", "narrative")
COLUMNS = REQUIRED + OPTIONAL
MAX_REPORTED = 1000
"""Problems listed in a rejection; a file with more is wrong throughout, and says how many."""

_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
# One @, something before it, a dotted domain after it, no spaces: what a mail server can use.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
_NAME_MAX = 300
_EMAIL_MAX = 254
_CHUNK = 500
_T = TypeVar("_T")


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def at(self, source: str) -> str:
        return f"{source}:{self.line}: {self.message}"


@dataclass(frozen=True)
class AwardLine:
    """One checked row, as kept on its job item until it is issued."""

    line: int
    learner: str
    email: str | None
    name: str
    achievement: str
    awarded_on: date | None
    awarded_at: datetime | None
    score: str | None = None
    evidence_url: str | None = None
    narrative: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "email": self.email,
            "name": self.name,
            "achievement": self.achievement,
            "awarded_on": self.awarded_on.isoformat() if self.awarded_on else None,
            "awarded_at": self.awarded_at.isoformat() if self.awarded_at else None,
            "score": self.score,
            "evidence_url": self.evidence_url,
            "narrative": self.narrative,
        }

    @classmethod
    def of(cls, line: int, payload: dict[str, Any]) -> AwardLine:
        on, at = payload.get("awarded_on"), payload.get("awarded_at")
        return cls(
            line=line,
            learner=payload["learner"],
            email=payload.get("email"),
            name=payload["name"],
            achievement=payload["achievement"],
            awarded_on=date.fromisoformat(on) if on else None,
            awarded_at=datetime.fromisoformat(at) if at else None,
            score=payload.get("score"),
            evidence_url=payload.get("evidence_url"),
            narrative=payload.get("narrative"),
        )

    def evidence(self) -> list[dict[str, Any]]:
        """What the issuer's old record says the award was for, kept on the award."""
        if self.evidence_url is None and self.narrative is None:
            return []
        item: dict[str, Any] = {}
        if self.evidence_url is not None:
            item["id"] = self.evidence_url
        if self.narrative is not None:
            item["narrative"] = self.narrative
        return [item]


@dataclass(frozen=True)
class Checked:
    lines: tuple[AwardLine, ...]
    problems: tuple[RowProblem, ...]
    problem_count: int
    """All problems found; `problems` lists the first `MAX_REPORTED`."""


def _header_problems(header: list[str]) -> list[str]:
    found = [
        f"unknown column {name!r}; the columns are {', '.join(COLUMNS)}"
        for name in header
        if name not in COLUMNS
    ]
    found += [f"the required column {name!r} is missing" for name in REQUIRED if name not in header]
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        found.append(f"column {', '.join(duplicates)} appears twice")
    return found


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _date(text: str, issuer: IssuerRow) -> tuple[date | None, datetime | None]:
    value = text.strip()
    if "T" not in value and " " not in value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                f"date {value!r} is not an ISO 8601 date (YYYY-MM-DD) or date and time"
            ) from None
        return clock.check_day(day, "date", issuer), None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"date {value!r} is not an ISO 8601 date or date and time") from None
    return None, clock.check_instant(instant, "date")


def _score(text: str) -> str | None:
    score = text.strip() or None
    if score is not None:
        try:
            parse_amount(score, places=2, maximum=MAX_AMOUNT, what="score")
        except AmountError as exc:
            raise InvalidInput(str(exc)) from None
    return score


@dataclass(frozen=True)
class _Refused:
    message: str


class _Memo:
    """Each distinct date and score text checked once per file: a file gives most of its rows
    the same few values, and checking one (the issuer's today, a decimal's places) cost more
    than the rest of a row's checks. A value is refused with the same message every time."""

    def __init__(self, issuer: IssuerRow) -> None:
        self.issuer = issuer
        self.dates: dict[str, tuple[date | None, datetime | None] | _Refused] = {}
        self.scores: dict[str, str | _Refused | None] = {}

    def date(self, text: str) -> tuple[date | None, datetime | None]:
        return _memoised(self.dates, text, lambda value: _date(value, self.issuer))

    def score(self, text: str) -> str | None:
        return _memoised(self.scores, text, _score)


def _memoised(memo: dict[str, _T | _Refused], text: str, check: Callable[[str], _T]) -> _T:
    if text not in memo:
        try:
            memo[text] = check(text)
        except InvalidInput as exc:
            memo[text] = _Refused(exc.message)
    found = memo[text]
    if isinstance(found, _Refused):
        raise InvalidInput(found.message)
    return found


@dataclass(frozen=True)
class _Columns:
    """Where each column is in the file's rows (its header's order); None when left out."""

    learner: int
    email: int
    name: int
    achievement: int
    date: int
    score: int | None
    evidence_url: int | None
    narrative: int | None

    @classmethod
    def of(cls, header: list[str]) -> _Columns:
        where = {name: index for index, name in enumerate(header)}
        return cls(*(where[name] for name in REQUIRED), *(where.get(name) for name in OPTIONAL))


def _line(line: int, cells: list[str], at: _Columns, memo: _Memo) -> AwardLine:
    """One row's own checks (what needs no other row and no database)."""
    learner = cells[at.learner].strip()
    if not _KEY.match(learner):
        raise InvalidInput(
            f"learner {learner[:130]!r}: an id of 1 to 120 lower-case letters, digits, '.', '_' "
            "and '-'"
        )
    achievement = cells[at.achievement].strip()
    if not _KEY.match(achievement):
        raise InvalidInput(f"achievement {achievement[:130]!r} is not an achievement id")
    name = cells[at.name].strip()
    if len(name) > _NAME_MAX:
        raise InvalidInput(f"name is longer than {_NAME_MAX} characters")
    email = cells[at.email].strip() or None
    if email is not None and (len(email) > _EMAIL_MAX or not _EMAIL.match(email)):
        raise InvalidInput(f"{email[:_EMAIL_MAX]!r} is not an e-mail address")
    awarded_on, awarded_at = memo.date(cells[at.date])
    score = memo.score(cells[at.score]) if at.score is not None else None
    url = cells[at.evidence_url].strip() or None if at.evidence_url is not None else None
    if url is not None and (
        len(url) > MAX_URL_CHARS or not url.startswith(("https://", "http://")) or " " in url
    ):
        raise InvalidInput(
            f"evidence_url must be an http(s) URL of at most {MAX_URL_CHARS} characters"
        )
    narrative = cells[at.narrative].strip() or None if at.narrative is not None else None
    if narrative is not None and len(narrative) > MAX_IMPORT_NARRATIVE_CHARS:
        raise InvalidInput(f"narrative is longer than {MAX_IMPORT_NARRATIVE_CHARS} characters")
    return AwardLine(
        line, learner, email, name, achievement, awarded_on, awarded_at, score, url, narrative
    )


class _Problems:
    def __init__(self) -> None:
        self.listed: list[RowProblem] = []
        self.count = 0
        self.bad_lines: set[int] = set()

    def add(self, line: int, message: str) -> None:
        self.count += 1
        self.bad_lines.add(line)
        if len(self.listed) < MAX_REPORTED:
            self.listed.append(RowProblem(line, message))


def check_rows(uow: UnitOfWork, issuer: IssuerRow, text: str) -> Checked:
    """Every row checked: its cells, then against the others and the database."""
    problems = _Problems()
    lines = _read(text, issuer, problems)
    _check_across(lines, problems)
    _check_achievements(uow, issuer, lines, problems)
    _check_learners(uow, lines, problems)
    good = tuple(line for line in lines if line.line not in problems.bad_lines)
    ordered = sorted(problems.listed, key=lambda p: p.line)
    return Checked(good, tuple(ordered), problems.count)


def _read(text: str, issuer: IssuerRow, problems: _Problems) -> list[AwardLine]:
    records = _records(text.lstrip("\ufeff"))
    lines: list[AwardLine] = []
    try:
        first = next(records, None)
        if first is None or not any(cell.strip() for cell in first[1]):
            problems.add(1, "the file is empty; the first line must be the header")
            return lines
        header = [name.strip() for name in first[1]]
        header_problems = _header_problems(header)
        for message in header_problems:
            problems.add(1, message)
        if header_problems:
            return lines
        at, memo = _Columns.of(header), _Memo(issuer)
        rows = 0
        for line, cells in records:
            if not "".join(cells).strip():  # only blanks (one join, not a strip per cell)
                continue
            rows += 1
            if rows > MAX_AWARD_IMPORT_ROWS:
                problems.add(line, f"more than {MAX_AWARD_IMPORT_ROWS} rows; split the file")
                return lines
            if len(cells) != len(header):
                problems.add(line, f"has {len(cells)} cells; the header has {len(header)}")
                continue
            try:
                lines.append(_line(line, cells, at, memo))
            except CredstackError as exc:
                problems.add(line, exc.message)
    except csv.Error as exc:
        message = (
            f"a field is longer than {MAX_CSV_FIELD_BYTES // 1024} KiB"
            if "field limit" in str(exc)
            else f"not readable as CSV: {exc}"
        )
        problems.add(lines[-1].line + 1 if lines else 2, message)
    return lines


def _check_across(lines: list[AwardLine], problems: _Problems) -> None:
    """A row twice, or one learner described two ways, or one address for two learners."""
    seen: dict[tuple[str, str], int] = {}
    person: dict[str, AwardLine] = {}
    address: dict[str, AwardLine] = {}
    for row in lines:
        first = seen.setdefault((row.learner, row.achievement), row.line)
        if first != row.line:
            problems.add(
                row.line, f"{row.learner} and {row.achievement} already appear on line {first}"
            )
            continue
        earlier = person.setdefault(row.learner, row)
        if earlier is not row and (earlier.email, earlier.name) != (row.email, row.name):
            problems.add(
                row.line,
                f"learner {row.learner} has another name or e-mail on line {earlier.line}",
            )
        if row.email is not None:
            owner = address.setdefault(row.email.lower(), row)
            if owner.learner != row.learner:
                problems.add(
                    row.line,
                    f"e-mail {row.email} is learner {owner.learner}'s on line {owner.line}",
                )


def _check_achievements(
    uow: UnitOfWork, issuer: IssuerRow, lines: list[AwardLine], problems: _Problems
) -> None:
    verdicts: dict[str, str | None] = {}
    for key in sorted({row.achievement for row in lines}):
        achievement = uow.achievements.by_key(issuer.id, key)
        if achievement is None:
            verdicts[key] = f"issuer {issuer.key} has no achievement {key!r}"
        elif uow.achievements.issuable(achievement) is None:
            verdicts[key] = f"{key} has no published version: nothing is issued until one is"
        else:
            verdicts[key] = None
    for row in lines:
        verdict = verdicts[row.achievement]
        if verdict is not None:
            problems.add(row.line, verdict)


# One expanding parameter for the chunk's values, not a bound literal built per value.
_KNOWN_KEYS = select(LearnerRow.key).where(LearnerRow.key.in_(bindparam("values", expanding=True)))
_TAKEN_ADDRESSES = select(LearnerRow.email_lookup, LearnerRow.key).where(
    LearnerRow.email_lookup.in_(bindparam("values", expanding=True))
)


def _check_learners(uow: UnitOfWork, lines: list[AwardLine], problems: _Problems) -> None:
    """A new learner needs a name, and an address no other learner has."""
    keys = sorted({row.learner for row in lines})
    known: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        known.update(uow.session.scalars(_KNOWN_KEYS, {"values": chunk}))
    new = [row for row in lines if row.learner not in known]
    for row in new:
        if not row.name:
            problems.add(row.line, f"new learner {row.learner} needs a name")
    lookups: dict[str, list[AwardLine]] = {}
    for row in new:
        if row.email is not None:
            lookups.setdefault(uow.personal.lookup_hash(row.email), []).append(row)
    hashes = sorted(lookups)
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        taken = uow.session.execute(_TAKEN_ADDRESSES, {"values": chunk})
        for lookup, owner in taken:
            for row in lookups[str(lookup)]:
                problems.add(row.line, f"e-mail {row.email} belongs to learner {owner}")
