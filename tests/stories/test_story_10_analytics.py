"""Story 10: a program office's figures match the underlying records exactly.

Learners earn (and fail, retake, half-finish, lapse) through the REST API of a real server,
on the catalogs of stories 01, 02, 03 and 05. The test keeps its own ledger of what it did and
what the stories say each step awards, computes every figure from that ledger in plain Python,
and compares the API's JSON, its CSV, the CLI and the web page with them.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.helpers import sign_in
from tests.stories.live import Live

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AS_OF = date(2027, 2, 1)
PROCTORED = {"proctoring": "in_person", "identity": "government ID check"}

# What the catalogs say, restated for the test: the stacks and their parts, the CE rule.
STACKS = {
    "northwind": {
        "junior-data-analyst": [
            "data-visualisation",
            "descriptive-statistics",
            "spreadsheets-fundamentals",
            "sql-querying",
        ],
    },
    "ccrb": {
        "ccrp": [
            "adverse-event-reporting",
            "gcp-essentials",
            "informed-consent",
            "study-close-out",
        ],
        "ccrp-oncology-specialist": [
            "ccrp",
            "oncology-regulatory",
            "oncology-safety",
            "oncology-trial-design",
        ],
    },
    "wcb": {
        "advanced-wound-care": [
            "df-assessment",
            "df-offloading",
            "ostomy-care",
            "ostomy-complications",
            "pi-prevention",
            "pi-staging",
            "pi-support-surfaces",
            "wound-care-nurse",
        ],
    },
}
ROUTES: dict[str, object] = {
    # Each stack's tree, as the ledger reads it: ("all", ...), ("n_of", n, ...), an achievement
    # held, or None for a requirement that is not an award (the capstone rubric).
    "junior-data-analyst": (
        "all",
        "spreadsheets-fundamentals",
        "sql-querying",
        "data-visualisation",
        "descriptive-statistics",
        None,
    ),
    "ccrp": (
        "all",
        "gcp-essentials",
        "informed-consent",
        "adverse-event-reporting",
        "study-close-out",
    ),
    "ccrp-oncology-specialist": (
        "all",
        "ccrp",
        ("all", "oncology-trial-design", "oncology-safety", "oncology-regulatory"),
    ),
    "advanced-wound-care": (
        "all",
        "wound-care-nurse",
        (
            "n_of",
            2,
            ("all", "df-assessment", "df-offloading"),
            ("all", "pi-staging", "pi-prevention", "pi-support-surfaces"),
            ("all", "ostomy-care", "ostomy-complications"),
        ),
    ),
}


def route_count(node: object, holds: Callable[[str], bool]) -> tuple[int, int]:
    """(met, needed) on the route closest to completion: what the learner's page counts."""
    if node is None:
        return 0, 1
    if isinstance(node, str):
        return int(holds(node)), 1
    assert isinstance(node, tuple)
    if node[0] == "n_of":
        n, children = node[1], node[2:]
        counts = sorted(
            (route_count(c, holds) for c in children), key=lambda p: (p[1] - p[0], p[1])
        )
        counts = counts[:n]
    else:
        counts = [route_count(c, holds) for c in node[1:]]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


CE_HOURS = {  # CE microcredential -> (hours, category)
    "research-ethics-refresher": (6, "ethics"),
    "pharmacovigilance-update": (8, "clinical"),
    "ecrf-design": (7, "data-management"),
    "decentralised-trials": (4, "clinical"),
    "risk-based-monitoring": (5, "clinical"),
}
QUIZ = {
    "ethics-quiz": "research-ethics-refresher",
    "pv-quiz": "pharmacovigilance-update",
    "ecrf-quiz": "ecrf-design",
    "dct-quiz": "decentralised-trials",
    "rbm-quiz": "risk-based-monitoring",
}
CE_TOTAL, CE_MINIMUMS = 30, {"ethics": 5, "clinical": 10}


def types() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for path in EXAMPLES.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        for achievement in doc.get("achievements", []):
            found[doc["issuer"]["id"], achievement["id"]] = achievement["type"]
    return found


@dataclass
class Ledger:
    """What the test did and what it expects to have been awarded, in its own terms."""

    live: Live
    attempts: list[tuple[str, str, str, date, bool]] = field(default_factory=list)
    awards: list[tuple[str, str, str, date]] = field(default_factory=list)
    revoked: set[tuple[str, str, str]] = field(default_factory=set)
    ids: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def _made(self, result: Any, who: str, issuer: str, on: date, expect: list[str]) -> None:
        made = [a["achievement"] for a in result["awarded"]]
        assert made == expect, (who, issuer, on, made)
        for award in result["awarded"]:
            self.awards.append((who, issuer, award["achievement"], on))
            self.ids[who, issuer, award["achievement"]] = award["award"]

    def sit(
        self,
        who: str,
        issuer: str,
        exam: str,
        score: float,
        on: date,
        passed: bool,
        awards: list[str],
        **conditions: Any,
    ) -> None:
        result = self.live.sit(who, issuer, exam, score, on, **conditions)
        assert result["passed"] is passed
        self.attempts.append((who, issuer, exam, on, passed))
        self._made(result, who, issuer, on, awards)

    def quiz(self, who: str, exam: str, on: date) -> None:
        self.sit(who, "ccrb", exam, 9, on, True, [QUIZ[exam]])

    def rubric(
        self, who: str, issuer: str, rubric: str, score: int, on: date, awards: list[str]
    ) -> None:
        result = self.live.score_rubric(who, issuer, rubric, {"overall": score}, on)
        self.attempts.append((who, issuer, rubric, on, score >= 3))
        self._made(result, who, issuer, on, awards)

    def grant(self, who: str, issuer: str, achievement: str, on: date) -> None:
        self.live.award(who, issuer, achievement, on)
        self.awards.append((who, issuer, achievement, on))

    def revoke(self, who: str, issuer: str, achievement: str) -> None:
        self.live.post(
            f"/api/v1/awards/{self.ids[who, issuer, achievement]}/revoke", {"reason": "error"}
        )
        self.revoked.add((who, issuer, achievement))


def seed(live: Live) -> Ledger:
    book = Ledger(live)
    for who in ("ana", "olu", "pia", "ben", "cara", "dana", "eli", "fay", "gus", "hana", "ivan"):
        live.learner(who)
    live.learner("jo")

    # Story 01 (northwind): Ana finishes the path after a failed attempt; Olu retakes and
    # stalls; Pia passes one exam and has it revoked.
    d = date
    book.sit(
        "ana",
        "northwind",
        "spreadsheets-exam",
        82,
        d(2026, 9, 1),
        True,
        ["spreadsheets-fundamentals"],
    )
    book.sit("ana", "northwind", "sql-exam", 71, d(2026, 9, 20), True, ["sql-querying"])
    book.sit("ana", "northwind", "visualisation-exam", 64, d(2026, 10, 1), False, [])
    book.sit(
        "ana", "northwind", "visualisation-exam", 88, d(2026, 10, 20), True, ["data-visualisation"]
    )
    book.sit(
        "ana", "northwind", "statistics-exam", 75, d(2026, 11, 2), True, ["descriptive-statistics"]
    )
    book.rubric("ana", "northwind", "capstone-project", 3, d(2026, 11, 10), ["junior-data-analyst"])
    book.sit("olu", "northwind", "spreadsheets-exam", 60, d(2026, 9, 5), False, [])
    book.sit(
        "olu",
        "northwind",
        "spreadsheets-exam",
        75,
        d(2026, 9, 25),
        True,
        ["spreadsheets-fundamentals"],
    )
    book.sit("olu", "northwind", "sql-exam", 50, d(2026, 10, 12), False, [])
    book.rubric("olu", "northwind", "capstone-project", 2, d(2026, 12, 1), [])
    book.sit("pia", "northwind", "sql-exam", 90, d(2026, 10, 3), True, ["sql-querying"])
    book.revoke("pia", "northwind", "sql-querying")

    # Story 02 (ccrb): Ben and Gus complete the stack (Gus after failing GCP once); Cara passes
    # close-out unproctored (not issued) and informed consent at the second attempt.
    ben = [
        ("gcp-exam", 8, "gcp-essentials"),
        ("consent-exam", 80, "informed-consent"),
        ("ae-exam", 80, "adverse-event-reporting"),
        ("close-out-exam", 80, "study-close-out"),
    ]
    for i, (exam, score, micro) in enumerate(ben):
        made = [micro, "ccrp"] if i == 3 else [micro]
        book.sit(
            "ben", "ccrb", exam, score, d(2026, 3, 2) + timedelta(7 * i), True, made, **PROCTORED
        )
    book.sit("gus", "ccrb", "gcp-exam", 5, d(2026, 5, 4), False, [], **PROCTORED)
    book.sit("gus", "ccrb", "gcp-exam", 9, d(2026, 5, 18), True, ["gcp-essentials"], **PROCTORED)
    book.sit(
        "gus", "ccrb", "consent-exam", 85, d(2026, 5, 25), True, ["informed-consent"], **PROCTORED
    )
    book.sit(
        "gus", "ccrb", "ae-exam", 75, d(2026, 6, 1), True, ["adverse-event-reporting"], **PROCTORED
    )
    book.sit(
        "gus",
        "ccrb",
        "close-out-exam",
        90,
        d(2026, 6, 15),
        True,
        ["study-close-out", "ccrp"],
        **PROCTORED,
    )
    book.sit("cara", "ccrb", "close-out-exam", 91, d(2026, 4, 1), True, [])
    book.sit("cara", "ccrb", "consent-exam", 60, d(2026, 4, 8), False, [], **PROCTORED)
    book.sit(
        "cara", "ccrb", "consent-exam", 80, d(2026, 4, 29), True, ["informed-consent"], **PROCTORED
    )

    # Story 03 (ccrb CE): Dana renews, Eli lapses, Fay is compliant in an open cycle, Ben has
    # started his.
    for who in ("dana", "eli"):
        book.grant(who, "ccrb", "ccrp", d(2024, 1, 15))
    book.grant("fay", "ccrb", "ccrp", d(2025, 6, 1))
    for exam, on in [
        ("ethics-quiz", d(2024, 5, 2)),
        ("pv-quiz", d(2025, 2, 10)),
        ("ecrf-quiz", d(2025, 9, 1)),
        ("dct-quiz", d(2026, 3, 3)),
        ("rbm-quiz", d(2026, 11, 1)),
    ]:
        book.quiz("dana", exam, on)
    for exam, on in [
        ("pv-quiz", d(2023, 11, 1)),
        ("ethics-quiz", d(2024, 3, 1)),
        ("ecrf-quiz", d(2024, 9, 1)),
        ("dct-quiz", d(2025, 4, 1)),
        ("rbm-quiz", d(2025, 10, 1)),
    ]:
        book.quiz("eli", exam, on)
    for exam, on in [
        ("ethics-quiz", d(2025, 7, 1)),
        ("pv-quiz", d(2025, 9, 15)),
        ("ecrf-quiz", d(2026, 1, 20)),
        ("dct-quiz", d(2026, 6, 2)),
        ("rbm-quiz", d(2026, 12, 1)),
    ]:
        book.quiz("fay", exam, on)
    book.quiz("ben", "ethics-quiz", d(2026, 5, 1))
    closed = live.post("/api/v1/issuers/ccrb/ce/close", as_of="2027-01-15")
    assert sorted(c["renewed"] for c in closed) == [False, True]

    # Story 05 (wcb): Hana and Ivan complete the advanced certification; Jo retakes one exam.
    def wcb(who: str, micro: str, on: date, awards: list[str], score: int = 80) -> None:
        book.sit(who, "wcb", f"{micro}-exam", score, on, score >= 70, awards)

    book.sit("hana", "wcb", "wcn-exam", 78, d(2026, 1, 10), True, ["wound-care-nurse"], **PROCTORED)
    for micro in ["df-assessment", "df-offloading", "pi-staging", "pi-prevention"]:
        wcb("hana", micro, d(2026, 2, 1), [micro])
    wcb(
        "hana", "pi-support-surfaces", d(2026, 3, 1), ["pi-support-surfaces", "advanced-wound-care"]
    )
    for micro in ["df-assessment", "df-offloading", "ostomy-care", "ostomy-complications"]:
        wcb("ivan", micro, d(2026, 4, 1), [micro])
    book.sit(
        "ivan",
        "wcb",
        "wcn-exam",
        78,
        d(2026, 6, 1),
        True,
        ["wound-care-nurse", "advanced-wound-care"],
        **PROCTORED,
    )
    wcb("jo", "df-assessment", d(2026, 4, 10), [], score=65)
    wcb("jo", "df-assessment", d(2026, 4, 24), ["df-assessment"])
    return book


# --- the figures, computed from the ledger ---------------------------------------------------
def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def month(on: date) -> str:
    return on.strftime("%Y-%m")


def within(on: date, since: date | None, until: date | None) -> bool:
    return (since is None or on >= since) and (until is None or on <= until)


def expected(
    book: Ledger, issuer: str, since: date | None = None, until: date | None = None
) -> dict[str, Any]:
    kinds = types()
    attempts = [a for a in book.attempts if a[1] == issuer]
    awards = [a for a in book.awards if a[1] == issuer]

    # enrolments: anyone with an attempt or an award here (no courses or enrolments seeded)
    attempted = {w for w, _, _, on, _ in attempts if within(on, since, until)}
    awarded = {w for w, _, _, on in awards if within(on, since, until)}
    first: dict[str, date] = {}
    for who, on in [(a[0], a[3]) for a in attempts] + [(a[0], a[3]) for a in awards]:
        first[who] = min(first.get(who, on), on)
    new = Counter(month(on) for on in first.values() if within(on, since, until))
    enrolments = {
        "learners": len(attempted | awarded),
        "attempted": len(attempted),
        "enrolled": 0,
        "completed_course": 0,
        "awarded": len(awarded),
        "new_by_month": [{"month": m, "count": new[m]} for m in sorted(new)],
    }

    # issued, by month and type (revoked ones were issued too)
    issued = Counter(
        (month(on), kinds[issuer, what]) for _, _, what, on in awards if within(on, since, until)
    )

    # pass rates: all attempts, and each learner's first attempt
    rates = []
    for exam in sorted({a[2] for a in attempts}):
        of_exam = sorted((on, who, ok) for who, _, e, on, ok in attempts if e == exam)
        chosen = [s for s in of_exam if within(s[0], since, until)]
        if not chosen:
            continue
        firsts: dict[str, tuple[date, bool]] = {}
        for on, who, ok in of_exam:
            firsts.setdefault(who, (on, ok))
        first_in = [ok for on, ok in firsts.values() if within(on, since, until)]
        passes = sum(ok for _, _, ok in chosen)
        rates.append(
            {
                "assessment": exam,
                "attempts": len(chosen),
                "passes": passes,
                "pass_rate": rate(passes, len(chosen)),
                "first_attempts": len(first_in),
                "first_attempt_passes": sum(first_in),
                "first_attempt_pass_rate": rate(sum(first_in), len(first_in)),
            }
        )

    # funnels and time to stack: awards not revoked, held by the period's end
    held: dict[tuple[str, str], date] = {}
    for who, _, what, on in sorted(awards, key=lambda a: a[3]):
        if (who, issuer, what) not in book.revoked and (until is None or on <= until):
            held.setdefault((who, what), on)
    people = {who for who, _ in held}
    funnels, times = [], []
    for stack, parts in sorted(STACKS[issuer].items()):
        route = ROUTES[stack]
        count = Counter(route_count(route, lambda a, p=p: (p, a) in held)[0] for p in people)
        count.pop(0, None)
        needed = route_count(route, lambda _a: False)[1]
        steps = [
            {
                "parts": k,
                "exactly": count[k],
                "at_least": sum(v for n, v in count.items() if n >= k),
            }
            for k in range(1, max([needed, *count]) + 1)
        ]
        completed = sum((p, stack) in held for p in people)
        name = next(
            a["name"]
            for path in EXAMPLES.glob("*.yaml")
            for a in yaml.safe_load(path.read_text())["achievements"]
            if a["id"] == stack
        )
        funnels.append(
            {
                "achievement": stack,
                "name": name,
                "parts": parts,
                "started": sum(count.values()),
                "steps": steps,
                "completed": completed,
                "needed": needed,
            }
        )
        micro = [p for p in parts if kinds[issuer, p] == "microcredential"] or parts
        days = []
        for p in people:
            if (p, stack) in held and within(held[p, stack], since, until):
                starts = [
                    held[p, m] for m in micro if (p, m) in held and held[p, m] <= held[p, stack]
                ]
                if starts:
                    days.append((held[p, stack] - min(starts)).days)
        times.append(
            {
                "achievement": stack,
                "name": name,
                "learners": len(days),
                "median_days": float(statistics.median(days)) if days else None,
                "min_days": min(days) if days else None,
                "max_days": max(days) if days else None,
            }
        )

    return {
        "issuer": issuer,
        "period": {
            "start": since.isoformat() if since else None,
            "end": until.isoformat() if until else None,
        },
        "as_of": AS_OF.isoformat(),
        "enrolments": enrolments,
        "issued": [{"month": m, "type": t, "count": issued[m, t]} for m, t in sorted(issued)],
        "pass_rates": rates,
        "funnels": funnels,
        "time_to_stack": times,
        "ce_compliance": expected_ce(book, since, until) if issuer == "ccrb" else [],
    }


def expected_ce(book: Ledger, since: date | None, until: date | None) -> list[dict[str, Any]]:
    """CCRP cycles run 3 years from the award; the CE close on 2027-01-15 renewed or lapsed
    every cycle that ended before it; open cycles are judged on AS_OF."""

    def plus3(on: date) -> date:
        return on.replace(year=on.year + 3) - timedelta(days=1)

    quizzes = defaultdict(list)
    for who, issuer, what, on in book.awards:
        if issuer == "ccrb" and what in CE_HOURS:
            quizzes[who].append((on, *CE_HOURS[what]))

    def hours(who: str, start: date, end: date) -> dict[str, float]:
        got: dict[str, float] = defaultdict(float)
        for on, h, category in quizzes[who]:
            if start <= on <= end:
                got[category] += h
        return got

    def compliant(got: dict[str, float]) -> bool:
        return sum(got.values()) >= CE_TOTAL and all(got[c] >= m for c, m in CE_MINIMUMS.items())

    groups: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for who, _, what, on in book.awards:
        if what != "ccrp":
            continue
        start, end = on, plus3(on)
        while end < date(2027, 1, 15):  # closed by the close run
            ok = compliant(hours(who, start, end))
            if within(end, since, until):
                groups["ccrp", end.year]["compliant" if ok else "lapsed"] += 1
            if not ok:
                break
            start, end = end + timedelta(days=1), plus3(end + timedelta(days=1))
        else:
            # an open cycle; activities already counted in an earlier cycle predate it here
            if not within(end, since, until):
                continue
            groups["ccrp", end.year]["open"] += 1
            groups["ccrp", end.year]["on_track"] += compliant(hours(who, start, min(AS_OF, end)))
    return [
        {
            "certification": cert,
            "end_year": year,
            "closed_compliant": g["compliant"],
            "closed_lapsed": g["lapsed"],
            "compliance_rate": rate(g["compliant"], g["compliant"] + g["lapsed"]),
            "open": g["open"],
            "open_compliant_now": g["on_track"],
        }
        for (cert, year), g in sorted(groups.items())
    ]


def csv_rows(figures: dict[str, Any], section: str) -> list[list[str]]:
    """The CSV a section should download as, from the expected figures."""

    def cell(value: Any) -> str:
        return "" if value is None else str(value)

    e = figures["enrolments"]
    if section == "enrolments":
        rows = [["activity", "learners"], ["any", e["learners"]]]
        rows += [[k, e[k]] for k in ("attempted", "enrolled", "completed_course", "awarded")]
    elif section == "new-learners":
        rows = [["month", "learners"]] + [[m["month"], m["count"]] for m in e["new_by_month"]]
    elif section == "issued":
        rows = [["month", "type", "count"]] + [list(r.values()) for r in figures["issued"]]
    elif section == "pass-rates":
        rows = [list(figures["pass_rates"][0])] + [list(r.values()) for r in figures["pass_rates"]]
    elif section == "funnels":
        rows = [["achievement", "stage", "learners_exactly", "learners_at_least"]]
        for f in figures["funnels"]:
            n = f["needed"]
            rows += [
                [f["achievement"], f"{s['parts']} of {n}", s["exactly"], s["at_least"]]
                for s in f["steps"]
            ]
            rows.append([f["achievement"], "completed", f["completed"], f["completed"]])
    elif section == "time-to-stack":
        rows = [["achievement", "learners", "median_days", "min_days", "max_days"]]
        rows += [
            [t["achievement"], t["learners"], t["median_days"], t["min_days"], t["max_days"]]
            for t in figures["time_to_stack"]
        ]
    else:
        rows = [
            [
                "certification",
                "end_year",
                "closed_compliant",
                "closed_lapsed",
                "compliance_rate",
                "open",
                "open_compliant_now",
            ]
        ]
        rows += [list(r.values()) for r in figures["ce_compliance"]]
    return [[cell(v) for v in row] for row in rows]


SECTIONS = [
    "enrolments",
    "new-learners",
    "issued",
    "pass-rates",
    "funnels",
    "time-to-stack",
    "ce-compliance",
]


def test_story_10(live: Live) -> None:
    book = seed(live)
    for issuer in ("northwind", "ccrb", "wcb"):
        figures = expected(book, issuer)
        # 1. The API's JSON: every section, every figure
        got = live.get(f"/api/v1/issuers/{issuer}/analytics", as_of=AS_OF.isoformat())
        assert got == figures, issuer

        # 2. Each section as CSV, from the API, from the page's link and from the CLI
        for section in SECTIONS:
            want = csv_rows(figures, section)
            response = live.raw(
                "GET",
                f"/api/v1/issuers/{issuer}/analytics/{section}.csv",
                params={"as_of": AS_OF.isoformat()},
            )
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            assert list(csv.reader(io.StringIO(response.text))) == want, (issuer, section)
            page_csv = live.raw(
                "GET",
                f"/issuers/{issuer}/analytics/{section}.csv",
                params={"as_of": AS_OF.isoformat()},
            )
            assert page_csv.text == response.text
        cli = live.cli.run(
            "analytics", issuer, "--section", "funnels", "--csv", "--as-of", AS_OF.isoformat()
        )
        assert cli.returncode == 0, cli.stderr
        assert list(csv.reader(io.StringIO(cli.stdout))) == csv_rows(figures, "funnels")

        # 3. The page: an SVG chart per section and every table row, figure for figure
        page = live.raw("GET", f"/issuers/{issuer}/analytics", params={"as_of": AS_OF.isoformat()})
        assert page.status_code == 200
        html = page.text
        assert html.count("<svg") == 5 + len(figures["funnels"])
        assert f'id="enrolled-learners">{figures["enrolments"]["learners"]}<' in html
        for section in SECTIONS:
            _header, *rows = csv_rows(figures, section)
            for row in rows:
                first, *rest = row
                cells = "".join(f"<td>{escape(v)}</td>" for v in rest)
                assert f'<tr><th scope="row">{escape(first)}</th>{cells}</tr>' in html, (
                    issuer,
                    section,
                    row,
                )

    # The figures this data set was built to show, stated plainly
    ccrb = live.get("/api/v1/issuers/ccrb/analytics", as_of=AS_OF.isoformat())
    ccrp = next(t for t in ccrb["time_to_stack"] if t["achievement"] == "ccrp")
    assert (ccrp["learners"], ccrp["median_days"]) == (2, 24.5)  # Ben 21 days, Gus 28
    assert ccrb["ce_compliance"][0] == {
        "certification": "ccrp",
        "end_year": 2027,
        "closed_compliant": 1,
        "closed_lapsed": 1,
        "compliance_rate": 0.5,
        "open": 0,
        "open_compliant_now": 0,
    }
    gcp = next(r for r in ccrb["pass_rates"] if r["assessment"] == "gcp-exam")
    assert (gcp["attempts"], gcp["passes"], gcp["first_attempt_passes"]) == (3, 2, 1)
    northwind = live.get("/api/v1/issuers/northwind/analytics", as_of=AS_OF.isoformat())
    (path,) = northwind["funnels"]
    assert [s["exactly"] for s in path["steps"]] == [1, 0, 0, 1, 0]  # Olu 1 (Pia's revoked)
    assert path["completed"] == 1

    # 4. A period: only what happened in March 2026 at ccrb
    march = live.get(
        "/api/v1/issuers/ccrb/analytics",
        since="2026-03-01",
        until="2026-03-31",
        as_of=AS_OF.isoformat(),
    )
    assert march == expected(book, "ccrb", date(2026, 3, 1), date(2026, 3, 31))
    assert (
        live.raw(
            "GET",
            "/api/v1/issuers/ccrb/analytics",
            params={"since": "2026-04-01", "until": "2026-03-01"},
        ).status_code
        == 422
    )

    # 5. Who may see them: a role at the issuer; the page signs staff in with their token
    anonymous = httpx.get(f"{live.url}/api/v1/issuers/ccrb/analytics", timeout=30)
    assert anonymous.status_code == 403
    bad = httpx.get(
        f"{live.url}/api/v1/issuers/ccrb/analytics",
        headers={"authorization": "Bearer nope"},
        timeout=30,
    )
    assert bad.status_code == 403
    assert live.raw("GET", "/api/v1/issuers/ccrb/analytics/nonsense.csv").status_code == 404
    redirected = httpx.get(f"{live.url}/issuers/ccrb/analytics", timeout=30)
    assert redirected.status_code == 303
    assert redirected.headers["location"].startswith("/signin?next=%2Fissuers%2Fccrb%2Fanalytics")
    with httpx.Client(base_url=live.url, timeout=60) as browser:
        signed_in = sign_in(browser, live.token, "/issuers/wcb/analytics")
        assert signed_in.status_code == 303
        page = browser.get("/issuers/wcb/analytics", params={"as_of": AS_OF.isoformat()})
        assert page.status_code == 200
        assert "Advanced Wound Care" in page.text
        download = browser.get(
            "/issuers/wcb/analytics/funnels.csv", params={"as_of": AS_OF.isoformat()}
        )
        assert list(csv.reader(io.StringIO(download.text))) == csv_rows(
            expected(book, "wcb"), "funnels"
        )
    assert httpx.get(f"{live.url}/issuers/wcb/analytics/funnels.csv", timeout=30).status_code == 403
