"""The few routes whose bodies may be larger than their content type's ceiling: the uploads.

`BodyCeiling` bounds a body by its content type (`Ceilings`), and that ceiling is the largest
a *public* route of the type accepts. An import is far larger (an award import 256 MiB), so
its ceiling is its own and belongs to its route alone: `/employer` or `/verify` keep theirs,
and nobody reaches an import's size without a credential. Every route here needs a signed-in
person or an API token, so a request that carries none at all is refused from its headers,
before a byte of its body is read (a page is sent to sign in, as its handler would; the API
answers 401 with ``WWW-Authenticate: Bearer``), with a body or without one, so that an empty
anonymous upload is answered as a full one; one that carries a credential is still checked
by the route itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import cookie_parser

from credstack.http.session import COOKIE_NAME
from credstack.limits import (
    MAX_AWARD_IMPORT_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    MAX_RESULTS_UPLOAD_BYTES,
)

__all__ = ["ROUTE_BOUNDS", "RouteBound", "bound_of", "carries_credential"]

_ISSUER = r"[^/]+"


@dataclass(frozen=True)
class RouteBound:
    """One upload route: its method and path, the content type it reads, its bound."""

    method: str
    path: re.Pattern[str]
    """Matches the whole path; a page's group ``back`` is where sign-in returns to."""
    media: bytes
    limit: int
    kind: str
    """What the body is called in a refusal."""
    page: bool
    """A page (a person is sent to sign in) rather than the API (401)."""

    def sign_in_path(self, path: str) -> str:
        """Where a signed-out visitor is sent: the sign-in page, then back to the page."""
        found = self.path.fullmatch(path)
        back = found.group("back") if found is not None else "/"
        return f"/signin?next={quote(back)}"


ROUTE_BOUNDS = (
    RouteBound(
        "POST",
        re.compile(rf"(?P<back>/console/issuers/{_ISSUER}/imports)/awards"),
        b"multipart/form-data",
        MAX_AWARD_IMPORT_BYTES + MAX_FORM_OVERHEAD_BYTES,
        "an award import",
        page=True,
    ),
    RouteBound(
        "POST",
        re.compile(rf"(?P<back>/console/issuers/{_ISSUER}/imports)/results"),
        b"multipart/form-data",
        MAX_RESULTS_UPLOAD_BYTES + MAX_FORM_OVERHEAD_BYTES,
        "a results import",
        page=True,
    ),
    RouteBound(
        "POST",
        re.compile(rf"/api/v1/issuers/{_ISSUER}/award-imports"),
        b"text/csv",
        MAX_AWARD_IMPORT_BYTES,
        "an award import",
        page=False,
    ),
    RouteBound(
        "POST",
        re.compile(rf"/api/v1/issuers/{_ISSUER}/results/import"),
        b"text/csv",
        MAX_RESULTS_UPLOAD_BYTES,
        "a results import",
        page=False,
    ),
)
_PREFIXES = ("/console/issuers/", "/api/v1/issuers/")


def bound_of(method: str, path: str) -> RouteBound | None:
    """The upload route a request is for, if it is one (a prefix test first: most are not)."""
    if method != "POST" or not path.startswith(_PREFIXES):
        return None
    for bound in ROUTE_BOUNDS:
        if bound.path.fullmatch(path):
            return bound
    return None


def carries_credential(headers: list[tuple[bytes, bytes]], page: bool) -> bool:
    """Whether the request names anyone: an ``Authorization`` header, or on a page the
    session cookie (an API write needs the bearer token; `http.deps.get_actor`). Whether the
    credential is good is the route's to say."""
    for name, value in headers:
        if name == b"authorization":
            return True
        if page and name == b"cookie" and COOKIE_NAME in cookie_parser(value.decode("latin-1")):
            return True
    return False
