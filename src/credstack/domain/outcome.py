"""The result of evaluating a requirement tree: met or not, how far, with what, and why not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from credstack.domain.quantities import show
from credstack.domain.requirements import AnyOf, NOf, Path, Requirement, children_of

__all__ = ["Contribution", "Outcome", "Progress", "requirement_progress"]


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``needed`` in ``unit`` ("2 of 5 requirements", "21 of 30 credits")."""

    done: Decimal | int
    needed: Decimal | int
    unit: str

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.needed == 1 and self.unit.endswith("s") else self.unit
        return f"{show(self.done)} of {show(self.needed)} {unit}"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One record's share in a pooled requirement (credits or CE hours).

    ``source_id`` is the record it was counted through: for a course inside a certificate it
    is the certificate, which is what caps and the degree audit group by. ``reason`` says why
    ``counted`` is less than ``amount``.
    """

    record_id: str
    source_id: str
    description: str
    amount: Decimal
    counted: Decimal
    category: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """Evaluation of one node, with its children's outcomes.

    ``counted`` lists the record ids this subtree used as evidence (sorted, no repeats);
    ``reasons`` are plain sentences about this node only; ``next_step`` is, for a path, the
    index of the first unmet step; ``notes`` say which choice a shared record counted toward.
    """

    requirement: Requirement
    met: bool
    progress: Progress
    counted: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    children: tuple[Outcome, ...] = ()
    contributions: tuple[Contribution, ...] = ()
    next_step: int | None = None
    notes: tuple[str, ...] = ()

    def walk(self) -> Iterator[Outcome]:
        """This outcome and all below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def why_not(self) -> tuple[str, ...]:
        """Reasons from every unmet node below and including this one, in tree order."""
        if self.met:
            return ()
        found: list[str] = list(self.reasons)
        for child in self.children:
            found.extend(child.why_not())
        return tuple(found)

    @property
    def next_step_outcome(self) -> Outcome | None:
        return None if self.next_step is None else self.children[self.next_step]

    def leaf_progress(self) -> Progress:
        """Single requirements met, counted through the tree ("2 of 5 requirements").

        A learner reads progress in things to do, not in tree nodes: a path of four nested
        inside "all of" with a capstone is five things. Where a choice is offered (``any``,
        ``n_of``), only the alternatives closest to completion are counted.
        """
        done, needed = _units(self)
        return Progress(done, needed, "requirements")

    def suggested_next(self) -> Outcome | None:
        """What to do next: the next step of the first unfinished path, else the first unmet
        single requirement, in catalog order; ``None`` when met."""
        if self.met:
            return None
        for node in self.walk():
            if isinstance(node.requirement, Path) and not node.met:
                step = node.next_step_outcome
                return step.suggested_next() if step is not None and step.children else step
        for node in self.walk():
            if not node.met and not node.children:
                return node
        return None


def requirement_progress(req: Requirement, met: Callable[[Requirement], bool]) -> Progress:
    """How far along a tree is when ``met`` says which single requirements are done.

    The one definition of "k of n requirements" for a stack: the learner's page counts an
    evaluated outcome with it (``Outcome.leaf_progress``) and the stacking funnel counts the
    parts a learner holds with it, so both say "of 6" for the same stack and learner. A
    choice (``any``, ``n_of``) counts only the alternatives closest to completion, never
    every alternative the catalog names.
    """
    done, needed = _tree_units(req, met)
    return Progress(done, needed, "requirements")


def _tree_units(req: Requirement, met: Callable[[Requirement], bool]) -> tuple[int, int]:
    children = children_of(req)
    if not children:
        return (1 if met(req) else 0), 1
    return _combine(req, [_tree_units(c, met) for c in children])


def _units(o: Outcome) -> tuple[int, int]:
    if not o.children:
        return (1 if o.met else 0), 1
    return _combine(o.requirement, [_units(c) for c in o.children])


def _combine(req: Requirement, parts: list[tuple[int, int]]) -> tuple[int, int]:
    if isinstance(req, AnyOf | NOf):
        n = req.n if isinstance(req, NOf) else 1
        # Closest to completion first: fewest still missing, then fewest overall.
        parts = sorted(parts, key=lambda p: (p[1] - p[0], p[1]))[:n]
    return sum(p[0] for p in parts), sum(p[1] for p in parts)
