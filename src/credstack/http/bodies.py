"""Request bodies read whole only up to a bound: a declared length over it is refused before
anything is read, and a stream that never declared one is cut off as soon as it passes it."""

from __future__ import annotations

from fastapi import Request

from credstack.errors import TooLarge

__all__ = ["bounded_body", "refuse_declared"]


def refuse_declared(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request is {declared} bytes; at most {limit} are accepted")


async def bounded_body(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as it passes ``limit`` (a stream may not declare it)."""
    refuse_declared(request, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
