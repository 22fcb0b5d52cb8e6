"""The wallet's holder pages: binding a DID, and sending a credential to a wallet app.

Binding: "Bind a DID" (a POST, since it makes a challenge) shows the challenge and the domain
to sign; the learner pastes the signed presentation back. Sending to the DCC Learner
Credential Wallet: each credential's button (a POST, since each press makes a one-time
challenge) shows the ``dccrequest://`` deep link and its QR code, drawn on the server.
Every form carries the CSRF token; a refusal re-shows the form with the reason (422).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.errors import CredstackError, InvalidInput
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.limits import MAX_PRESENTATION_BYTES
from credstack.service.holders import (
    CHALLENGE_LIFETIME,
    bind_did,
    offer_to_wallet,
    request_challenge,
)
from credstack.vc.safejson import InputRefused, loads
from credstack.web.auth import require_csrf
from credstack.web.page import PageRoute, render
from credstack.web.qr import qr_data_uri
from credstack.web.wallet_pages import sign_in_first

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_MAX_ID = 64
_MINUTES = int(CHALLENGE_LIFETIME.total_seconds()) // 60


def _bind_page(
    request: Request,
    challenge: str,
    domain: str,
    *,
    error: str | None = None,
    presentation: str = "",
) -> HTMLResponse:
    context = {
        "title": "Bind your DID",
        "challenge": challenge,
        "domain": domain,
        "minutes": _MINUTES,
        "error": error,
        "presentation": presentation,
    }
    return render(request, "wallet_did.html", context, status_code=422 if error else 200)


def _json(text: str) -> object:
    try:
        return loads(text, max_bytes=MAX_PRESENTATION_BYTES)
    except InputRefused as exc:
        raise InvalidInput(exc.message) from exc
    except ValueError as exc:
        raise InvalidInput(f"the presentation is not JSON: {exc}") from exc


@router.post("/wallet/holder-did/challenge", response_model=None)
def did_challenge(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """A fresh challenge for the learner to sign with their DID."""
    require_csrf(request, csrf)
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    made = request_challenge(runtime, actor)
    return _bind_page(request, made.challenge, made.domain)


@router.post("/wallet/holder-did", response_model=None)
def did_bind(
    request: Request,
    runtime: RuntimeDep,
    actor: ActorDep,
    presentation: Annotated[str, Form(max_length=MAX_PRESENTATION_BYTES)] = "",
    challenge: Annotated[str, Form(max_length=200)] = "",
    domain: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Bind the DID of the pasted presentation; a refusal shows the same challenge again."""
    require_csrf(request, csrf)
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    try:
        if not presentation.strip():
            raise InvalidInput("paste the signed presentation")
        bind_did(runtime, actor, _json(presentation))
    except CredstackError as exc:
        return _bind_page(request, challenge, domain, error=str(exc), presentation=presentation)
    return RedirectResponse("/wallet#holder", status_code=303)


@router.post("/wallet/credentials/{public_id}/lcw", response_model=None)
def lcw_offer(
    request: Request,
    public_id: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """The deep link and QR code that add this credential to the Learner Credential Wallet."""
    require_csrf(request, csrf)
    signed_out = sign_in_first(actor)
    if signed_out is not None:
        return signed_out
    offer = offer_to_wallet(runtime, actor, public_id[:_MAX_ID])
    context = {
        "title": "Add to Learner Credential Wallet",
        "offer": offer,
        "qr": qr_data_uri(offer.deep_link),
        "minutes": _MINUTES,
    }
    return render(request, "wallet_lcw.html", context)
