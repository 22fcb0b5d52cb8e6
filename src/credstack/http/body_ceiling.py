"""One ceiling on every request body, counted as it arrives, under every route.

Routes that parse their body through FastAPI (`Form()` fields, a Pydantic model, a `Body()`
text) are handed it whole: the parser reads for as long as the client sends, and a chunked
body declares no length to check first. So this middleware bounds every body by what its
content type can mean here (`Ceilings`): a declared length over the ceiling is answered 413
before anything is read, and a body that passes it while arriving stops the read with
`BodyRefused` (413). A body that stops arriving for `timeout` seconds is answered 408, so a
client that declares a length and stalls holds nothing for ever. Routes with a tighter bound
of their own (`http.bodies`, `http.uploads`) keep it: the ceiling is the largest any public
route of that content type accepts. The uploads (`http.route_bounds`) have larger bounds of
their own, on their routes alone, and need a credential: one sent without any is refused
before its body is read, and one with an empty body is answered alike. A body refused unread
closes its connection, so that the client cannot go on sending it.

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
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credstack.http.route_bounds import RouteBound, bound_of, carries_credential
from credstack.limits import (
    MAX_CATALOG_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    MAX_GROUP_BYTES,
    MAX_IMPORT_BYTES,
    MAX_URLENCODED_FORM_BYTES,
)

__all__ = ["BodyCeiling", "BodyRefused", "Ceilings"]

_BODILESS = frozenset({"GET", "HEAD"})
_CLOSE = {"Connection": "close"}
_UNAUTHENTICATED = "this needs an API token (Authorization: Bearer ...)"


class BodyRefused(HTTPException):
    """A body over its ceiling (413), one on a GET or HEAD (400), one that stopped arriving
    (408), or one for a route that needs a credential sent without any (401); ``detail`` says
    which in words. ``close``: the connection ends with the answer (the body was not read)."""

    def __init__(
        self, status_code: int, detail: str, *, close: bool = False, challenge: bool = False
    ) -> None:
        headers = dict(_CLOSE) if close or status_code == 408 else {}
        if challenge:
            headers["WWW-Authenticate"] = "Bearer"
        super().__init__(status_code, detail, headers or None)


@dataclass(frozen=True)
class Ceilings:
    """The largest body, in bytes, any route but the uploads (`http.route_bounds`) accepts
    in each content type."""

    urlencoded: int
    """A page form a person fills in."""
    multipart: int
    """A form with a file: a credential to verify or import, a group of them (`/employer`)."""
    document: int
    """JSON and everything else: a credential, a JWT, a badge picture, a PDF, a group of
    credentials, a catalog."""

    @classmethod
    def of(cls, max_credential_bytes: int) -> Ceilings:
        """The ceilings that follow from the bounds of `credstack.limits` and the configured
        largest credential."""
        document = max(max_credential_bytes, MAX_GROUP_BYTES, MAX_IMPORT_BYTES, MAX_CATALOG_BYTES)
        return cls(
            urlencoded=MAX_URLENCODED_FORM_BYTES,
            multipart=max(max_credential_bytes, MAX_GROUP_BYTES, MAX_IMPORT_BYTES)
            + MAX_FORM_OVERHEAD_BYTES,
            document=document,
        )

    def for_type(self, content_type: bytes) -> tuple[int, str]:
        """The ceiling for a body of this ``Content-Type`` header, and what it is called."""
        media = content_type.partition(b";")[0].strip().lower()
        if media == b"application/x-www-form-urlencoded":
            return self.urlencoded, "a form"
        if media == b"multipart/form-data":
            return self.multipart, "a form with a file"
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
        # An upload sent without a credential is refused with or without a body, so an empty
        # one is answered as a full one is (not by its handler's own refusal).
        route = bound_of(scope["method"], scope["path"])
        if route is not None and not carries_credential(scope["headers"], route.page):
            await self._unauthenticated(route, scope, receive, send)
            return
        if not chunked and (declared is None or not declared.lstrip(b"0")):
            await self.app(scope, receive, send)
            return
        limit, kind = self._ceiling(route, content_type)
        refusal = self._refusal(scope["method"], declared, limit, kind)
        if refusal is not None:
            response = await self.answer(Request(scope, receive), refusal)
            await response(scope, receive, send)
            return
        await self.app(scope, self._counted(receive, limit, kind), send)

    def _ceiling(self, route: RouteBound | None, content_type: bytes) -> tuple[int, str]:
        """The upload route's own bound for the type it reads, else the type's ceiling."""
        if route is not None and content_type.partition(b";")[0].strip().lower() == route.media:
            return route.limit, route.kind
        return self.ceilings.for_type(content_type)

    async def _unauthenticated(
        self, route: RouteBound, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """No credential at all: a page is sent to sign in, the API answers 401; unread."""
        if route.page:
            where = route.sign_in_path(scope["path"])
            response: Response = RedirectResponse(where, status_code=303, headers=_CLOSE)
        else:
            refusal = BodyRefused(401, _UNAUTHENTICATED, close=True, challenge=True)
            response = await self.answer(Request(scope, receive), refusal)
        await response(scope, receive, send)

    @staticmethod
    def _refusal(method: str, declared: bytes | None, limit: int, kind: str) -> BodyRefused | None:
        """Why the body is refused before any of it is read, if it is."""
        if method in _BODILESS:
            return BodyRefused(400, f"a {method} request carries no body; send it without one")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return BodyRefused(
                413,
                f"the request is {int(declared)} bytes; {kind} is at most {limit} bytes",
                close=True,
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
