"""Benchmark the stacking engine's pure core on one core; prints figures, asserts nothing.

1. Bulk: 20 pathways (shaped like stories 01-06) for N synthetic learners with 10 records
   each, answered with the compiled checks (``checks.compile_check``), the path a nightly
   re-evaluation or an analytics funnel takes. A sample is also run through the explaining
   ``evaluate`` for comparison.
2. Incremental: a 500-achievement catalog; one new record re-evaluates only its dependants
   (``dependants.cascade``); median time per new record.

Usage: python bench/bench_evaluator.py [--learners 1000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
import time
from datetime import date, timedelta

import yaml

from credstack.domain.checks import compile_check
from credstack.domain.dependants import DependantIndex, cascade
from credstack.domain.evaluator import evaluate_view
from credstack.domain.outcome import Outcome
from credstack.domain.parsing import parse_requirement
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
from credstack.domain.requirements import Requirement
from credstack.domain.view import LearnerView

AS_OF = date(2026, 6, 1)

PATHWAYS_YAML = """
junior-data-analyst:
  path: [spreadsheets, sql, data-vis, stats, {rubric: jda-capstone, min_score: 3}]
ccrp: [gcp, consent, adverse-events, close-out]
ccrp-oncology-specialist:
  - {holds: ccrp, label: base certification}
  - onc-design
  - onc-safety
  - onc-regulatory
advanced-wound-care:
  all:
    - {holds: wound-care-nurse, label: core certification}
    - n_of: 2
      of:
        - [df-assessment, df-offloading]
        - [pi-staging, pi-prevention, pi-support-surfaces]
        - [ostomy-care, ostomy-complications]
ms-data-science:
  all:
    - {course: capstone-thesis, providers: [lakeside]}
    - credits: 30
      from: {types: [certificate, course], issuers: [lakeside, harbor]}
      min_grade: B
      within: P6Y
      cap: [{from: {types: [certificate]}, max: 24}]
ccrp-maintenance: {ce: {total: 30, minimums: {ethics: 5, clinical: 10}, within: P3Y}}
spreadsheets: {assessment: spreadsheets-exam, min_percent: 70}
sql: {assessment: sql-exam, min_percent: 70}
gcp: {assessment: gcp-exam, proctored: true, identity_verified: true}
consent: {assessment: consent-exam, proctored: true, identity_verified: true}
onc-safety:
  - {course: onc-safety-training, min_hours: 8, providers: [acrp]}
  - {assessment: onc-safety-exam}
supervision: {attestation: {subject: supervision, role: mentor, program: mgmt}}
solar: {course: solar-day, min_hours: 8}
cert-data-engineering: {credits: 12, from: {types: [course]}, min_grade: B}
data-stack: {n_of: 3, of: [spreadsheets, sql, data-vis, stats]}
clinical-research-track: {path: [gcp, consent, ccrp, ccrp-oncology-specialist]}
wound-cluster: {any: [[df-assessment, df-offloading], [ostomy-care, ostomy-complications]]}
recent-sql: {holds: sql, within: P2Y, min_score: 70}
leadership: {all: [supervision, {holds: ccrp, valid: false}]}
ethics-refresh: {ce: {total: 6, minimums: {ethics: 6}}}
"""

ACHIEVEMENT_POOL = (
    "spreadsheets",
    "sql",
    "data-vis",
    "stats",
    "gcp",
    "consent",
    "adverse-events",
    "close-out",
    "ccrp",
    "onc-design",
    "onc-safety",
    "onc-regulatory",
    "wound-care-nurse",
    "df-assessment",
    "df-offloading",
    "pi-staging",
    "pi-prevention",
    "pi-support-surfaces",
    "ostomy-care",
    "ostomy-complications",
    "supervision",
    "solar",
)
EXAMS = ("spreadsheets-exam", "sql-exam", "gcp-exam", "consent-exam", "onc-safety-exam")


def parse_all(text: str) -> dict[str, Requirement]:
    out = {}
    for key, raw in yaml.safe_load(text).items():
        req, problems = parse_requirement(raw, (key,))
        if req is None:
            raise SystemExit(f"{key}: {problems}")
        out[key] = req
    return out


def record_pool(rnd: random.Random, size: int) -> list[Record]:
    """A pool of varied records; learners draw from it so generation stays cheap."""
    pool: list[Record] = []
    for i in range(size):
        day = AS_OF - timedelta(days=rnd.randrange(0, 3000))
        kind = rnd.random()
        rid = f"r{i}"
        if kind < 0.55:
            pool.append(
                Award(
                    rid,
                    rnd.choice(ACHIEVEMENT_POOL),
                    rnd.choice(("lakeside", "harbor", "x")),
                    rnd.choice(("microcredential", "certification", "certificate")),
                    day,
                    valid_until=None if rnd.random() < 0.8 else day + timedelta(days=1095),
                    status=AwardStatus.ACTIVE if rnd.random() < 0.95 else AwardStatus.REVOKED,
                    ce_hours=rnd.choice((0, 0, 4, 6)),
                    ce_category=rnd.choice(("ethics", "clinical")),
                    score=rnd.uniform(50, 100),
                )
            )
        elif kind < 0.8:
            score = rnd.uniform(40, 100)
            pool.append(
                AssessmentResult(
                    rid,
                    rnd.choice(EXAMS),
                    score,
                    100,
                    score >= 70,
                    day,
                    proctoring=rnd.choice(list(Proctoring)),
                    identity_verified=rnd.random() < 0.7,
                )
            )
        elif kind < 0.92:
            pool.append(
                CourseCompletion(
                    rid,
                    rnd.choice(("onc-safety-training", "solar-day", "capstone-thesis", "c1")),
                    rnd.choice(("acrp", "lakeside")),
                    rnd.choice((4, 8, 45)),
                    day,
                    grade=rnd.choice(("A", "B", "C")),
                    credits=rnd.choice((0, 3, 6)),
                )
            )
        elif kind < 0.96:
            pool.append(
                Attestation(
                    rid, "supervision", "m1", rnd.choice(("mentor", "peer")), "mgmt", "ok", day
                )
            )
        else:
            pool.append(RubricScore(rid, "jda-capstone", rnd.randrange(0, 5), 4, "rev", day))
    return pool


def degree_bundle(n: int) -> list[Record]:
    """Ten records of a degree candidate: a certificate, its courses, a capstone and more."""
    day = AS_OF - timedelta(days=700 + n % 900)
    courses: list[Record] = [
        CourseCompletion(
            f"d{n}c{i}",
            f"de-{i}",
            "lakeside",
            45,
            day,
            grade="C" if (n // 20 + i) % 5 == 0 else "B",
            credits=3,
        )
        for i in range(4)
    ]
    cert = Award(
        f"d{n}cert",
        "cert-data-engineering",
        "lakeside",
        "certificate",
        day,
        credits=12,
        counted=tuple(r.id for r in courses),
    )
    other = Award(
        f"d{n}h", "cert-analytics", "harbor" if n // 20 % 2 else "x", "certificate", day, credits=12
    )
    capstone = CourseCompletion(
        f"d{n}cap", "capstone-thesis", "lakeside", 180, AS_OF, grade="A", credits=6
    )
    extra: list[Record] = [
        Award(
            f"d{n}e{i}",
            ACHIEVEMENT_POOL[(n + i) % len(ACHIEVEMENT_POOL)],
            "x",
            "microcredential",
            day,
        )
        for i in range(3)
    ]
    return [*courses, cert, other, capstone, *extra]


def bulk(learners: int, seed: int) -> None:
    rnd = random.Random(seed)
    pathways = parse_all(PATHWAYS_YAML)
    assert len(pathways) == 20, len(pathways)
    checks = tuple(compile_check(req) for req in pathways.values())
    pool = record_pool(rnd, 1 << 18)  # a power of two: index ^ byte stays in range
    picks = [rnd.randrange(len(pool)) for _ in range(10 * 4096)]
    met_counts = [0] * len(checks)
    start = time.perf_counter()
    for n in range(learners):
        if n % 20 == 0:
            records = degree_bundle(n)
        else:
            base = (n * 10) % (len(picks) - 10)
            records = [pool[picks[base + k] ^ (n & 0xFF)] for k in range(10)]
        view = LearnerView(records, AS_OF)
        for i, check in enumerate(checks):
            if check(view):
                met_counts[i] += 1
    elapsed = time.perf_counter() - start
    print(f"bulk: {learners:,} learners x {len(checks)} pathways, 10 records each, one core")
    print(
        f"  total {elapsed:.2f} s, {learners / elapsed:,.0f} learners/s, "
        f"{learners * len(checks) / elapsed:,.0f} pathway evaluations/s"
    )
    print(
        "  met per pathway: "
        + ", ".join(f"{key}={count}" for key, count in zip(pathways, met_counts, strict=True))
    )

    sample = min(learners, 20_000)
    start = time.perf_counter()
    for n in range(sample):
        records = (
            degree_bundle(n)
            if n % 20 == 0
            else [pool[picks[(n * 10) % (len(picks) - 10) + k] ^ (n & 0xFF)] for k in range(10)]
        )
        view = LearnerView(records, AS_OF)
        for req in pathways.values():
            evaluate_view(req, view)
    full = time.perf_counter() - start
    print(
        f"  with full explanations (evaluate): {sample / full:,.0f} learners/s "
        f"({sample:,} learners in {full:.2f} s)"
    )


def big_catalog(size: int) -> dict[str, Requirement]:
    """Microcredentials by assessment, stacks of five, clusters of stacks, a few pools."""
    raw: dict[str, object] = {}
    micro = int(size * 0.8)
    stacks = int(size * 0.16)
    for i in range(micro):
        raw[f"m{i}"] = {"assessment": f"exam-{i}", "proctored": i % 2 == 0}
    for s in range(stacks):
        raw[f"stack{s}"] = [f"m{(s * 5 + k) % micro}" for k in range(5)]
    for c in range(size - micro - stacks - 2):
        raw[f"cluster{c}"] = {
            "all": [f"m{c}", {"n_of": 2, "of": [f"stack{(c * 3 + k) % stacks}" for k in range(3)]}]
        }
    raw["degree"] = {"credits": 30, "from": {"types": ["certificate", "course"]}}
    raw["ce"] = {"ce": {"total": 30, "minimums": {"ethics": 5}}}
    out = {}
    for key, value in raw.items():
        req, problems = parse_requirement(value, (key,))
        if req is None:
            raise SystemExit(f"{key}: {problems}")
        out[key] = req
    return out


def incremental(seed: int, trials: int = 2000) -> None:
    rnd = random.Random(seed)
    reqs = big_catalog(500)
    index = DependantIndex.build(reqs)
    micro = [k for k in reqs if k.startswith("m")]

    def make_award(achievement: str, outcome: Outcome) -> Award:
        return Award(
            f"new-{achievement}",
            achievement,
            "i",
            "microcredential",
            AS_OF,
            counted=outcome.counted,
        )

    timings = []
    all_timings = []
    cascaded = 0
    for t in range(trials):
        held = rnd.sample(micro, 20)
        records: list[Record] = [
            Award(f"a{t}-{k}", m, "i", "microcredential", AS_OF - timedelta(days=30))
            for k, m in enumerate(held)
        ]
        target = rnd.randrange(len(micro))
        new = AssessmentResult(
            f"new{t}",
            f"exam-{target}",
            90,
            100,
            True,
            AS_OF,
            proctoring=Proctoring.IN_PERSON,
            identity_verified=True,
        )
        start = time.perf_counter()
        result = cascade(reqs, index, records, new, AS_OF, make_award)
        timings.append(time.perf_counter() - start)
        cascaded += len(result.awarded)
        if t < 200:
            start = time.perf_counter()
            view = LearnerView([*records, new], AS_OF)
            for req in reqs.values():
                evaluate_view(req, view)
            all_timings.append(time.perf_counter() - start)
    print(f"incremental: {len(reqs)}-achievement catalog, {trials} new records")
    print(
        f"  median {statistics.median(timings) * 1e3:.3f} ms per new record "
        f"(p95 {sorted(timings)[int(0.95 * len(timings))] * 1e3:.3f} ms), "
        f"{cascaded} awards made along the way"
    )
    print(
        f"  for comparison, re-evaluating the whole catalog: median "
        f"{statistics.median(all_timings) * 1e3:.2f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()} on {platform.machine()} "
        f"({platform.processor() or 'unknown CPU'})"
    )
    bulk(args.learners, args.seed)
    incremental(args.seed)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory (max RSS): {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
