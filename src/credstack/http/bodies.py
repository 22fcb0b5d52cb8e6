"""Request bodies read only up to a bound: a declared length over it is refused before
anything is read, and a stream that never declared one is cut off as soon as it passes it.

`counted` is the one bounded reader: JSON and raw bodies (`bounded_body`), forms
(`bounded_form`) and page uploads (`http.uploads`) read through it, each refusing with its own
words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData
from starlette.types import Message

from credstack.errors import TooLarge

__all__ = ["bounded_body", "bounded_form", "counted", "refuse_declared"]


def refuse_declared(
    request: Request, limit: int, refusal: Callable[[], TooLarge] | None = None
) -> None:
    """`TooLarge` (`refusal()`, if given) when the declared length is over `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        if refusal is not None:
            raise refusal()
        raise TooLarge(f"the request is {declared} bytes; at most {limit} are accepted")


def counted(request: Request, limit: int, refusal: Callable[[], TooLarge]) -> Request:
    """The same request, whose body raises `refusal()` as soon as more than `limit` bytes of
    it have arrived, whether read whole, streamed or parsed as a form."""
    received = 0
    receive = request.receive

    async def counting() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise refusal()
        return message

    return Request(request.scope, counting)


async def bounded_body(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as it passes ``limit`` (a stream may not declare it)."""
    refuse_declared(request, limit)
    chunks: list[bytes] = []
    reading = counted(request, limit, lambda: TooLarge(f"the request is larger than {limit} bytes"))
    async for chunk in reading.stream():
        chunks.append(chunk)
    return b"".join(chunks)


async def bounded_form(request: Request, limit: int, **parsing: Any) -> FormData:
    """The multipart or urlencoded form, refused as soon as more than ``limit`` bytes of it
    arrived: a chunked body declares no length, and the parser would otherwise spool it all."""
    refuse_declared(request, limit)
    reading = counted(request, limit, lambda: TooLarge(f"the request is larger than {limit} bytes"))
    return await reading.form(**parsing)
