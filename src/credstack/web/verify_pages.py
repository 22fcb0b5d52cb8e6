"""Public pages: verifying a credential, and what a share link shows."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from credstack.catalog.format import is_web_url
from credstack.domain.durations import describe_duration
from credstack.errors import CredstackError, NotFound
from credstack.http.deps import RuntimeDep
from credstack.http.ratelimit import limit_verify
from credstack.http.verify_pool import award_result, bytes_result, off_loop, url_result
from credstack.limits import MAX_URL_CHARS
from credstack.service.credentials import issued_here
from credstack.service.runtime import Runtime
from credstack.service.share_page import shared_page
from credstack.service.verification import result_json
from credstack.vc.result import VerificationResult
from credstack.vc.safejson import InputRefused
from credstack.web.auth import csrf_token, remember_csrf_cookie, require_csrf

__all__ = ["GONE", "router", "templates"]

_HERE = Path(__file__).resolve().parent
_STATIC = {
    "site.css": "text/css",
    "icon.svg": "image/svg+xml",
    "favicon.ico": "image/vnd.microsoft.icon",
}
templates = Jinja2Templates(directory=str(_HERE / "templates"))
templates.env.tests["web_url"] = is_web_url  # pages link only http(s) URLs, whatever is stored
templates.env.filters["duration"] = describe_duration  # "5 years", never "P5Y", on any page
router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    result: VerificationResult | None,
    *,
    error: str | None = None,
    title: str = "Verify a credential",
    links: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request,
        "verify.html",
        {
            "title": title,
            "report": result_json(result) if result is not None else None,
            "error": error,
            "links": links or {},
            "show_form": links is None,
            "csrf": csrf_token(request),
        },
        status_code=status_code,
    )
    remember_csrf_cookie(request, response)
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in _STATIC:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(_HERE / "static" / name, media_type=_STATIC[name])


@router.get("/favicon.ico")
def favicon() -> Response:
    """Where browsers look without being told; pages also link the SVG (`base.html`)."""
    return FileResponse(
        _HERE / "static" / "favicon.ico",
        media_type=_STATIC["favicon.ico"],
        headers={"cache-control": "public, max-age=86400"},
    )


@router.get("/verify", response_class=HTMLResponse)
async def verify_page(
    request: Request, runtime: RuntimeDep, credential: str | None = None
) -> HTMLResponse:
    """The form; with ``?credential=<id>`` (the certificate's QR code) the result at once."""
    if credential is None:
        return _page(request, None)
    if not issued_here(runtime, credential):
        # The id is not repeated: a link could otherwise put any words (or a NUL byte) on
        # this site's page.
        return _page(
            request, None, error="No credential with that id was issued here.", status_code=404
        )
    return _page(request, await _award_result(runtime, credential))


async def _award_result(runtime: Runtime, public_id: str) -> VerificationResult:
    """Our own credential, verified in a worker process like any presented one.

    The trust directory it is checked against may be large: reading it must not hold the server.
    """
    result = await off_loop(runtime.settings, partial(award_result, public_id))
    if result is None:  # revoked and purged between the look-up and the worker's
        raise NotFound(f"no credential {public_id} was issued here")
    return result


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(
    request: Request,
    runtime: RuntimeDep,
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str | None, Form(max_length=MAX_URL_CHARS)] = None,
    email: Annotated[str | None, Form()] = None,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> HTMLResponse:
    """Verified in a worker process, within the same bounds and budget as the API."""
    limit = runtime.settings.max_credential_bytes
    try:
        require_csrf(request, csrf)
    except CredstackError as exc:
        return _page(request, None, error=exc.message, status_code=exc.http_status)
    limit_verify(request)
    address = email.strip() if email and email.strip() else None
    try:
        if file is not None and file.filename:
            data = await file.read(limit + 1)
            if len(data) > limit:
                return _page(
                    request, None, error=f"The file is larger than {limit} bytes.", status_code=413
                )
            work = partial(bytes_result, data, address)
            return _page(request, await off_loop(runtime.settings, work))
        if url:
            work = partial(url_result, url.strip(), address)
            return _page(request, await off_loop(runtime.settings, work))
    except CredstackError as exc:
        return _page(request, None, error=exc.message, status_code=exc.http_status)
    except InputRefused as exc:
        return _page(request, None, error=exc.message, status_code=413 if exc.too_large else 422)
    return _page(request, None, error="Choose a file or give a link to verify.", status_code=422)


GONE = {
    "revoked": "The holder has revoked this share link.",
    "expired": "This share link has expired.",
}
"""What a share link that has ended says, by its state (the share page and the employer's)."""


@router.get("/share/{token}", response_class=HTMLResponse)
async def share_page(request: Request, token: str, runtime: RuntimeDep) -> HTMLResponse:
    """What a learner shared: each credential's meaning and its verification, checked now,
    with the tags a link preview reads and an "Add to LinkedIn profile" link."""
    shared = shared_page(runtime, token[:MAX_URL_CHARS])
    if shared is None or shared.state != "live" or not shared.credentials:
        error = GONE.get(shared.state, "") if shared is not None else ""
        return templates.TemplateResponse(
            request,
            "share.html",
            {
                "title": "Shared credentials",
                "error": error or "This share link is not valid or has expired.",
                "shared": None,
                "shown": [],
            },
            status_code=410 if error else 404,
        )
    shown = [(c, result_json(await _award_result(runtime, c.id))) for c in shared.credentials]
    names = [c.name for c in shared.credentials]
    first = shared.credentials[0]
    title = names[0] if len(names) == 1 else f"{len(names)} credentials"
    listed = "; ".join(f"{c.name} ({c.issuer})" for c in shared.credentials)
    description = (
        f"{first.name}, issued by {first.issuer}: {first.description}"
        if len(names) == 1
        else f"Verified credentials: {listed}"
    )
    context = {
        "title": f"Shared: {title}",
        "shared": shared,
        "shown": shown,
        "og_title": title,
        "og_description": description[:300],
        "error": None,
    }
    return templates.TemplateResponse(request, "share.html", context)
