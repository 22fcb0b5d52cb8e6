"""The staff console's read models: a member of staff's issuers, an issuer's learners, and one
learner with what the reader may do for them.

The console only reads here; its forms call the same use cases as the API and the CLI
(`registration.register_learner`, `earning.recording`, `learner_awards.record_award`,
`award_decisions.revoke`), which check the actor again. `Powers` says which forms to show; it
is computed from the very role tuples those use cases authorise with, so a form is shown
exactly when its POST would be allowed.

Learners' names and addresses are sealed at rest, so the learner list pages in SQL over the
learners the issuer holds a record of and opens only the rows on the page; a search finds an
exact e-mail address (by its keyed hash, `learners.by_email`'s lookup), a learner id by its
beginning, or an exact public id. Names cannot be searched without opening every row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select

from credstack.domain.catalog import ReviewStatus
from credstack.domain.requirements import CourseCompleted, iter_nodes
from credstack.errors import Forbidden, InvalidInput, NotFound
from credstack.limits import PAGE_ITEMS
from credstack.service import lookup
from credstack.service.actor import Actor, ActorKind, RoleGrant, authorise
from credstack.service.bulk.award_import import IMPORT_ROLES
from credstack.service.earning.attestations import ATTESTER_ROLE
from credstack.service.earning.results import RECORDER_ROLES
from credstack.service.earning.reviewing import READER_ROLES
from credstack.service.engine import compile_catalog
from credstack.service.learners import profile
from credstack.service.paging import Pager, window
from credstack.service.people import ROLES, require_issuer
from credstack.service.runtime import Runtime
from credstack.service.visibility import learner_issuer_ids, learners_with_records
from credstack.store.models import (
    AchievementRow,
    AchievementVersionRow,
    AssessmentRow,
    AssessmentVersionRow,
    IssuerRow,
    LearnerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "MAX_PICKED",
    "MAX_SEARCH",
    "Choice",
    "ConsoleAward",
    "ConsoleHome",
    "ConsoleIssuer",
    "ConsoleLearner",
    "IssuerDashboard",
    "LearnerEntry",
    "LearnerList",
    "Powers",
    "console_home",
    "console_learner",
    "issuer_dashboard",
    "issuer_learners",
    "powers_of",
]

MAX_SEARCH = 254
"""The longest search worth running: an e-mail address (RFC 5321) is the longest thing sought."""
MAX_PICKED = 50
"""Achievements a learner page offers at once: enough to choose from, few enough to read; a
search (`find`) narrows an issuer's thousands to these."""

_ROLE_WORDS = {
    "admin": "administrator",
    "registrar": "registrar",
    "assessor": "assessor",
    "reviewer": "reviewer",
    "mentor": "mentor",
}
# The roles each console action's use case authorises with (see the module docstring).
_REGISTRARS = ("admin", "registrar")  # registration, courses, learner_awards.record_award
_ADMIN = ("admin",)  # award_decisions.revoke and decide_flagged


@dataclass(frozen=True)
class Powers:
    """What the reader may do at one issuer: which links and forms the console shows."""

    add_learners: bool
    record_results: bool
    record_courses: bool
    attest: bool
    award: bool
    revoke: bool
    review: bool
    imports: bool
    flagged: bool

    @property
    def acts_for_learners(self) -> bool:
        """May record something for any learner, known here yet or not (by their id)."""
        return self.record_results or self.record_courses or self.award


def powers_of(actor: Actor, issuer: str) -> Powers:
    return Powers(
        add_learners=actor.may(issuer, *_REGISTRARS),
        record_results=actor.may(issuer, *RECORDER_ROLES),
        record_courses=actor.may(issuer, *_REGISTRARS),
        attest=actor.may(issuer, ATTESTER_ROLE),
        award=actor.may(issuer, *_REGISTRARS),
        revoke=actor.may(issuer, *_ADMIN),
        review=actor.may(issuer, *READER_ROLES),
        imports=actor.may(issuer, *IMPORT_ROLES) or actor.may(issuer, *RECORDER_ROLES),
        flagged=actor.may(issuer, *_ADMIN),
    )


def _role_words(grant: RoleGrant) -> str:
    words = _ROLE_WORDS.get(grant.role, grant.role)
    return f"{words} of program {grant.scope}" if grant.scope else words


@dataclass(frozen=True)
class ConsoleIssuer:
    key: str
    """For URLs only; pages show `name`."""
    name: str
    roles: tuple[str, ...]
    """The reader's roles here, in words ("registrar", "mentor of program x")."""


@dataclass(frozen=True)
class ConsoleHome:
    label: str
    issuers: tuple[ConsoleIssuer, ...]
    """One page of them, by key."""
    pager: Pager


def _issuer(row: IssuerRow, actor: Actor) -> ConsoleIssuer:
    grants = sorted(g for g in actor.roles if g.issuer == row.key)
    return ConsoleIssuer(row.key, row.name, tuple(_role_words(g) for g in grants))


def _staff_only(actor: Actor) -> None:
    if actor.kind is not ActorKind.STAFF:
        raise Forbidden("the console is for staff with a role at an issuer")


def console_home(runtime: Runtime, actor: Actor, *, page: int = 1) -> ConsoleHome:
    """The issuers where a signed-in member of staff holds a role, with the roles in words;
    paged in SQL."""
    _staff_only(actor)
    keys = actor.issuers()
    with runtime.uow(write=False) as uow:
        offset, pager = window(uow.issuers.count(keys), page)
        rows = uow.issuers.window(offset, PAGE_ITEMS, keys)
        return ConsoleHome(actor.label, tuple(_issuer(row, actor) for row in rows), pager)


@dataclass(frozen=True)
class IssuerDashboard:
    issuer: ConsoleIssuer
    powers: Powers


def issuer_dashboard(runtime: Runtime, actor: Actor, *, issuer: str) -> IssuerDashboard:
    authorise(actor, issuer, *ROLES, what=f"open the console of issuer {issuer}")
    with runtime.uow(write=False) as uow:
        row = require_issuer(uow, issuer)
        return IssuerDashboard(_issuer(row, actor), powers_of(actor, issuer))


@dataclass(frozen=True)
class LearnerEntry:
    public_id: str
    key: str
    name: str
    email: str | None


@dataclass(frozen=True)
class LearnerList:
    issuer: ConsoleIssuer
    powers: Powers
    query: str
    learners: tuple[LearnerEntry, ...]
    pager: Pager


def _matching(uow: UnitOfWork, query: str) -> ColumnElement[bool]:
    """An address by its keyed hash; otherwise a learner id by its beginning or a public id."""
    if "@" in query:
        return LearnerRow.email_lookup == uow.personal.lookup_hash(query)
    return or_(
        LearnerRow.key.startswith(query.lower(), autoescape=True), LearnerRow.public_id == query
    )


def issuer_learners(
    runtime: Runtime, actor: Actor, *, issuer: str, query: str = "", page: int = 1
) -> LearnerList:
    """One page of the learners the issuer holds a record of, by learner id; paged in SQL, and
    only the page's names are opened."""
    authorise(actor, issuer, *ROLES, what=f"list the learners of issuer {issuer}")
    query = query.strip()
    if len(query) > MAX_SEARCH:
        raise InvalidInput(f"a search has at most {MAX_SEARCH} characters")
    with runtime.uow(write=False) as uow:
        row = require_issuer(uow, issuer)
        held = LearnerRow.id.in_(learners_with_records(row.id).scalar_subquery())
        where = [held, _matching(uow, query)] if query else [held]
        total = uow.session.scalar(select(func.count()).select_from(LearnerRow).where(*where))
        start, pager = window(total or 0, page)
        rows = uow.session.scalars(
            select(LearnerRow)
            .where(*where)
            .order_by(LearnerRow.key)
            .offset(start)
            .limit(PAGE_ITEMS)
        ).all()
        entries = []
        for learner in rows:
            person = profile(uow, learner)
            entries.append(LearnerEntry(learner.public_id, learner.key, person.name, person.email))
        return LearnerList(
            _issuer(row, actor), powers_of(actor, issuer), query, tuple(entries), pager
        )


@dataclass(frozen=True)
class Choice:
    """An option of a select: the id the form sends and the name a person reads."""

    key: str
    label: str


@dataclass(frozen=True)
class ConsoleAward:
    id: str
    name: str
    status: str
    awarded_on: str
    reason: str | None


@dataclass(frozen=True)
class ConsoleLearner:
    issuer: ConsoleIssuer
    powers: Powers
    public_id: str
    key: str
    name: str | None
    """None while the issuer holds no record of the learner: their name is not this issuer's."""
    email: str | None
    awards: tuple[ConsoleAward, ...]
    assessments: tuple[Choice, ...]
    achievements: tuple[Choice, ...]
    """At most `MAX_PICKED` of the issuer's achievements matching `find`, by name."""
    find: str
    achievements_found: int
    """How many match `find` in all (more than `achievements` shows: narrow the search)."""
    courses: tuple[Choice, ...]
    """The courses the issuer's earning routes name, by the catalog's name for each."""
    providers: tuple[Choice, ...]
    programs: tuple[str, ...]
    """The programs the reader mentors; empty with `any_program` when they mentor them all."""
    any_program: bool


def _assessments(uow: UnitOfWork, issuer: IssuerRow) -> tuple[Choice, ...]:
    rows = uow.session.execute(
        select(AssessmentRow.key, AssessmentVersionRow.definition)
        .join(AssessmentVersionRow, AssessmentVersionRow.assessment_id == AssessmentRow.id)
        .where(
            AssessmentRow.issuer_id == issuer.id,
            AssessmentVersionRow.version == AssessmentRow.current_version,
        )
        .order_by(AssessmentRow.key)
    ).all()
    return tuple(Choice(key, str(d.get("title") or d.get("name") or key)) for key, d in rows)


def _achievements(uow: UnitOfWork, issuer: IssuerRow, find: str) -> tuple[tuple[Choice, ...], int]:
    """The achievements that can be awarded whose name or id contains `find`, by the name of
    their newest published version (what `Achievements.issuable` issues): at most
    `MAX_PICKED`, sorted by name, and how many match in all; filtered and cut in SQL, so an
    issuer with thousands costs one page's rows."""
    newest = (
        select(
            AchievementVersionRow.achievement_id.label("achievement_id"),
            func.max(AchievementVersionRow.version).label("version"),
        )
        .join(AchievementRow, AchievementRow.id == AchievementVersionRow.achievement_id)
        .where(
            AchievementRow.issuer_id == issuer.id,
            AchievementVersionRow.status == ReviewStatus.PUBLISHED,
        )
        .group_by(AchievementVersionRow.achievement_id)
        .subquery()
    )
    chosen = (
        select(AchievementRow.key, AchievementVersionRow.name)
        .join(newest, newest.c.achievement_id == AchievementRow.id)
        .join(
            AchievementVersionRow,
            and_(
                AchievementVersionRow.achievement_id == AchievementRow.id,
                AchievementVersionRow.version == newest.c.version,
            ),
        )
    )
    if find:
        sought = find.lower()
        chosen = chosen.where(
            or_(
                func.lower(AchievementVersionRow.name).contains(sought, autoescape=True),
                AchievementRow.key.contains(sought, autoescape=True),
            )
        )
    found = uow.session.scalar(select(func.count()).select_from(chosen.subquery()))
    rows = uow.session.execute(
        chosen.order_by(func.lower(AchievementVersionRow.name), AchievementRow.key).limit(
            MAX_PICKED
        )
    ).all()
    return tuple(Choice(key, name) for key, name in rows), int(found or 0)


def _courses(uow: UnitOfWork, issuer: IssuerRow) -> tuple[Choice, ...]:
    """Every course the issuer's issuable earning routes name, with the catalog's name for it
    (the id where no route names it), sorted by what a person reads."""
    names: dict[str, str | None] = {}
    for tree in compile_catalog(uow, issuer).requirements.values():
        for node in iter_nodes(tree):
            if isinstance(node, CourseCompleted) and node.course is not None:
                names[node.course] = names.get(node.course) or node.name
    return tuple(
        sorted(
            (Choice(course, name or course) for course, name in names.items()),
            key=lambda c: (c.label.casefold(), c.key),
        )
    )


def _awards(uow: UnitOfWork, issuer: IssuerRow, learner: LearnerRow) -> tuple[ConsoleAward, ...]:
    made = []
    for award in uow.awards.for_learner(learner.id):
        if award.issuer_id != issuer.id:
            continue
        version = uow.achievements.version_by_id(award.achievement_version_id)
        name = version.name if version is not None else "(unknown achievement)"
        made.append(
            ConsoleAward(
                award.public_id,
                name,
                str(award.status),
                award.awarded_on.isoformat(),
                award.status_reason,
            )
        )
    return tuple(made)


def console_learner(
    runtime: Runtime, actor: Actor, *, issuer: str, learner: str, find: str = ""
) -> ConsoleLearner:
    """One learner at one issuer, with the choices the reader's forms offer (the achievements
    only as far as `find` narrows them: see `MAX_PICKED`).

    Staff see a learner the issuer holds a record of (the visibility rule, narrowed to this
    issuer). Someone who may record for any learner by id (a registrar, an assessor, an admin)
    also reaches a learner not known here yet, as the API lets them, but sees only the id."""
    authorise(actor, issuer, *ROLES, what=f"see learners at issuer {issuer}")
    powers = powers_of(actor, issuer)
    find = find.strip()
    if len(find) > MAX_SEARCH:
        raise InvalidInput(f"a search has at most {MAX_SEARCH} characters")
    with runtime.uow(write=False) as uow:
        row = require_issuer(uow, issuer)
        who = lookup.find_learner(uow, learner)
        known = row.id in learner_issuer_ids(uow, who)
        if not known and not powers.acts_for_learners:
            raise NotFound(f"unknown learner {learner!r}")
        person = profile(uow, who) if known else None
        mentors = [g.scope for g in actor.roles if g.issuer == issuer and g.role == ATTESTER_ROLE]
        picked, found = _achievements(uow, row, find)
        return ConsoleLearner(
            issuer=_issuer(row, actor),
            powers=powers,
            public_id=who.public_id,
            key=who.key,
            name=person.name if person else None,
            email=person.email if person else None,
            awards=_awards(uow, row, who) if known else (),
            assessments=_assessments(uow, row),
            achievements=picked,
            find=find,
            achievements_found=found,
            courses=_courses(uow, row) if powers.record_courses else (),
            providers=tuple(Choice(p.key, p.name) for p in uow.issuers.partners(row.id)),
            programs=tuple(sorted(p for p in mentors if p)),
            any_program="" in mentors,
        )
