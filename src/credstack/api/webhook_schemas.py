"""What the webhook endpoints take and send (kept apart from the routes)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from credstack.service.outbound import MAX_URL
from credstack.service.webhooks.events import EVENTS

__all__ = ["AttemptOut", "DeliveryOut", "EndpointIn", "EndpointOut", "SecretOut"]


class EndpointIn(BaseModel):
    url: str = Field(max_length=MAX_URL, description="https:// URL events are POSTed to.")
    events: list[str] = Field(
        min_length=1, max_length=len(EVENTS), description=f"From: {', '.join(EVENTS)}."
    )


class EndpointOut(BaseModel):
    id: str
    issuer: str
    url: str
    events: list[str]
    created_at: datetime


class SecretOut(BaseModel):
    endpoint: EndpointOut
    secret: str = Field(description="`whsec_...`: shown in this answer only.")


class AttemptOut(BaseModel):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None


class DeliveryOut(BaseModel):
    id: str = Field(description="The webhook-id the receiver saw.")
    event: str
    endpoint: str
    url: str
    status: str
    created_at: datetime
    next_attempt_at: datetime | None
    attempts: list[AttemptOut]
