"""Finding what a person names: `issuer:achievement` or a bare achievement id."""

from __future__ import annotations

from credstack.errors import InvalidInput, NotFound
from credstack.service import learners
from credstack.store.models import AchievementRow, AwardRow, IssuerRow, LearnerRow
from credstack.store.uow import UnitOfWork

__all__ = ["find_achievement", "find_award", "find_learner", "issuer_achievement"]


def find_learner(uow: UnitOfWork, ref: str) -> LearnerRow:
    """By the registrar's key or the opaque public id (see `service.learners.find_learner`)."""
    learner = learners.find_learner(uow, ref)
    if learner is None:
        raise NotFound(f"unknown learner {ref!r}")
    return learner


def issuer_achievement(uow: UnitOfWork, issuer: str, key: str) -> tuple[IssuerRow, AchievementRow]:
    """The issuer `issuer` and its achievement `key`; NotFound naming whichever is missing."""
    row = uow.issuers.by_key(issuer)
    if row is None:
        raise NotFound(f"unknown issuer {issuer!r}")
    achievement = uow.achievements.by_key(row.id, key)
    if achievement is None:
        raise NotFound(f"issuer {issuer} has no achievement {key!r}")
    return row, achievement


def find_achievement(
    uow: UnitOfWork, name: str, issuer: str | None = None
) -> tuple[IssuerRow, str]:
    """`ccrb:ccrp`, or `ccrp` with `--issuer ccrb`, or `ccrp` alone when only one issuer has it."""
    if ":" in name and issuer is None:
        issuer, name = name.split(":", 1)
    if issuer is not None:
        return issuer_achievement(uow, issuer, name)[0], name
    found = [i for i in uow.issuers.all() if uow.achievements.by_key(i.id, name) is not None]
    if not found:
        raise NotFound(f"no issuer has an achievement {name!r}")
    if len(found) > 1:
        names = ", ".join(f"{i.key}:{name}" for i in found)
        raise InvalidInput(f"{name!r} is ambiguous; name one of: {names}")
    return found[0], name


def find_award(uow: UnitOfWork, public_id: str) -> AwardRow:
    award = uow.awards.by_public_id(public_id)
    if award is None:
        raise NotFound(f"no award {public_id!r}")
    return award
