"""Issue 10: no input to a public endpoint gets a 5xx, fuzzed two ways against a real server.

Hypothesis generates the shapes each public endpoint takes (credentials as JSON, mutated
signed credentials, raw bytes, group bodies, path segments and query values); schemathesis
generates requests from the server's own /openapi.json for every operation. Both assert only
that the answer is not a 5xx: what a correct answer is, the other tests say.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.hostile.support import signed_credential

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
FIELDS = ["@context", "type", "id", "issuer", "proof", "credentialSubject", "validFrom"]


def _no_5xx(answer: httpx.Response) -> None:
    assert answer.status_code < 500, f"{answer.request.method} {answer.request.url}: {answer.text}"


@st.composite
def mutated_credentials(draw: st.DrawFn) -> dict[str, Any]:
    document = signed_credential()
    for _ in range(draw(st.integers(1, 3))):
        proof = document.get("proof")
        target = proof if isinstance(proof, dict) and draw(st.booleans()) else document
        key = draw(st.sampled_from([*FIELDS, "cryptosuite", "proofValue", "verificationMethod"]))
        target[key] = draw(JSON)
    return document


def test_verify_answers_every_body_shape_without_a_5xx(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:

        @FUZZ
        @given(
            body=st.one_of(
                mutated_credentials().map(lambda d: json.dumps(d).encode()),
                JSON.map(lambda v: json.dumps(v).encode()),
                st.binary(max_size=200),
                st.text(max_size=200).map(lambda t: ("%PDF" + t).encode()),
            )
        )
        def check(body: bytes) -> None:
            _no_5xx(client.post("/api/v1/verify", content=body))

        check()


def test_group_and_url_verification_answer_without_a_5xx(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:

        @FUZZ
        @given(
            body=st.one_of(
                st.fixed_dictionaries(
                    {"credentials": st.lists(JSON | mutated_credentials(), max_size=3)}
                ),
                JSON,
            ),
            url=st.text(max_size=60),
        )
        def check(body: Any, url: str) -> None:
            _no_5xx(client.post("/api/v1/verify/group", json=body))
            _no_5xx(client.post("/api/v1/verify", params={"url": url}))
            _no_5xx(client.post("/api/v1/verify", params={"url": f"{server}/credentials/{url}"}))

        check()


def test_public_pages_and_documents_answer_without_a_5xx(server: str) -> None:
    paths = [
        "/issuers/{0}",
        "/issuers/{0}/did.json",
        "/issuers/{0}/achievements/{0}",
        "/credentials/{0}",
        "/credentials/{0}/credential.jwt",
        "/credentials/{0}/badge.png",
        "/credentials/{0}/certificate.pdf",
        "/share/{0}",
        "/share/{0}/employer",
        "/wallet/credentials/{0}/{0}",
        "/status/{0}/{0}",
        "/verify?credential={0}",
        "/?page={0}",
        "/api/v1/issuers/{0}/achievements",
    ]
    with httpx.Client(base_url=server, timeout=60) as client:

        @FUZZ
        @given(segment=st.text(min_size=1, max_size=40), path=st.sampled_from(paths))
        def check(segment: str, path: str) -> None:
            _no_5xx(client.get(path.format(quote(segment, safe=""))))

        check()


def test_every_operation_in_the_openapi_document_answers_without_a_5xx(server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(FUZZ, max_examples=5)
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            answer = case.call(base_url=server, timeout=60)
            if answer.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {answer.status_code}")

        check()
    assert not failures, failures
