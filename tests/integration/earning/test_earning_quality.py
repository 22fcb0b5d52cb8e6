"""The quality report: definition checks, and psychometrics checked against numpy by hand."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pingouin
import pytest

from credstack.service.earning import AttemptConditions, ItemResponses, quality_report
from credstack.store.models import IssuerRow
from credstack.store.uow import UnitOfWork
from tests.integration.earning.checked import record_result
from tests.integration.earning.earning_helpers import (
    OPERATOR,
    at,
    issuer_with_catalog,
    learner,
    signing_keys,
)

KEYS: dict[str, str | bool] = {
    "gcp-01": "C", "gcp-02": "A", "gcp-03": False, "gcp-04": "D", "gcp-05": "B",
    "gcp-06": True, "gcp-07": "A", "gcp-08": "C", "gcp-09": True, "gcp-10": "B",
}  # fmt: skip
WRONG: dict[str, str | bool] = {k: (not v if isinstance(v, bool) else "A" if v != "A" else "B")
                                for k, v in KEYS.items()}  # fmt: skip


def simulated_answers(candidates: int, seed: int) -> list[dict[str, str | bool | None]]:
    """Answers from a one-parameter logistic model, so items differ and correlate."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.3, 1.0, candidates)
    difficulty = np.linspace(-1.5, 1.5, len(KEYS))
    correct = rng.random((candidates, len(KEYS))) < 1 / (1 + np.exp(difficulty - ability[:, None]))
    out: list[dict[str, str | bool | None]] = []
    for row in correct:
        answers: dict[str, str | bool | None] = {}
        for (item, key), right in zip(KEYS.items(), row, strict=True):
            answers[item] = key if right else WRONG[item]
        out.append(answers)
    out[0]["gcp-10"] = None  # an unanswered item scores 0
    return out


def sit_all(uow: UnitOfWork, ccrb: IssuerRow, answers: list[dict[str, str | bool | None]]) -> None:
    for n, given in enumerate(answers):
        record_result(
            uow, signing_keys(uow),
            issuer=ccrb, learner=learner(uow, f"c{n:03d}"), assessment="gcp-exam",
            result=ItemResponses(given),
            conditions=AttemptConditions(at("2026-04-01") + timedelta(minutes=n)),
            actor=OPERATOR,
        )  # fmt: skip


def by_hand(answers: list[dict[str, str | bool | None]]) -> dict[str, object]:
    matrix = np.array([[1.0 if a.get(i) == k else 0.0 for i, k in KEYS.items()] for a in answers])
    k = matrix.shape[1]
    p = matrix.mean(axis=0)
    totals = matrix.sum(axis=1)
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() / totals.var())
    rest = [np.corrcoef(matrix[:, j], totals - matrix[:, j])[0, 1] for j in range(k)]
    sd = totals.std(ddof=1)
    return {
        "kr20": kr20,
        "p": p,
        "rpb": rest,
        "sem": sd * np.sqrt(1 - kr20),
        "mean": totals.mean(),
        "sd": sd,
        "pass_rate": float((totals >= 7).mean()),
        "alpha": pingouin.cronbach_alpha(data=pd.DataFrame(matrix))[0],
    }


def test_item_statistics_agree_with_an_independent_computation(uow: UnitOfWork) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    answers = simulated_answers(40, seed=9)
    sit_all(uow, ccrb, answers)
    report = quality_report(uow, issuer=ccrb, achievement_key="gcp-essentials")
    assert report.check("item_statistics").status == "met"
    (stats,) = report.statistics
    expected = by_hand(answers)
    assert (stats.assessment, stats.candidates, stats.reliability_method) == (
        "gcp-exam", 40, "KR-20",
    )  # fmt: skip
    assert stats.reliability == pytest.approx(expected["kr20"], abs=1e-12)
    assert stats.reliability == pytest.approx(expected["alpha"], abs=1e-9)
    assert stats.sem == pytest.approx(expected["sem"], abs=1e-12)
    assert stats.mean == pytest.approx(expected["mean"])
    assert stats.sd == pytest.approx(expected["sd"])
    assert stats.pass_rate == pytest.approx(expected["pass_rate"])
    assert [i.difficulty for i in stats.items] == pytest.approx(list(expected["p"]))  # type: ignore[call-overload]
    assert [i.point_biserial for i in stats.items] == pytest.approx(expected["rpb"])
    assert report.check("item_statistics").detail == (
        f"gcp-exam: 40 candidates, KR-20 {stats.reliability:.2f}, SEM {stats.sem:.2f}"
    )


def test_statistics_wait_for_30_candidates_and_use_first_sittings_only(uow: UnitOfWork) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    sit_all(uow, ccrb, simulated_answers(12, seed=3))
    report = quality_report(uow, issuer=ccrb, achievement_key="gcp-essentials")
    pending = report.check("item_statistics")
    assert (pending.status, pending.detail) == (
        "pending", "gcp-exam: 12 of 30 candidates have sat it; statistics appear from 30",
    )  # fmt: skip
    assert report.statistics == ()


def test_definition_checks_of_a_microcredential_and_a_certification(uow: UnitOfWork) -> None:
    ccrb = issuer_with_catalog(uow, "ccrb")
    gcp = quality_report(uow, issuer=ccrb, achievement_key="gcp-essentials")
    assert (gcp.version, gcp.status, gcp.type) == (1, "published", "microcredential")
    assert {c.key: c.status for c in gcp.checks} == {
        "alignment": "met",
        "criteria": "met",
        "route": "met",
        "cut_score": "met",
        "item_statistics": "pending",
        "stackability": "met",
        "value": "not met",
        "expiry": "not met",
    }
    assert gcp.check("alignment").detail == (
        "Good Clinical Practice (ICH E6) [BOK-1] (CCRP Body of Knowledge 2025)"
    )
    assert gcp.check("cut_score").detail == (
        "gcp-exam: cut score 70% (modified angoff, 2026-03, 8 judges)"
    )
    assert gcp.check("route").detail.startswith(
        "assessment gcp-exam (proctored, identity verified); evidence:"
    )
    assert gcp.check("stackability").detail == "counts toward ccrp (certification)"
    ccrp = quality_report(uow, issuer=ccrb, achievement_key="ccrp")
    assert ccrp.check("cut_score").status == "not applicable"
    assert ccrp.check("item_statistics").status == "not applicable"
    assert ccrp.check("expiry").detail == (
        "valid for P3Y from the award date; maintained by continuing education every P3Y"
    )
    assert ccrp.check("stackability").detail == (
        "counts toward ccrp-oncology-specialist (certification)"
    )
    ethics = quality_report(uow, issuer=ccrb, achievement_key="research-ethics-refresher")
    assert ethics.check("value").detail == "6 CE hours in ethics"
    assert ethics.check("cut_score").detail == "ethics-quiz: cut score 70% (policy)"
    assert ethics.check("item_statistics").detail == (
        "the route's assessments are scored externally or by rubric: no item data"
    )
