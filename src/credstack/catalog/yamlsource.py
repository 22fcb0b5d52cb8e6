"""YAML text to plain data, remembering where every value stands in the file.

PyYAML's composer keeps a mark (line, column) on each node; constructing plain data from the
node tree ourselves keeps those marks keyed by path, so any later check that finds a problem at
a path can name the line. It also lets us reject what PyYAML silently accepts: a mapping with
the same key twice (the second would quietly win).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from credstack.domain.problems import Path, Problem

__all__ = ["Located", "YamlError", "load_yaml"]


@dataclass(frozen=True)
class Located:
    """Plain data plus the 1-based line of every path in it."""

    data: object
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of the nearest enclosing value that has one (a missing key names its parent)."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


class YamlError(Exception):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {msg}" for line, msg in problems))
        self.problems = problems


def load_yaml(text: str) -> Located:
    """Parse one YAML document; raise YamlError with line numbers for anything malformed."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "stream end" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed bracket: point at where it opened
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or "malformed YAML"
        raise YamlError([(line, f"malformed YAML: {reason}")]) from exc
    except yaml.YAMLError as exc:
        raise YamlError([(1, f"malformed YAML: {exc}")]) from exc
    if node is None:
        return Located(data=None, lines={(): 1})
    lines: dict[Path, int] = {}
    duplicates: list[tuple[int, str]] = []
    data = _build(node, (), lines, duplicates)
    if duplicates:
        raise YamlError(duplicates)
    return Located(data=data, lines=lines)


def _build(
    node: yaml.Node, path: Path, lines: dict[Path, int], duplicates: list[tuple[int, str]]
) -> object:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if isinstance(key, list | dict):
                duplicates.append(
                    (key_node.start_mark.line + 1, "a mapping key must be a plain value")
                )
                continue
            if key in result:
                duplicates.append(
                    (key_node.start_mark.line + 1, f"duplicate key {key!r} in the same mapping")
                )
                continue
            child: Path = (*path, key if isinstance(key, str | int) else str(key))
            result[key] = _build(value_node, child, lines, duplicates)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, duplicates) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> object:
    """Resolve a scalar with the safe loader's rules (so `3` is an int and `P3Y` a string).

    A YAML float becomes a ``Decimal`` read from its own text, so `0.1` in the file is exactly
    0.1 hours and never the binary fraction a float would hold.
    """
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    if isinstance(value, float) and isinstance(node, yaml.ScalarNode):
        try:
            exact = Decimal(str(node.value).replace("_", ""))
        except InvalidOperation:  # .inf, .nan and their spellings: left for checks to refuse
            return value
        return exact if exact.is_finite() else value
    return value


def problem_at(located: Located, problem: Problem) -> tuple[int, str]:
    return located.line_of(problem.path), problem.message
