"""An issuer's webhook endpoints and delivery log over HTTP (the admin role at the issuer).

Each endpoint is one use case of `service.webhooks`; a new or rotated secret is in that one
answer only.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response

from credstack.api.webhook_schemas import (
    DeliveryOut,
    EndpointIn,
    EndpointOut,
    SecretOut,
)
from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service.webhooks import deliveries, endpoints

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/issuers/{issuer}/webhooks", tags=["webhooks"])


def _secret(made: endpoints.NewSecret) -> SecretOut:
    return SecretOut(endpoint=EndpointOut(**asdict(made.endpoint)), secret=made.secret)


@router.get("")
def get_endpoints(issuer: str, runtime: RuntimeDep, actor: ActorDep) -> list[EndpointOut]:
    return [EndpointOut(**asdict(e)) for e in endpoints.list_endpoints(runtime, actor, issuer)]


@router.post("", status_code=201)
def post_endpoint(issuer: str, body: EndpointIn, runtime: RuntimeDep, actor: ActorDep) -> SecretOut:
    """Add an endpoint; the answer carries its signing secret, which is never shown again."""
    return _secret(endpoints.add_endpoint(runtime, actor, issuer, body.url, body.events))


@router.delete("/{endpoint_id}", status_code=204)
def delete_endpoint(
    issuer: str, endpoint_id: str, runtime: RuntimeDep, actor: ActorDep
) -> Response:
    endpoints.remove_endpoint(runtime, actor, endpoint_id, issuer=issuer)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret")
def post_rotate(issuer: str, endpoint_id: str, runtime: RuntimeDep, actor: ActorDep) -> SecretOut:
    return _secret(endpoints.rotate_secret(runtime, actor, endpoint_id, issuer=issuer))


@router.get("/deliveries")
def get_deliveries(
    issuer: str,
    runtime: RuntimeDep,
    actor: ActorDep,
    failed: Annotated[bool, Query(description="Only deliveries given up on.")] = False,
) -> list[DeliveryOut]:
    found = deliveries.list_deliveries(runtime, actor, issuer, failed_only=failed)
    return [DeliveryOut.model_validate(asdict(d)) for d in found]


@router.post("/deliveries/{delivery_id}/redeliver", status_code=202)
def post_redeliver(
    issuer: str, delivery_id: str, runtime: RuntimeDep, actor: ActorDep
) -> DeliveryOut:
    again = deliveries.redeliver(runtime, actor, delivery_id, issuer=issuer)
    return DeliveryOut.model_validate(asdict(again))
