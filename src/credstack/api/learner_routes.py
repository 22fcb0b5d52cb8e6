"""Registering and erasing learners over HTTP.

Erasure is the person's right, not one issuer's: an admin at any issuer that holds a record
of the learner may carry it out, and it is recorded in the audit trail with the reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from credstack.errors import Forbidden
from credstack.http.deps import CallerDep, RuntimeDep, UowDep
from credstack.service.learners import erase_learner
from credstack.service.people import add_learner
from credstack.service.visibility import learner_issuer_ids, visible_learner

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["learners"])


class LearnerIn(BaseModel):
    id: str = Field(max_length=120)
    name: str = Field(max_length=300)
    email: str | None = Field(default=None, max_length=254)


class EraseIn(BaseModel):
    reason: str = Field(max_length=2000)


@router.post("/learners", status_code=201)
def post_learner(body: LearnerIn, uow: UowDep, caller: CallerDep) -> dict[str, Any]:
    """Register a learner (one learner may hold credentials from many issuers)."""
    if caller is None or not any(r in ("admin", "registrar") for _i, r, _s in caller.roles):
        raise Forbidden("registering learners needs the admin or registrar role at an issuer")
    learner = add_learner(uow, key=body.id, name=body.name, email=body.email)
    uow.commit()
    return {"id": learner.key, "public_id": learner.public_id, "name": body.name.strip()}


@router.post("/learners/{learner}/erase")
def post_erase(
    learner: str, body: EraseIn, uow: UowDep, caller: CallerDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Remove the learner's name, address and key; their issued credentials still verify."""
    if caller is None:
        raise Forbidden("this needs an API token (Authorization: Bearer ...)")
    who = visible_learner(uow, caller, learner)
    admin_at = {i.id for i in uow.issuers.all() if caller.has_role(i.key, "admin")}
    if not admin_at & learner_issuer_ids(uow, who):
        raise Forbidden("erasing a learner needs the admin role at an issuer that holds a record")
    erase_learner(
        uow,
        who,
        reason=body.reason,
        actor=f"user:{caller.email}",
        keys=runtime.keys(uow),
    )
    uow.commit()
    return {"id": who.public_id, "erased": True}
