"""The body ceiling on its own: what it refuses before reading, what it stops while counting,
and what it leaves alone (the server-level behaviour is in tests/integration/hostile/)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from credstack.http.body_ceiling import BodyCeiling, BodyRefused, Ceilings
from credstack.http.route_bounds import ROUTE_BOUNDS, bound_of, carries_credential
from credstack.http.session import COOKIE_NAME
from credstack.limits import (
    MAX_AWARD_IMPORT_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    MAX_GROUP_BYTES,
    MAX_RESULTS_UPLOAD_BYTES,
    MAX_URLENCODED_FORM_BYTES,
)

SMALL = Ceilings(urlencoded=10, multipart=40, document=20)


class Inner:
    """An application that reads the whole body, as FastAPI's parsing does."""

    def __init__(self) -> None:
        self.read = b""
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.read += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await PlainTextResponse("read")(scope, receive, send)


def _scope(method: str, headers: Sequence[tuple[str, str]], path: str = "/x") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }


def _run(
    method: str,
    headers: Sequence[tuple[str, str]],
    chunks: Sequence[bytes],
    stall: bool = False,
    path: str = "/x",
) -> tuple[Inner, list[Message], list[BodyRefused]]:
    inner, sent, answered = Inner(), [], []

    async def receive() -> Message:
        if chunks_left:
            body = chunks_left.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(chunks_left) or stall}
        await asyncio.sleep(3600)  # a client that stopped sending
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    async def answer(_request: Request, refusal: BodyRefused) -> Response:
        answered.append(refusal)
        return PlainTextResponse(refusal.detail, refusal.status_code)

    chunks_left = list(chunks)
    ceiling = BodyCeiling(inner, ceilings=SMALL, timeout=0.05, answer=answer)
    asyncio.run(ceiling(_scope(method, headers, path), receive, send))
    return inner, sent, answered


def test_the_ceilings_are_the_routes_own_bounds() -> None:
    ceilings = Ceilings.of(max_credential_bytes=1024)
    assert ceilings.urlencoded == MAX_URLENCODED_FORM_BYTES
    assert ceilings.multipart == MAX_GROUP_BYTES + MAX_FORM_OVERHEAD_BYTES  # /employer's group
    assert ceilings.document == MAX_GROUP_BYTES
    assert Ceilings.of(max_credential_bytes=MAX_GROUP_BYTES * 2).document == MAX_GROUP_BYTES * 2
    assert SMALL.for_type(b"Application/X-WWW-Form-Urlencoded; charset=utf-8")[0] == 10
    assert SMALL.for_type(b"multipart/form-data; boundary=x")[0] == 40
    assert SMALL.for_type(b"text/csv")[0] == 20  # only the imports read CSV: their own bound
    assert SMALL.for_type(b"application/json")[0] == SMALL.for_type(b"")[0] == 20


def test_only_the_upload_routes_have_larger_bounds_of_their_own() -> None:
    awards = bound_of("POST", "/api/v1/issuers/northwind/award-imports")
    results = bound_of("POST", "/console/issuers/northwind/imports/results")
    assert awards is not None and awards.limit == MAX_AWARD_IMPORT_BYTES
    assert results is not None
    assert results.limit == MAX_RESULTS_UPLOAD_BYTES + MAX_FORM_OVERHEAD_BYTES
    assert results.sign_in_path("/console/issuers/northwind/imports/results") == (
        "/signin?next=/console/issuers/northwind/imports"
    )
    for method, path in (
        ("GET", "/api/v1/issuers/northwind/award-imports"),
        ("POST", "/api/v1/issuers/northwind/award-imports/extra"),
        ("POST", "/employer"),
        ("POST", "/api/v1/verify"),
    ):
        assert bound_of(method, path) is None, path


def test_a_credential_is_a_bearer_header_or_on_a_page_the_session_cookie() -> None:
    cookie = [(b"cookie", f"theme=dark; {COOKIE_NAME}=abc".encode())]
    assert carries_credential([(b"authorization", b"Bearer x")], page=False)
    assert carries_credential(cookie, page=True)
    assert not carries_credential(cookie, page=False)  # an API write needs the token
    assert not carries_credential([(b"cookie", b"theme=dark")], page=True)


def test_an_upload_sent_without_a_credential_is_refused_unread() -> None:
    api = "/api/v1/issuers/northwind/award-imports"
    headers = [("content-type", "text/csv"), ("content-length", str(MAX_AWARD_IMPORT_BYTES))]
    inner, sent, answered = _run("POST", headers, [b"x"], path=api)
    assert not inner.called
    assert [(r.status_code, r.detail) for r in answered] == [
        (401, "this needs an API token (Authorization: Bearer ...)")
    ]
    assert answered[0].headers == {"Connection": "close", "WWW-Authenticate": "Bearer"}
    page = "/console/issuers/northwind/imports/awards"
    form = ("content-type", "multipart/form-data; boundary=b")
    chunked = [form, ("transfer-encoding", "chunked")]
    inner, sent, answered = _run("POST", chunked, [b"x"], path=page)
    assert not inner.called and not answered
    assert sent[0]["status"] == 303
    assert (b"location", b"/signin?next=/console/issuers/northwind/imports") in sent[0]["headers"]


def test_an_upload_without_a_credential_or_a_body_is_answered_as_one_with_a_body() -> None:
    """Not by the handler's own refusal (it answered 403): the API's 401 with its challenge,
    a page's redirect to sign in."""
    uploads = (
        "/console/issuers/northwind/imports/awards",
        "/console/issuers/northwind/imports/results",
        "/api/v1/issuers/northwind/award-imports",
        "/api/v1/issuers/northwind/results/import",
    )
    assert {bound_of("POST", path) for path in uploads} == set(ROUTE_BOUNDS)
    for path in uploads:
        route = bound_of("POST", path)
        assert route is not None
        for headers in ([], [("content-length", "0")], [("content-length", "00")]):
            inner, sent, answered = _run("POST", headers, [], path=path)
            assert not inner.called, (path, headers)
            if route.page:
                assert not answered and sent[0]["status"] == 303, (path, headers)
                where = route.sign_in_path(path).encode()
                assert (b"location", where) in sent[0]["headers"]
            else:
                assert [r.status_code for r in answered] == [401], (path, headers)
                assert answered[0].headers is not None
                assert answered[0].headers["WWW-Authenticate"] == "Bearer"
    cookie = [("cookie", f"{COOKIE_NAME}=abc")]
    inner, _sent, answered = _run("POST", cookie, [b""], path="/console/issuers/n/imports/awards")
    assert inner.called and not answered  # signed in (or not, the route says): the route's


def test_an_upload_with_a_credential_has_its_own_bound_and_others_the_ceiling() -> None:
    api = "/api/v1/issuers/northwind/award-imports"
    token = ("authorization", "Bearer t")
    within = [token, ("content-type", "text/csv"), ("content-length", str(MAX_AWARD_IMPORT_BYTES))]
    inner, _sent, answered = _run("POST", within, [b"learner\n"], path=api)
    assert inner.called and not answered
    over = [token, within[1], ("content-length", str(MAX_AWARD_IMPORT_BYTES + 1))]
    inner, _sent, answered = _run("POST", over, [b"x"], path=api)
    assert not inner.called
    assert f"an award import is at most {MAX_AWARD_IMPORT_BYTES} bytes" in answered[0].detail
    assert answered[0].headers == {"Connection": "close"}
    elsewhere = [token, ("content-type", "text/csv"), ("content-length", "21")]
    inner, _sent, answered = _run("POST", elsewhere, [b"x" * 21], path="/employer")
    assert not inner.called and [r.status_code for r in answered] == [413]


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("application/x-www-form-urlencoded", 10), ("multipart/form-data; boundary=b", 40)],
)
def test_a_declared_length_over_the_ceiling_is_answered_unread(kind: str, limit: int) -> None:
    headers = [("content-type", kind), ("content-length", str(limit + 1))]
    inner, sent, answered = _run("POST", headers, [b"x" * (limit + 1)])
    assert not inner.called
    assert [r.status_code for r in answered] == [413]
    assert f"at most {limit} bytes" in answered[0].detail
    assert sent[0]["status"] == 413


def test_a_chunked_body_is_stopped_as_soon_as_it_passes_the_ceiling() -> None:
    headers = [("content-type", "application/json"), ("transfer-encoding", "chunked")]
    with pytest.raises(BodyRefused) as refused:
        _run("POST", headers, [b"x" * 15, b"x" * 15, b"x" * 15])
    assert refused.value.status_code == 413
    assert "larger than 20 bytes" in refused.value.detail


def test_bodies_within_the_ceiling_reach_the_application_whole() -> None:
    chunks = [b"a=1", b"&b=2", b"&c"]  # 9 bytes of 10
    kind = ("content-type", "application/x-www-form-urlencoded")
    inner, _sent, answered = _run("POST", [kind, ("transfer-encoding", "chunked")], chunks)
    assert inner.read == b"".join(chunks) and not answered
    inner, _, _ = _run("POST", [kind, ("content-length", "10")], [b"a=1&b=22&c"])
    assert inner.read == b"a=1&b=22&c"


def test_a_body_on_a_get_or_head_is_refused_and_none_passes() -> None:
    for method in ("GET", "HEAD"):
        for framing in (("content-length", "5"), ("transfer-encoding", "chunked")):
            inner, _, answered = _run(method, [framing], [b"hello"])
            assert not inner.called
            assert [r.status_code for r in answered] == [400]
            assert f"a {method} request carries no body" in answered[0].detail
        inner, sent, answered = _run(method, [("content-length", "0")], [b""])
        assert inner.called and not answered and sent[0]["status"] == 200


def test_a_body_that_stops_arriving_is_answered_408() -> None:
    headers = [("content-type", "application/json"), ("content-length", "15")]
    with pytest.raises(BodyRefused) as refused:
        _run("POST", headers, [b"x" * 5], stall=True)
    assert refused.value.status_code == 408
    assert refused.value.headers == {"Connection": "close"}
