"""DID documents for did:web issuers, where the did:web method says a resolver looks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from credstack.http.deps import RuntimeDep, UowDep
from credstack.service.identity import issuer_did_document

__all__ = ["router"]

router = APIRouter(tags=["identity"])


@router.get("/issuers/{issuer}/did.json")
def did_document(issuer: str, uow: UowDep, runtime: RuntimeDep) -> dict[str, Any]:
    return issuer_did_document(uow, runtime.settings.base_url, issuer)
