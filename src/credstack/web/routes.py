"""Public pages: verifying a credential, and what a share link shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from credstack.api.deps import RuntimeDep, UowDep
from credstack.errors import CredstackError, NotFound
from credstack.service.runtime import Runtime
from credstack.service.sharing import ShareLinks
from credstack.service.verification import Verifier, result_json, verifier_for
from credstack.store.uow import UnitOfWork
from credstack.vc.result import VerificationResult

__all__ = ["router", "templates"]

_HERE = Path(__file__).resolve().parent
_STATIC = {"site.css": "text/css"}
_MAX_BYTES = 10 * 1024 * 1024
templates = Jinja2Templates(directory=str(_HERE / "templates"))
router = APIRouter(include_in_schema=False)


def _verifier(uow: UnitOfWork, runtime: Runtime) -> Verifier:
    return verifier_for(
        uow,
        runtime.keys(uow),
        base_url=runtime.settings.base_url,
        trust_dir=runtime.settings.trust_directory,
        share_links=ShareLinks(runtime.master),
    )


def _page(
    request: Request,
    result: VerificationResult | None,
    *,
    error: str | None = None,
    title: str = "Verify a credential",
    links: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "verify.html",
        {
            "title": title,
            "report": result_json(result) if result is not None else None,
            "error": error,
            "links": links or {},
            "show_form": links is None,
        },
        status_code=status_code,
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in _STATIC:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(_HERE / "static" / name, media_type=_STATIC[name])


@router.get("/verify", response_class=HTMLResponse)
def verify_page(
    request: Request, uow: UowDep, runtime: RuntimeDep, credential: str | None = None
) -> HTMLResponse:
    """The form; with ``?credential=<id>`` (the certificate's QR code) the result at once."""
    if credential is None:
        return _page(request, None)
    award = uow.awards.by_public_id(credential)
    if award is None or award.credential is None:
        return _page(
            request, None, error=f"No credential {credential} was issued here.", status_code=404
        )
    return _page(request, _verifier(uow, runtime).verify_award(award))


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(
    request: Request,
    uow: UowDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    verifier = _verifier(uow, runtime)
    address = email.strip() if email and email.strip() else None
    try:
        if file is not None and file.filename:
            data = await file.read(_MAX_BYTES + 1)
            if len(data) > _MAX_BYTES:
                return _page(
                    request, None, error="The file is larger than 10 MiB.", status_code=422
                )
            return _page(request, verifier.verify_bytes(data, email=address))
        if url:
            return _page(request, verifier.verify_url(url.strip(), email=address))
    except CredstackError as exc:
        return _page(request, None, error=exc.message, status_code=exc.http_status)
    return _page(request, None, error="Choose a file or give a link to verify.", status_code=422)


@router.get("/share/{token}", response_class=HTMLResponse)
def share_page(request: Request, token: str, uow: UowDep, runtime: RuntimeDep) -> HTMLResponse:
    """What a learner shared: the credential's meaning and its verification, checked now."""
    verifier = _verifier(uow, runtime)
    award = ShareLinks(runtime.master).award_for(uow, token)
    if award is None or award.credential is None:
        return _page(
            request,
            None,
            error="This share link is not valid or has expired.",
            title="Shared credential",
            links={},
            status_code=404,
        )
    base = f"{runtime.settings.base_url}/credentials/{award.public_id}"
    links = {
        "Credential (JSON-LD)": base,
        "Credential (JWT)": f"{base}/credential.jwt",
        "Badge image (PNG)": f"{base}/badge.png",
        "Certificate (PDF)": f"{base}/certificate.pdf",
    }
    return _page(request, verifier.verify_award(award), title="Shared credential", links=links)
