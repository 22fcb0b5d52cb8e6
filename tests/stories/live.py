"""The stories' public interface: a real credstack server, driven over HTTP with a staff token.

Setting up (issuers, catalogs from examples/, a staff user with every role) happens before the
server starts; everything a story's people then do goes through the REST API.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx

from credstack.config import Settings
from credstack.service.catalog import load_catalog, parsed
from credstack.service.people import ROLES, add_issuer, add_user, grant_role, issue_token
from credstack.service.runtime import initialise
from tests.helpers import Cli, free_port, running_server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STAFF = "staff@stories.credstack.invalid"


def at(on: date) -> str:
    return datetime.combine(on, time(9), tzinfo=UTC).isoformat()


@dataclass
class Live:
    url: str
    token: str
    cli: Cli

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(
            method,
            f"{self.url}{path}",
            timeout=60,
            headers={"authorization": f"Bearer {self.token}"},
            **kwargs,
        )
        assert response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params=params)

    def post(self, path: str, body: Any = None, **params: Any) -> Any:
        return self._call("POST", path, json=body, params=params)

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.url}{path}",
            timeout=60,
            headers={"authorization": f"Bearer {self.token}"},
            **kwargs,
        )

    # --- what the stories' people do ----------------------------------------------------------
    def learner(self, key: str) -> None:
        self.post("/api/v1/learners", {"id": key, "name": key.title()})

    def sit(
        self,
        learner: str,
        issuer: str,
        assessment: str,
        score: float,
        on: date,
        *,
        proctoring: str = "unproctored",
        identity: str | None = None,
    ) -> Any:
        conditions: dict[str, Any] = {"sat_at": at(on), "proctoring": proctoring}
        if proctoring != "unproctored":
            conditions["proctored_by"] = "Test Centre 12"
        if identity:
            conditions.update(
                identity_method=identity,
                identity_verified_by="proctor",
                identity_verified_at=at(on),
            )
        return self.post(
            f"/api/v1/issuers/{issuer}/results",
            {
                "learner": learner,
                "assessment": assessment,
                "score": score,
                "conditions": conditions,
            },
        )

    def score_rubric(
        self, learner: str, issuer: str, rubric: str, scores: dict[str, int], on: date
    ) -> Any:
        return self.post(
            f"/api/v1/issuers/{issuer}/results",
            {
                "learner": learner,
                "assessment": rubric,
                "rubric": scores,
                "conditions": {"sat_at": at(on)},
            },
        )

    def complete_course(
        self, learner: str, issuer: str, provider: str, hours: float, on: date, course: str
    ) -> Any:
        return self.post(
            f"/api/v1/issuers/{issuer}/course-completions",
            {
                "learner": learner,
                "provider": provider,
                "course": course,
                "hours": hours,
                "completed_on": on.isoformat(),
            },
        )

    def award(
        self, learner: str, issuer: str, achievement: str, on: date, grade: str | None = None
    ) -> Any:
        return self.post(
            f"/api/v1/issuers/{issuer}/awards",
            {
                "learner": learner,
                "achievement": achievement,
                "awarded_on": on.isoformat(),
                "grade": grade,
            },
        )

    # --- what they see ------------------------------------------------------------------------
    def awards(self, learner: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get(f"/api/v1/learners/{learner}/awards")
        return result

    def holds(self, learner: str, issuer: str, achievement: str, on: date) -> dict[str, Any] | None:
        for award in self.awards(learner):
            if (award["issuer"], award["achievement"]) != (issuer, achievement):
                continue
            valid = award["valid_until"] is None or award["valid_until"] >= on.isoformat()
            if award["status"] == "active" and award["awarded_on"] <= on.isoformat() and valid:
                return award
        return None

    def progress(self, learner: str, issuer: str, achievement: str, on: date) -> Any:
        return self.get(
            f"/api/v1/learners/{learner}/progress/{issuer}/{achievement}", as_of=on.isoformat()
        )["outcome"]

    def why_not(self, outcome: dict[str, Any]) -> list[str]:
        if outcome["met"]:
            return []
        found = list(outcome["reasons"])
        for child in outcome.get("children", []):
            found.extend(self.why_not(child))
        return found


def bootstrap(
    data: Path, database_url: str, base_url: str, catalogs: tuple[str, ...] | None = None
) -> str:
    """Issuers and catalogs from examples/ (only `catalogs`, when given), and a staff user with
    every role; returns a token."""
    runtime = initialise(Settings(data, database_url, base_url))
    try:
        with runtime.uow() as uow:
            staff = add_user(uow, email=STAFF, name="Story staff")
            for path in sorted(EXAMPLES.glob("*.yaml")):
                if catalogs is not None and path.name not in catalogs:
                    continue
                text = path.read_text()
                catalog = parsed(text, path.name)
                assert catalog.issuer is not None
                issuer = add_issuer(
                    uow,
                    runtime.keys(uow),
                    key=catalog.issuer.key,
                    name=catalog.issuer.name,
                    kind=catalog.issuer.kind,
                )
                load_catalog(uow, issuer_key=issuer.key, text=text, source=path.name)
                for role in ROLES:
                    grant_role(uow, user=staff, issuer=issuer, role=role)
            token = issue_token(uow, user=staff, name="stories")
            uow.commit()
        return token
    finally:
        runtime.close()


@contextmanager
def live_server(
    tmp: Path, database_url: str, catalogs: tuple[str, ...] | None = None
) -> Iterator[Live]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = bootstrap(tmp / "data", database_url, base, catalogs)
    cli = Cli(tmp / "data", database_url, base_url=base)
    with running_server(cli, "serve", port=port) as url:
        yield Live(url, token, cli)
