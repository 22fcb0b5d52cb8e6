"""Idempotency-Key: a retried POST gets the first answer again instead of acting twice.

Keys belong to the caller (two users may use the same key) and to one request: the same key
with a different method, path or body is refused (422), since replaying an answer to another
request would be a lie. Only successes are kept; a refused request may be retried and succeed.
The stored answer is written in the same transaction as the work it describes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from credstack.errors import Conflict, InvalidInput
from credstack.store.models import IdempotentRequestRow
from credstack.store.uow import UnitOfWork

__all__ = ["MAX_KEY", "Replay", "recall", "remember", "request_hash"]

MAX_KEY = 200


@dataclass(frozen=True)
class Replay:
    status_code: int
    response: Any


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check(key: str) -> None:
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput(f"an Idempotency-Key is 1 to {MAX_KEY} printable characters")


def recall(uow: UnitOfWork, *, user_id: int, key: str, digest: str) -> Replay | None:
    """The stored answer for this key, or None if it is new."""
    _check(key)
    row = uow.session.scalar(
        select(IdempotentRequestRow).where(
            IdempotentRequestRow.user_id == user_id, IdempotentRequestRow.key == key
        )
    )
    if row is None:
        return None
    if row.request_hash != digest:
        raise InvalidInput("this Idempotency-Key was used for a different request; use a new key")
    return Replay(row.status_code, row.response)


def remember(
    uow: UnitOfWork, *, user_id: int, key: str, digest: str, status_code: int, response: Any
) -> None:
    savepoint = uow.session.begin_nested()
    try:
        uow.session.add(
            IdempotentRequestRow(
                user_id=user_id,
                key=key,
                request_hash=digest,
                status_code=status_code,
                response=response,
            )
        )
        uow.session.flush()
    except IntegrityError as exc:
        savepoint.rollback()
        raise Conflict(
            "a request with this Idempotency-Key was answered meanwhile; retry to get its answer"
        ) from exc
    savepoint.commit()
