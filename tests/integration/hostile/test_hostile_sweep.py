"""A hostile sweep from outside: every route of a real `credstack demo` installation, with the
inputs a stranger (or a careless client) sends.

The routes are the server's own: every operation of its /openapi.json and every page route
(those are left out of the document), read from the routers, so a new route is swept without
being listed here. Each gets odd path segments (huge, negative, NUL bytes, unicode, very long),
odd query strings (page numbers huge, negative or not numbers, duplicated parameters), wrong
methods and malformed bodies, once anonymously and once with an admin's token. Every answer
must be a clear one: never a 5xx, never a traceback, a 4xx always with a message; and the
server still answers /healthz at the end.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import credstack.api
import credstack.web
from tests.conftest import BACKENDS, DatabaseFactory
from tests.helpers import Cli, free_port, running_server
from tests.liveness import HANG

SWEEP = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
ISSUER = "northwind"
EMAIL = "sweeper@northwind.example"

SEGMENTS = st.sampled_from(
    [
        ISSUER,
        "0",
        "-1",
        "9" * 40,
        "%00",
        "a\x00b",
        "x" * 5000,
        "..",
        "%2e%2e%2f",
        "ü",
        "😀",
        "null",
        "' OR 1=1 --",
        "%ff%fe",
        "\ud7ff",
        " ",
    ]
) | st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
NUMBERS = st.sampled_from(["-1", "0", "1e9", "abc", "9" * 30, "", "%00", "1.5", "NaN", "0x10", "١"])
QUERIES = st.one_of(
    NUMBERS.map(lambda n: f"page={n}"),
    st.tuples(NUMBERS, NUMBERS).map(lambda p: f"page={p[0]}&page={p[1]}"),
    st.tuples(NUMBERS, NUMBERS).map(lambda p: f"limit={p[0]}&offset={p[1]}"),
    st.sampled_from(
        [
            "",
            "q=" + "x" * 10_000,
            "since=yesterday",
            "since=9999-99-99",
            "as_of=-1",
            "partial=maybe",
            "next=//evil.example",
            "next=javascript:alert(1)",
            "url=http://[",
            "email=" + "a" * 400,
            "credential=%00",
            "%00=%00",
            "a=1&a=2&a=3",
        ]
    ),
)
_FIELDS = ("id", "name", "learner", "achievement", "email", "url", "learners", "program")
JSON_BODIES = st.sampled_from(
    [b"{}", b"[]", b"null", b"0", b'"x"', b'{"a":', b'{"id": null, "name": 5}', b"\xff\xfe"]
) | st.sampled_from(["a\x00b", "x" * 5000, "\u202e", -1, 10**30, [], {}]).map(
    # The field names the API's bodies use, each given a value it should refuse (a NUL byte
    # is text PostgreSQL cannot store).
    lambda value: json.dumps(dict.fromkeys(_FIELDS, value)).encode()
)
BODIES = st.one_of(
    JSON_BODIES.map(lambda b: (b, "application/json")),
    st.sampled_from(
        [
            (b"a=1&a=2&csrf=%00", "application/x-www-form-urlencoded"),
            (b"%%%", "application/x-www-form-urlencoded"),
            (b"--b\r\nbroken", "multipart/form-data; boundary=b"),
            (b"learner,email\n\x00,\xff\n", "text/csv"),
            (b"x" * 3000, "text/plain"),
            (b"", ""),
        ]
    ),
)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/|line \d+, in ")


@dataclass(frozen=True)
class Swept:
    url: str
    token: str
    routes: tuple[tuple[str, str], ...]
    """Every (method, path template) the server serves."""


def _page_routes() -> set[tuple[str, str]]:
    """The routes of every router in the API and page packages."""
    found: set[tuple[str, str]] = set()
    for package in (credstack.api, credstack.web):
        for module in pkgutil.iter_modules(package.__path__):
            router = getattr(
                importlib.import_module(f"{package.__name__}.{module.name}"), "router", None
            )
            for route in getattr(router, "routes", ()):
                if isinstance(route, APIRoute):
                    found.update((method, route.path) for method in route.methods)
    return found


@pytest.fixture(scope="module", params=BACKENDS)
def swept(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Swept]:
    tmp = tmp_path_factory.mktemp("sweep")
    databases = DatabaseFactory(str(request.param), tmp)
    port = free_port()
    cli = Cli(tmp / "data", databases.create(), base_url=f"http://127.0.0.1:{port}")
    try:
        cli.ok("demo", "--no-serve")
        cli.ok("user", "add", EMAIL, "--name", "Sweeper")
        cli.ok("user", "grant", EMAIL, "--issuer", ISSUER, "--role", "admin")
        token = cli.ok("user", "token", EMAIL).strip()
        with running_server(cli, "serve", port=port) as url:
            spec = httpx.get(f"{url}/openapi.json", timeout=HANG).json()
            routes = _page_routes() | {
                (method.upper(), path)
                for path, operations in spec["paths"].items()
                for method in operations
                if method.upper() in METHODS
            }
            yield Swept(url, token, tuple(sorted(routes)))
    finally:
        databases.drop_all()


def _clear(answer: httpx.Response, what: str) -> None:
    """Not a failure of the server's, said in words."""
    assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:500]}"
    assert not _TRACEBACK.search(answer.text), f"{what}: a traceback: {answer.text[:2000]}"
    if answer.status_code < 400 or answer.request.method == "HEAD":
        return
    kind = answer.headers.get("content-type", "")
    if kind.startswith("application/json"):
        body = answer.json()
        said = body.get("error") or body.get("detail") or body.get("imsx_description")
        assert said, f"{what}: {answer.status_code} without a message: {answer.text[:500]}"
    else:
        assert kind.startswith("text/"), f"{what}: {answer.status_code} as {kind!r}"
        assert answer.text.strip(), f"{what}: {answer.status_code} with an empty body"


def _path(template: str, segment: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _m: quote(segment, safe=""), template)


def _sweep(client: httpx.Client, signed: dict[str, str], method: str, template: str) -> None:
    """One route: its own method and a wrong one, with hostile segments, queries, bodies."""

    @SWEEP
    @given(
        segment=SEGMENTS,
        query=QUERIES,
        body=BODIES,
        wrong=st.sampled_from(METHODS),
        token=st.booleans(),
    )
    def sweep(segment: str, query: str, body: tuple[bytes, str], wrong: str, token: bool) -> None:
        path = _path(template, segment)
        content, kind = body
        headers = {**(signed if token else {}), **({"content-type": kind} if kind else {})}
        target = f"{path}?{query}" if query else path
        for verb in (method, wrong):
            sent = content if verb not in ("GET", "HEAD", "DELETE") else None
            answer = client.request(verb, target, content=sent, headers=headers)
            _clear(answer, f"{verb} {target[:200]} ({kind or 'no body'})")

    sweep()


def test_every_route_answers_hostile_input_clearly(swept: Swept) -> None:
    signed = {"authorization": f"Bearer {swept.token}"}
    with httpx.Client(base_url=swept.url, timeout=HANG) as client:
        for method, template in swept.routes:
            _sweep(client, signed, method, template)
    assert httpx.get(f"{swept.url}/healthz", timeout=HANG).status_code == 200


def test_a_nul_byte_in_a_name_is_refused_in_words_on_both_databases(swept: Swept) -> None:
    """PostgreSQL stores no text holding a NUL byte: a name with one answered 500 there."""
    signed = {"authorization": f"Bearer {swept.token}"}
    for method, path in (
        ("DELETE", "/api/v1/issuers/a%00b/webhooks/a%00b"),
        ("GET", "/api/v1/issuers/a%00b/achievements"),
        ("GET", "/issuers/a%00b"),
    ):
        answer = httpx.request(method, f"{swept.url}{path}", headers=signed, timeout=HANG)
        _clear(answer, f"{method} {path}")
        assert answer.status_code in (404, 422), answer.text[:300]


def test_numbers_past_what_a_column_or_a_decimal_holds_are_refused_in_words(swept: Swept) -> None:
    """Found by hand: a version of 10**20 reached SQLite as an OverflowError, and the refusal
    of an amount of 1e30 could not be written (Decimal's precision): both were 500s."""
    signed = {"authorization": f"Bearer {swept.token}"}
    achievement = f"/api/v1/issuers/{ISSUER}/achievements/data-visualisation"
    course = {"learner": "ana", "course": "c1", "provider": "p1", "completed_on": "2026-01-05"}
    for method, path, body, status in (
        ("GET", f"{achievement}/quality?version={10**20}", None, 404),
        ("POST", f"{achievement}/review/comment", {"comment": "x", "version": 10**20}, 404),
        ("POST", f"/api/v1/issuers/{ISSUER}/course-completions", {**course, "hours": "1e30"}, 422),
        (
            "POST",
            f"/api/v1/issuers/{ISSUER}/awards",
            {"learner": "ana", "achievement": "sql-querying", "score": "1e999999"},
            422,
        ),
    ):
        answer = httpx.request(
            method, f"{swept.url}{path}", json=body, headers=signed, timeout=HANG
        )
        _clear(answer, f"{method} {path}")
        assert answer.status_code == status, answer.text[:300]
        assert len(answer.text) < 500, answer.text[:300]
