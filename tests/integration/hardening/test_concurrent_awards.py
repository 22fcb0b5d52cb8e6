"""Simultaneous grants of one achievement to one learner: exactly one award, the rest 409.

Issue 10 measured 105 duplicate active awards in 153 rounds of two concurrent POSTs. The
database now refuses a second active award of a version (a partial unique index), and the
check runs inside the writing transaction; a retried POST with its Idempotency-Key gets the
first answer again instead of a second award.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.helpers import running_server
from tests.integration.hardening.tenants import installation, tenant
from tests.liveness import HANG

CLIENTS = 8
ROUNDS = 2


def _post(url: str, token: str, learner: str, key: str | None = None) -> tuple[int, dict]:
    headers = {"authorization": f"Bearer {token}"}
    if key is not None:
        headers["idempotency-key"] = key
    response = httpx.post(
        f"{url}/api/v1/issuers/tmcb/awards",
        json={"learner": learner, "achievement": "ebola-diagnosis", "awarded_on": "2026-05-02"},
        headers=headers,
        timeout=HANG,
    )
    return response.status_code, response.json()


def test_concurrent_grants_make_one_award(tmp_path: Path, database_url: str) -> None:
    cli, port = installation(tmp_path, database_url)
    learners = tuple(f"l{n}" for n in range(ROUNDS))
    token = tenant(cli, "tmcb", "registrar@tmcb.example", learners=learners)
    with running_server(cli, "serve", port=port) as url, ThreadPoolExecutor(CLIENTS) as pool:
        for n in range(ROUNDS):
            answers = list(pool.map(lambda _i, n=n: _post(url, token, f"l{n}"), range(CLIENTS)))
            statuses = sorted(status for status, _body in answers)
            assert statuses == [201] + [409] * (CLIENTS - 1), answers
            (winner,) = [body["award"]["id"] for status, body in answers if status == 201]
            for status, body in answers:
                if status == 409:
                    assert body["error"] == f"l{n} already holds ebola-diagnosis"
                    assert body["award"] == winner
            held = httpx.get(
                f"{url}/api/v1/learners/l{n}/awards",
                headers={"authorization": f"Bearer {token}"},
            ).json()
            assert [a["id"] for a in held if a["status"] == "active"] == [winner]


def test_a_retried_post_with_its_idempotency_key_is_answered_once(
    tmp_path: Path, database_url: str
) -> None:
    cli, port = installation(tmp_path, database_url)
    token = tenant(cli, "tmcb", "registrar@tmcb.example", learners=("ada", "bo"))
    with running_server(cli, "serve", port=port) as url:
        first = _post(url, token, "ada", key="grant-ada-1")
        assert first[0] == 201
        again = _post(url, token, "ada", key="grant-ada-1")
        assert again[:2] == first[:2]  # the same answer, not a 409 and not a second award
        other_body = _post(url, token, "bo", key="grant-ada-1")
        assert other_body[0] == 422
        assert "Idempotency-Key" in other_body[1]["error"]
        duplicate = _post(url, token, "ada", key="grant-ada-2")  # a new key, the same grant
        assert duplicate[0] == 409 and duplicate[1]["award"] == first[1]["award"]["id"]
        too_long = _post(url, token, "bo", key="k" * 201)
        assert too_long[0] == 422
        assert _post(url, token, "bo", key="grant-bo-1")[0] == 201
