"""DID documents for did:web issuers, where the did:web method says a resolver looks."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from credstack.http.deps import RuntimeDep
from credstack.service import identity

__all__ = ["router"]

router = APIRouter(tags=["identity"])


@router.get("/issuers/{issuer}/did.json", response_class=JSONResponse)
def did_document(issuer: str, runtime: RuntimeDep) -> JSONResponse:
    """A JSON-LD document whose shape the DID specification owns, served as the issuer keeps it."""
    return JSONResponse(identity.did_document(runtime, issuer))
