"""Stacking funnels and the time from a stack's first microcredential to the stacked credential.

A stack is an issuable achievement whose requirement tree names two or more of the issuer's
achievements (held, or counted as credit sources); those are its parts. The trees come from the
stacking engine's compiled catalog, so the figures follow exactly what the engine awards on.
Awards count unless revoked: an expired part was still earned on the way to the stack.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from credstack.domain.outcome import requirement_progress
from credstack.domain.requirements import Holds, Requirement, referenced_achievements
from credstack.service.analytics.facts import AwardFact, Facts
from credstack.service.analytics.figures import FunnelStep, Period, StackFunnel, TimeToStack
from credstack.service.engine import CompiledCatalog

__all__ = ["MICROCREDENTIAL", "Stack", "funnels", "stacks", "time_to_stack"]

MICROCREDENTIAL = "microcredential"


@dataclass(frozen=True, slots=True)
class Stack:
    achievement: str
    name: str
    parts: tuple[str, ...]
    micro_parts: tuple[str, ...]
    """The parts a learner starts on: the microcredentials, or every part if there are none."""
    requirement: Requirement
    """The stack's tree: how many parts a learner needs is counted on it, not on ``parts``."""


def stacks(compiled: CompiledCatalog) -> tuple[Stack, ...]:
    found: list[Stack] = []
    for key in sorted(compiled.requirements):
        named = referenced_achievements(compiled.requirements[key])
        parts = tuple(sorted(p for p in named if p in compiled.versions and p != key))
        if len(parts) < 2:
            continue
        micro = tuple(p for p in parts if compiled.versions[p].type == MICROCREDENTIAL)
        tree = compiled.requirements[key]
        found.append(Stack(key, compiled.versions[key].name, parts, micro or parts, tree))
    return tuple(found)


def _earliest(awards: tuple[AwardFact, ...], period: Period) -> dict[tuple[int, str], date]:
    """(learner, achievement) -> first earned award held by the period's end."""
    first: dict[tuple[int, str], date] = {}
    for award in awards:  # ordered by award date
        if award.earned and period.reaches(award.awarded_on):
            first.setdefault((award.learner_id, award.achievement), award.awarded_on)
    return first


def funnels(stacks_: tuple[Stack, ...], facts: Facts, period: Period) -> tuple[StackFunnel, ...]:
    """A snapshot on the period's last day (today without one): how far each learner got.

    "How far" is ``domain.outcome.requirement_progress``, the count the learner's page shows:
    the requirements of the stack's route closest to completion that the learner's held
    awards meet, of the requirements that route needs. A stack of "any 2 of these 4" parts
    needs 2, not 4; a requirement that is not an award (an exam) counts as not yet met here.
    """
    held = _earliest(facts.awards, period)
    learners = {learner for learner, _ in held}
    rows: list[StackFunnel] = []
    for stack in stacks_:
        needed = int(requirement_progress(stack.requirement, lambda _: False).needed)
        counts: dict[int, int] = defaultdict(int)
        for learner in learners:

            def holds(req: Requirement, learner: int = learner) -> bool:
                return isinstance(req, Holds) and (learner, req.achievement) in held

            n = int(requirement_progress(stack.requirement, holds).done)
            if n:
                counts[n] += 1
        size = max([needed, *counts])
        steps = tuple(
            FunnelStep(k, counts[k], sum(counts[m] for m in range(k, size + 1)))
            for k in range(1, size + 1)
        )
        completed = sum((learner, stack.achievement) in held for learner in learners)
        rows.append(
            StackFunnel(
                stack.achievement,
                stack.name,
                stack.parts,
                sum(counts.values()),
                steps,
                completed,
                needed,
            )
        )
    return tuple(rows)


def time_to_stack(
    stacks_: tuple[Stack, ...], facts: Facts, period: Period
) -> tuple[TimeToStack, ...]:
    """Days from a learner's first part (a microcredential where the stack has any) to their
    first award of the stack, for stacked awards made in the period. Learners granted the stack
    with no part earned on or before that day have no journey to time and are left out."""
    held = _earliest(facts.awards, Period(None, None))
    rows: list[TimeToStack] = []
    for stack in stacks_:
        days: list[int] = []
        for (learner, key), stacked_on in held.items():
            if key != stack.achievement or stacked_on not in period:
                continue
            starts = [
                held[learner, part]
                for part in stack.micro_parts
                if (learner, part) in held and held[learner, part] <= stacked_on
            ]
            if starts:
                days.append((stacked_on - min(starts)).days)
        rows.append(
            TimeToStack(
                stack.achievement,
                stack.name,
                len(days),
                float(statistics.median(days)) if days else None,
                min(days) if days else None,
                max(days) if days else None,
            )
        )
    return tuple(rows)
