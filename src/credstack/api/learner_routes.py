"""Registering and erasing learners over HTTP.

Erasure is the person's right, not one issuer's: an admin at any issuer that holds a record
of the learner may carry it out, and it is recorded in the audit trail with the reason (the
rule lives in `service.registration`).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from credstack.http.deps import ActorDep, RuntimeDep
from credstack.service.registration import erase, register_learner

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["learners"])


class LearnerIn(BaseModel):
    id: str = Field(max_length=120)
    name: str = Field(max_length=300)
    email: str | None = Field(default=None, max_length=254)


class EraseIn(BaseModel):
    reason: str = Field(max_length=2000)


class LearnerOut(BaseModel):
    id: str
    public_id: str
    """The learner's opaque id: what pages and credentials name them by."""
    name: str


class ErasedOut(BaseModel):
    id: str
    """The erased learner's public id, still named by the credentials they hold."""
    erased: bool


@router.post("/learners", status_code=201)
def post_learner(body: LearnerIn, runtime: RuntimeDep, actor: ActorDep) -> LearnerOut:
    """Register a learner (one learner may hold credentials from many issuers)."""
    learner = register_learner(runtime, actor, key=body.id, name=body.name, email=body.email)
    return LearnerOut(id=learner.key, public_id=learner.public_id, name=learner.name)


@router.post("/learners/{learner}/erase")
def post_erase(learner: str, body: EraseIn, runtime: RuntimeDep, actor: ActorDep) -> ErasedOut:
    """Remove the learner's name, address and key; their issued credentials still verify."""
    erased = erase(runtime, actor, learner, reason=body.reason)
    return ErasedOut(id=erased.public_id, erased=True)
