"""One use case, one check (issue 11): building blocks take an `Authorised` actor, not an `Actor`.

A use case (a service function taking the `Runtime`) asks `authorise` once and hands what it
returns to the building blocks it calls in its unit of work. A public service function that
takes a `UnitOfWork` and a bare `Actor` could be called without the check, or check again; the
only ones allowed are the visibility checks, which are themselves the check of what an actor
may see.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.architecture.layers import SRC, Violation, package_files

CHECKS = {
    ("service/visibility.py", "may_see"),
    ("service/visibility.py", "visible_learner"),
}
"""Functions whose job is the check itself: they take the actor to decide about it."""


def _annotation(arg: ast.arg) -> str:
    return ast.unparse(arg.annotation) if arg.annotation is not None else ""


def blocks_taking_an_actor(root: Path = SRC) -> list[Violation]:
    """Public functions under service/ taking both a `UnitOfWork` and an `Actor`."""
    found = []
    for path in package_files("service", root):
        where = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            kinds = {_annotation(a) for a in args}
            if {"UnitOfWork", "Actor"} <= kinds and (where, node.name) not in CHECKS:
                found.append(Violation(where, node.lineno, f"{node.name} takes an Actor"))
    return found


def test_building_blocks_take_an_authorised_actor() -> None:
    found = blocks_taking_an_actor()
    assert not found, (
        "take `by: Authorised` (from the use case's authorise) instead of an Actor:\n"
        + "\n".join(str(v) for v in found)
    )


def test_the_rule_sees_a_block_taking_an_actor(tmp_path: Path) -> None:
    """Guards the rule from passing because it went blind."""
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "sample.py").write_text(
        "def block(uow: UnitOfWork, *, actor: Actor) -> None: ...\n"
        "def allowed(uow: UnitOfWork, *, by: Authorised) -> None: ...\n"
        "def use_case(runtime: Runtime, actor: Actor) -> None: ...\n"
        "def _private(uow: UnitOfWork, actor: Actor) -> None: ...\n",
        encoding="utf-8",
    )
    assert blocks_taking_an_actor(tmp_path) == [
        Violation("service/sample.py", 1, "block takes an Actor")
    ]
