"""The quality report a reviewer reads before approving a credential (story 09).

Each check is computed from the version's definition, the issuer's frameworks and catalog, and
the assessment data: item statistics appear only once MIN_CANDIDATES candidates have sat the
form, and until then the check is "pending" with the count, never a number from a handful.
Statistics use each candidate's first attempt of the current form: retakers have seen the
items, and counting them twice would weight them twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from credstack.assessment import MIN_CANDIDATES, AssessmentKind, form_report
from credstack.assessment.scoring import Answer
from credstack.domain.catalog import Achievement
from credstack.domain.quantities import show as _num
from credstack.domain.requirements import (
    AssessmentPassed,
    Attested,
    CourseCompleted,
    Credits,
    Holds,
    Requirement,
    RubricScored,
    iter_nodes,
    referenced_achievements,
)
from credstack.errors import NotFound
from credstack.service.achievements import achievement_of, resolve_alignments
from credstack.service.analytics_cache import ItemStatisticsCache
from credstack.service.earning.definitions import StoredAssessment, stored_assessment
from credstack.store.models import (
    AchievementVersionRow,
    AssessmentAttemptRow,
    IssuerRow,
)
from credstack.store.uow import UnitOfWork

__all__ = [
    "MET",
    "NOT_APPLICABLE",
    "NOT_MET",
    "PENDING",
    "AssessmentStatistics",
    "ItemLine",
    "QualityCheck",
    "QualityReport",
    "quality_report",
]

MET, NOT_MET, PENDING, NOT_APPLICABLE = "met", "not met", "pending", "not applicable"


@dataclass(frozen=True)
class QualityCheck:
    key: str
    title: str
    status: str
    detail: str


@dataclass(frozen=True)
class ItemLine:
    item: str
    difficulty: float
    point_biserial: float | None


@dataclass(frozen=True)
class AssessmentStatistics:
    assessment: str
    version: int
    candidates: int
    reliability_method: str
    reliability: float | None
    sem: float | None
    mean: float
    sd: float
    pass_rate: float
    items: tuple[ItemLine, ...]
    flags: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class QualityReport:
    issuer: str
    achievement: str
    version: int
    status: str
    type: str
    name: str
    checks: tuple[QualityCheck, ...]
    statistics: tuple[AssessmentStatistics, ...]

    @property
    def met(self) -> int:
        return sum(check.status == MET for check in self.checks)

    def check(self, key: str) -> QualityCheck:
        return next(check for check in self.checks if check.key == key)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["summary"] = f"{self.met} of {len(self.checks)} checks met"
        return out


def quality_report(
    uow: UnitOfWork,
    *,
    issuer: IssuerRow,
    achievement_key: str,
    version: int | None = None,
    kept: ItemStatisticsCache | None = None,
) -> QualityReport:
    """``kept``: the runtime's forms' statistics, the one part that grows with candidates (the
    rest reads the catalog and the issuer's frameworks)."""
    achievement = uow.achievements.by_key(issuer.id, achievement_key)
    if achievement is None:
        raise NotFound(f"issuer {issuer.key} has no achievement {achievement_key!r}")
    row = (
        uow.achievements.current(achievement)
        if version is None
        else uow.achievements.version(achievement.id, version)
    )
    if row is None:
        raise NotFound(f"{achievement_key} has no version {version}")
    typed = achievement_of(uow, row)
    tree = typed.requirements
    nodes = list(iter_nodes(tree)) if tree is not None else []
    assessments = _assessments(uow, issuer, nodes)
    statistics, stats_check = _statistics(uow, issuer, assessments, kept)
    checks = (
        _alignment(uow, issuer, typed),
        _criteria(typed),
        _route(tree, nodes),
        _cut_scores(nodes, assessments),
        stats_check,
        _stackability(uow, issuer, achievement_key),
        _value(typed),
        _expiry(typed),
    )
    return QualityReport(
        issuer=issuer.key,
        achievement=achievement_key,
        version=row.version,
        status=row.status,
        type=row.type,
        name=row.name,
        checks=checks,
        statistics=tuple(statistics),
    )


def _alignment(uow: UnitOfWork, issuer: IssuerRow, achievement: Achievement) -> QualityCheck:
    title = "Competencies aligned to a named framework"
    resolved = resolve_alignments(uow, issuer, achievement)
    if not resolved:
        return QualityCheck("alignment", title, NOT_MET, "no competency alignment")
    lines = []
    for alignment in resolved:
        framework, competency = alignment.framework, alignment.competency
        if framework is None or not framework.name:
            detail = f"{alignment.ref}: framework not named"
            return QualityCheck("alignment", title, NOT_MET, detail)
        label = competency.name if competency else alignment.competency_key
        code = f" [{competency.code}]" if competency and competency.code else ""
        edition = f" {framework.version}" if framework.version else ""
        lines.append(f"{label}{code} ({framework.name}{edition})")
    return QualityCheck("alignment", title, MET, "; ".join(lines))


def _criteria(achievement: Achievement) -> QualityCheck:
    criteria = achievement.criteria.strip()
    status = MET if criteria else NOT_MET
    return QualityCheck("criteria", "Criteria stated", status, criteria or "no criteria stated")


def _describe_node(node: Requirement) -> str | None:
    if isinstance(node, AssessmentPassed):
        rigor = [
            w
            for w, on in (
                ("proctored", node.proctored),
                ("identity verified", node.identity_verified),
            )
            if on
        ]
        return f"assessment {node.assessment}" + (f" ({', '.join(rigor)})" if rigor else "")
    if isinstance(node, RubricScored):
        return f"rubric {node.rubric} scored at least {_num(node.min_score)}"
    if isinstance(node, Attested):
        where = f" of {node.program}" if node.program else ""
        return f"attestation by a {node.role}{where}"
    if isinstance(node, CourseCompleted):
        hours = f" of at least {_num(node.min_hours)} hours" if node.min_hours else ""
        providers = f" from {', '.join(sorted(node.providers))}" if node.providers else ""
        return f"course{' ' + node.course if node.course else ''}{hours}{providers}"
    if isinstance(node, Holds):
        return f"holds {node.achievement}"
    if isinstance(node, Credits):
        return f"{_num(node.required)} credits"
    return None


def _route(tree: Requirement | None, nodes: list[Requirement]) -> QualityCheck:
    title = "Route and evidence defined"
    if tree is None:
        return QualityCheck("route", title, NOT_MET, "no route: nothing says how it is earned")
    parts = [d for d in (_describe_node(n) for n in nodes) if d is not None]
    detail = "; ".join(parts) + "; evidence: the records the route counted, cited in the credential"
    return QualityCheck("route", title, MET, detail)


def _assessments(
    uow: UnitOfWork, issuer: IssuerRow, nodes: list[Requirement]
) -> dict[str, StoredAssessment | None]:
    found: dict[str, StoredAssessment | None] = {}
    for node in nodes:
        key = (
            node.assessment
            if isinstance(node, AssessmentPassed)
            else (node.rubric if isinstance(node, RubricScored) else None)
        )
        if key is None or key in found:
            continue
        try:
            found[key] = stored_assessment(uow, issuer, key)
        except NotFound:
            found[key] = None
    return found


def _cut_scores(
    nodes: list[Requirement], assessments: dict[str, StoredAssessment | None]
) -> QualityCheck:
    title = "Assessment with a documented cut score"
    if not assessments:
        return QualityCheck("cut_score", title, NOT_APPLICABLE, "the route has no assessment")
    lines, ok = [], True
    for key, stored in assessments.items():
        if stored is None:
            ok = False
            lines.append(f"{key}: not defined")
            continue
        cut = stored.definition.cut_score
        ok &= cut.documented
        how = "" if cut.documented else " (how it was set is not documented)"
        lines.append(f"{key}: cut score {cut.describe()}{how}")
    return QualityCheck("cut_score", title, MET if ok else NOT_MET, "; ".join(lines))


def _responses(uow: UnitOfWork, stored: StoredAssessment) -> list[dict[str, Answer]]:
    rows = uow.session.scalars(
        select(AssessmentAttemptRow)
        .where(
            AssessmentAttemptRow.assessment_version_id == stored.version.id,
            AssessmentAttemptRow.source == "responses",
        )
        .order_by(AssessmentAttemptRow.sat_at, AssessmentAttemptRow.id)
    ).all()
    first: dict[int, dict[str, Answer]] = {}
    for row in rows:
        if row.learner_id not in first and isinstance(row.responses, dict):
            first[row.learner_id] = dict(row.responses)
    return list(first.values())


_Judged = tuple[AssessmentStatistics | None, str]
"""One form's statistics (None while too few candidates have sat it) and its line."""


def _judged(uow: UnitOfWork, key: str, stored: StoredAssessment) -> _Judged:
    responses = _responses(uow, stored)
    if len(responses) < MIN_CANDIDATES:
        return None, (
            f"{key}: {len(responses)} of {MIN_CANDIDATES} candidates have sat it; "
            "statistics appear from 30"
        )
    report = form_report(stored.definition, responses)
    analysis = report.analysis
    stats = AssessmentStatistics(
        assessment=key,
        version=stored.version.version,
        candidates=analysis.candidates,
        reliability_method=analysis.reliability_method.value,
        reliability=analysis.reliability,
        sem=analysis.sem,
        mean=analysis.mean,
        sd=analysis.sd,
        pass_rate=report.pass_rate,
        items=tuple(ItemLine(i.item_id, i.difficulty, i.discrimination) for i in analysis.items),
        flags=tuple(f"{f.item_id}: {f.message}" for f in report.flags),
        note=analysis.reliability_note,
    )
    reliability = (
        f"{stats.reliability_method} {stats.reliability:.2f}, SEM {stats.sem:.2f}"
        if stats.reliability is not None and stats.sem is not None
        else f"reliability undefined ({stats.note})"
    )
    return stats, f"{key}: {stats.candidates} candidates, {reliability}"


def _statistics(
    uow: UnitOfWork,
    issuer: IssuerRow,
    assessments: dict[str, StoredAssessment | None],
    kept: ItemStatisticsCache | None,
) -> tuple[list[AssessmentStatistics], QualityCheck]:
    title = "Item statistics and reliability (from 30 candidates)"
    keyed = {
        k: s
        for k, s in assessments.items()
        if s is not None and s.definition.kind is AssessmentKind.OBJECTIVE
    }
    if not keyed:
        detail = (
            "no item-scored assessment in the route"
            if not assessments
            else "the route's assessments are scored externally or by rubric: no item data"
        )
        return [], QualityCheck("item_statistics", title, NOT_APPLICABLE, detail)
    out: list[AssessmentStatistics] = []
    lines: list[str] = []
    pending = False
    for key, stored in keyed.items():
        # The form's own issuer: its attempts are recorded there (the mark their triggers move).
        def compute(key: str = key, stored: StoredAssessment = stored) -> _Judged:
            return _judged(uow, key, stored)

        judged = compute() if kept is None else kept.get(uow, issuer, stored.version.id, compute)
        stats, line = judged
        if stats is None:
            pending = True
        else:
            out.append(stats)
        lines.append(line)
    status = PENDING if pending else MET
    return out, QualityCheck("item_statistics", title, status, "; ".join(lines))


def _stackability(uow: UnitOfWork, issuer: IssuerRow, key: str) -> QualityCheck:
    title = "Stackability (what it counts toward)"
    toward = []
    for other in uow.achievements.all(issuer.id):
        if other.key == key:
            continue
        current: AchievementVersionRow = uow.achievements.current(other)
        tree = achievement_of(uow, current).requirements
        if tree is not None and key in referenced_achievements(tree):
            toward.append(f"{other.key} ({current.type})")
    if not toward:
        return QualityCheck(
            "stackability", title, NOT_MET, "counts toward nothing in this issuer's catalog"
        )
    return QualityCheck("stackability", title, MET, "counts toward " + ", ".join(toward))


def _value(achievement: Achievement) -> QualityCheck:
    title = "Credit or CE value stated"
    parts = []
    credits = achievement.credits
    if credits is not None:
        parts.append(f"{_num(credits)} credit{'s' if credits != 1 else ''}")
    ce = achievement.ce
    if ce is not None:
        parts.append(f"{_num(ce.hours)} CE hours in {ce.category}")
    if not parts:
        return QualityCheck("value", title, NOT_MET, "no credit or CE value stated")
    return QualityCheck("value", title, MET, "; ".join(parts))


def _expiry(achievement: Achievement) -> QualityCheck:
    title = "Expiry policy stated"
    parts = []
    if achievement.validity is not None:
        parts.append(f"valid for {achievement.validity.iso} from the award date")
    if achievement.maintenance is not None:
        cycle = achievement.maintenance.cycle.iso
        parts.append(f"maintained by continuing education every {cycle}")
    if not parts:
        return QualityCheck("expiry", title, NOT_MET, "no expiry policy stated (`validity`)")
    return QualityCheck("expiry", title, MET, "; ".join(parts))
