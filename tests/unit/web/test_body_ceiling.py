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
from credstack.limits import (
    MAX_AWARD_IMPORT_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    MAX_GROUP_BYTES,
    MAX_URLENCODED_FORM_BYTES,
)

SMALL = Ceilings(urlencoded=10, multipart=40, csv=30, document=20)


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


def _scope(method: str, headers: Sequence[tuple[str, str]]) -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": "/x",
        "raw_path": b"/x",
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }


def _run(
    method: str, headers: Sequence[tuple[str, str]], chunks: Sequence[bytes], stall: bool = False
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
    asyncio.run(ceiling(_scope(method, headers), receive, send))
    return inner, sent, answered


def test_the_ceilings_are_the_routes_own_bounds() -> None:
    ceilings = Ceilings.of(max_credential_bytes=1024)
    assert ceilings.urlencoded == MAX_URLENCODED_FORM_BYTES
    assert ceilings.multipart == MAX_AWARD_IMPORT_BYTES + MAX_FORM_OVERHEAD_BYTES
    assert ceilings.csv == MAX_AWARD_IMPORT_BYTES
    assert ceilings.document == MAX_GROUP_BYTES
    assert Ceilings.of(max_credential_bytes=MAX_GROUP_BYTES * 2).document == MAX_GROUP_BYTES * 2
    assert SMALL.for_type(b"Application/X-WWW-Form-Urlencoded; charset=utf-8")[0] == 10
    assert SMALL.for_type(b"multipart/form-data; boundary=x")[0] == 40
    assert SMALL.for_type(b"text/csv")[0] == 30
    assert SMALL.for_type(b"application/json")[0] == SMALL.for_type(b"")[0] == 20


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
