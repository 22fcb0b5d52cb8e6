"""The learner's wallet (``/wallet``): their credentials and downloads, progress, CE cycles,
the share links they make and revoke, and credentials from elsewhere they import.

Signed out, the wallet sends the browser to the learner sign-in (``/signin``), which brings it
back here. Staff have no wallet: they are refused with a page that says so (they read a learner
on ``/learners/{id}``). Every form carries the CSRF token and answers with a redirect back to
the wallet, so reloading never posts twice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from credstack.errors import CredstackError, InvalidInput, NotFound
from credstack.http.bodies import bounded_form
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.http.verify_pool import pooled
from credstack.limits import MAX_FORM_OVERHEAD_BYTES, MAX_IMPORT_BYTES
from credstack.service.actor import Actor, ActorKind
from credstack.service.credentials import CredentialForm, holder_credential_file
from credstack.service.imports import import_credential
from credstack.service.share_links import create_share_link, revoke_share_link
from credstack.service.sharing import MAX_SHARE_DAYS
from credstack.service.wallet import wallet
from credstack.web.auth import require_csrf
from credstack.web.page import PageRoute, render

__all__ = ["router", "sign_in_first"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_FILES = {
    "credential.json": CredentialForm.JSON,
    "credential.jwt": CredentialForm.JWT,
    "badge.png": CredentialForm.PNG,
    "badge.svg": CredentialForm.SVG,
    "certificate.pdf": CredentialForm.PDF,
}
_MAX_ID = 64
_DEFAULT_DAYS = 90


def sign_in_first(actor: Actor, target: str = "/wallet") -> RedirectResponse | None:
    """A signed-out visitor of a learner's own page is sent to sign in and back; None otherwise."""
    if actor.kind is not ActorKind.ANONYMOUS:
        return None
    return RedirectResponse(f"/signin?next={target}", status_code=303)


def _page(
    request: Request, runtime: RuntimeDep, actor: Actor, *, refused: CredstackError | None = None
) -> HTMLResponse:
    """The wallet; after a refused form, with why and the refusal's own status (as the API
    answers it: 422 for bad input, 503 for a verification past its time budget)."""
    view = wallet(runtime, actor)
    context = {
        "title": f"{view.name}: your wallet",
        "wallet": view,
        "error": refused.message if refused is not None else None,
        "max_days": MAX_SHARE_DAYS,
        "default_days": _DEFAULT_DAYS,
        "max_import_bytes": MAX_IMPORT_BYTES,
        "wide": True,
    }
    status = refused.http_status if refused is not None else 200
    return render(request, "wallet.html", context, status_code=status)


@router.get("/wallet", response_class=HTMLResponse, response_model=None)
def wallet_page(request: Request, runtime: RuntimeDep, actor: ActorDep) -> Response:
    return sign_in_first(actor) or _page(request, runtime, actor)


@router.get("/wallet/credentials/{public_id}/{name}", response_model=None)
def wallet_download(public_id: str, name: str, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """One of the learner's own credentials as a file to keep (another's is not found)."""
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    form = _FILES.get(name)
    if form is None or len(public_id) > _MAX_ID:
        raise NotFound(f"no file {name!r}")
    found = holder_credential_file(runtime, actor, public_id, form)
    return Response(
        found.data,
        media_type=found.media_type,
        headers={"content-disposition": f'attachment; filename="{public_id}-{name}"'},
    )


def _days(text: str | None) -> int:
    if text is None or not text.strip():
        return _DEFAULT_DAYS
    if not text.strip().isdigit():
        raise InvalidInput(f"a share link lasts a whole number of days, 1 to {MAX_SHARE_DAYS}")
    return int(text)


@router.post("/wallet/share-links", response_model=None)
def wallet_share(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    credential: Annotated[list[str] | None, Form()] = None,
    days: Annotated[str | None, Form(max_length=12)] = None,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """A share link for the credentials ticked, valid for `days` (the form's default)."""
    require_csrf(request, csrf)
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    try:
        valid_days = _days(days)
        create_share_link(runtime, actor, credential or [], valid_days=valid_days)
    except InvalidInput as exc:
        return _page(request, runtime, actor, refused=exc)
    return RedirectResponse("/wallet#shares", status_code=303)


@router.post("/wallet/share-links/{link_id}/revoke", response_model=None)
def wallet_revoke(
    request: Request,
    link_id: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    require_csrf(request, csrf)
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    revoke_share_link(runtime, actor, link_id[:_MAX_ID])
    return RedirectResponse("/wallet#shares", status_code=303)


@router.post("/wallet/imports", response_model=None)
async def wallet_import(request: Request, runtime: RuntimeDep, actor: ActorDep) -> Response:
    """A credential from elsewhere, uploaded: verified and imported, or refused with why."""
    form = await bounded_form(
        request, MAX_IMPORT_BYTES + MAX_FORM_OVERHEAD_BYTES, max_files=1, max_fields=4
    )
    csrf = form.get("csrf")
    require_csrf(request, csrf if isinstance(csrf, str) else None)
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise InvalidInput("choose the credential file to import")
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        verify = pooled(runtime.settings)  # in the verification workers, like /verify
        await run_in_threadpool(import_credential, runtime, actor, data=data, verify=verify)
    except CredstackError as exc:
        if exc.http_status in (401, 403):
            raise
        return await run_in_threadpool(_page, request, runtime, actor, refused=exc)
    return RedirectResponse("/wallet#imported", status_code=303)
