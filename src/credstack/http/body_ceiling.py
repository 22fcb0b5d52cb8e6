"""One ceiling on every request body, counted as it arrives, under every route.

Routes that parse their body through FastAPI (`Form()` fields, a Pydantic model, a `Body()`
text) are handed it whole: the parser reads for as long as the client sends, and a chunked
body declares no length to check first. So this middleware bounds every body by what its
content type can mean here (`Ceilings`): a declared length over the ceiling is answered 413
before anything is read, and a body that passes it while arriving stops the read with
`BodyRefused` (413). A body that stops arriving for `timeout` seconds is answered 408, so a
client that declares a length and stalls holds nothing for ever. Routes with a tighter bound
of their own (`http.bodies`, `http.uploads`) keep it: the ceiling is the largest any route of
that content type accepts.

`BodyRefused` is Starlette's `HTTPException`, the one exception FastAPI lets out of its body
parsing unchanged (any other becomes its generic 400), so the application's handler answers it
in the shape of the URL, like every other error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credstack.limits import (
    MAX_AWARD_IMPORT_BYTES,
    MAX_CATALOG_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    MAX_GROUP_BYTES,
    MAX_IMPORT_BYTES,
    MAX_URLENCODED_FORM_BYTES,
)

__all__ = ["BodyCeiling", "BodyRefused", "Ceilings"]

_BODILESS = frozenset({"GET", "HEAD"})


class BodyRefused(HTTPException):
    """A body over its ceiling (413), one on a GET or HEAD (400), or one that stopped
    arriving (408); ``detail`` says which in words."""

    def __init__(self, status_code: int, detail: str) -> None:
        headers = {"Connection": "close"} if status_code == 408 else None
        super().__init__(status_code, detail, headers)


@dataclass(frozen=True)
class Ceilings:
    """The largest body, in bytes, any route accepts in each content type."""

    urlencoded: int
    """A page form a person fills in."""
    multipart: int
    """A form with a file: the largest upload form (the console's award import)."""
    csv: int
    """A CSV file posted as the body (`text/csv`): the award import."""
    document: int
    """JSON and everything else: a credential, a JWT, a badge picture, a PDF, a group of
    credentials, a catalog."""

    @classmethod
    def of(cls, max_credential_bytes: int) -> Ceilings:
        """The ceilings that follow from the bounds of `credstack.limits` and the configured
        largest credential."""
        return cls(
            urlencoded=MAX_URLENCODED_FORM_BYTES,
            multipart=max(MAX_AWARD_IMPORT_BYTES, max_credential_bytes) + MAX_FORM_OVERHEAD_BYTES,
            csv=MAX_AWARD_IMPORT_BYTES,
            document=max(
                max_credential_bytes, MAX_GROUP_BYTES, MAX_IMPORT_BYTES, MAX_CATALOG_BYTES
            ),
        )

    def for_type(self, content_type: bytes) -> tuple[int, str]:
        """The ceiling for a body of this ``Content-Type`` header, and what it is called."""
        media = content_type.partition(b";")[0].strip().lower()
        if media == b"application/x-www-form-urlencoded":
            return self.urlencoded, "a form"
        if media == b"multipart/form-data":
            return self.multipart, "a form with a file"
        if media == b"text/csv":
            return self.csv, "a CSV file"
        return self.document, "a request body"


Answer = Callable[[Request, BodyRefused], Awaitable[Response]]
"""How the application answers a refusal (the same handler that answers `BodyRefused`)."""


class BodyCeiling:
    """Pure ASGI middleware: requests without a body pass untouched (one scan of the
    headers); a body is refused or counted as it arrives."""

    def __init__(self, app: ASGIApp, *, ceilings: Ceilings, timeout: float, answer: Answer) -> None:
        self.app = app
        self.ceilings = ceilings
        self.timeout = timeout
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        chunked = False
        content_type = b""
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"content-type":
                content_type = value
        if not chunked and (declared is None or not declared.lstrip(b"0")):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope["method"], declared, content_type)
        if refusal is not None:
            response = await self.answer(Request(scope, receive), refusal)
            await response(scope, receive, send)
            return
        limit, kind = self.ceilings.for_type(content_type)
        await self.app(scope, self._counted(receive, limit, kind), send)

    def _refusal(
        self, method: str, declared: bytes | None, content_type: bytes
    ) -> BodyRefused | None:
        """Why the body is refused before any of it is read, if it is."""
        if method in _BODILESS:
            return BodyRefused(400, f"a {method} request carries no body; send it without one")
        limit, kind = self.ceilings.for_type(content_type)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return BodyRefused(
                413, f"the request is {int(declared)} bytes; {kind} is at most {limit} bytes"
            )
        return None

    def _counted(self, receive: Receive, limit: int, kind: str) -> Receive:
        """``receive``, raising `BodyRefused` once more than ``limit`` bytes arrived or when
        none arrive for ``timeout`` seconds; past the body's end it is ``receive`` itself (a
        streaming answer waits on it for the client to leave, however long that takes)."""
        received = 0
        done = False
        timeout = self.timeout

        async def counting() -> Message:
            nonlocal received, done
            if done:
                return await receive()
            try:
                async with asyncio.timeout(timeout):
                    message = await receive()
            except TimeoutError:
                done = True
                raise BodyRefused(
                    408, f"the request body stopped arriving for {timeout:g} s; send it again"
                ) from None
            if message["type"] != "http.request":
                done = True
                return message
            received += len(message.get("body", b""))
            done = not message.get("more_body", False)
            if received > limit:
                done = True
                raise BodyRefused(413, f"the request is larger than {limit} bytes ({kind})")
            return message

        return counting
