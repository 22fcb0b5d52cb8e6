"""The VC-API exchange a wallet app posts to (the deep link's `vc_request_url`).

No sign-in: the exchange id in the path is the one-time challenge the learner's wallet page
made, and the capability. An empty body (``{}``) is answered with the request for a DID
authentication; a DID authentication presentation is answered with the credential, re-signed
to the presented DID, in ``{"verifiablePresentation": {...}}``. Bounded and rate-limited like
the public verifier, since each call verifies a signature.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from credstack.errors import InvalidInput, TooLarge
from credstack.http.deps import RuntimeDep
from credstack.http.ratelimit import limit_verify
from credstack.limits import MAX_PRESENTATION_BYTES
from credstack.service.holders import EXCHANGES_PATH, complete_exchange, exchange_request
from credstack.vc.safejson import InputRefused, loads

__all__ = ["router"]

router = APIRouter(tags=["wallet exchange"])


async def _presentation(request: Request) -> Any:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_PRESENTATION_BYTES:
        raise TooLarge(f"a presentation is at most {MAX_PRESENTATION_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_PRESENTATION_BYTES:
            raise TooLarge(f"a presentation is at most {MAX_PRESENTATION_BYTES} bytes")
    text = bytes(body).decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    try:
        return loads(text, max_bytes=MAX_PRESENTATION_BYTES)
    except InputRefused:
        raise
    except ValueError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}") from exc


@router.post(
    f"{EXCHANGES_PATH}/{{exchange}}",
    dependencies=[Depends(limit_verify)],
    openapi_extra={
        "requestBody": {
            "description": "A DID authentication VerifiablePresentation over the exchange's "
            'challenge (bare, or as `{"verifiablePresentation": ...}`); `{}` asks what to send.',
            "content": {"application/json": {}},
        }
    },
)
async def exchange(
    request: Request,
    runtime: RuntimeDep,
    exchange: Annotated[str, Path(max_length=128)],
) -> JSONResponse:
    """Deliver one credential to the wallet that proves control of its DID."""
    presented = await _presentation(request)
    # The database, a did:web fetch and signing block: off the event loop.
    if presented == {}:
        return JSONResponse(await run_in_threadpool(exchange_request, runtime, exchange))
    delivered = await run_in_threadpool(complete_exchange, runtime, exchange, presented)
    return JSONResponse(delivered.response)
