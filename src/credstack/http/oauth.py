"""Carrying an OAuth 2.0 request to authlib's adapter and its answer back, for both the
machine endpoints (`api.oauth_routes`) and the consent page (`web.consent_pages`)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from fastapi.responses import Response

from credstack.errors import InvalidInput, TooLarge
from credstack.service.oauth.authority import HttpAnswer, HttpCall
from credstack.service.runtime import Runtime

__all__ = ["MAX_OAUTH_BODY", "Body", "FormPairs", "call_of", "sent"]

MAX_OAUTH_BODY = 16_384
"""A registration or token request is a few hundred bytes; 16 KiB is ample."""


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_OAUTH_BODY:
        raise TooLarge(f"the request body is over {MAX_OAUTH_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_OAUTH_BODY:
            raise TooLarge(f"the request body is over {MAX_OAUTH_BODY} bytes")
    return body


Body = Annotated[bytes, Depends(_body)]


def call_of(
    request: Request, runtime: Runtime, body: bytes = b"", *, as_json: bool = False
) -> HttpCall:
    """The request as authlib's adapter takes it, under the configured base URL (a proxy in
    front may speak http to us while clients speak https to it)."""
    headers = dict(request.headers.items())
    url = runtime.settings.base_url + request.url.path
    params = tuple(request.query_params.multi_items())
    if as_json:
        try:
            document: Any = json.loads(body or b"{}")
        except ValueError:
            raise InvalidInput("the body is not JSON") from None
        if not isinstance(document, dict):
            raise InvalidInput("the body must be a JSON object")
        return HttpCall(request.method, url, headers, params, document)
    try:
        form = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the body is not a form (application/x-www-form-urlencoded)") from None
    return HttpCall(request.method, url, headers, params + tuple(form))


def sent(answer: HttpAnswer) -> Response:
    response = Response(content=answer.body, status_code=answer.status)
    for name, value in answer.headers:
        response.headers[name] = value
    return response


async def _form_pairs(request: Request) -> tuple[tuple[str, str], ...]:
    """A page form's fields in order (Starlette caches the parsed form, so `Form()`
    parameters of the same route still read it)."""
    form = await request.form(max_fields=50)
    return tuple((k, v) for k, v in form.multi_items() if isinstance(v, str))


FormPairs = Annotated[tuple[tuple[str, str], ...], Depends(_form_pairs)]
