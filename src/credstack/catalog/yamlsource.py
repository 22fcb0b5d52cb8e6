"""YAML text to plain data, remembering where every value stands in the file.

PyYAML's composer keeps a mark (line, column) on each node; constructing plain data from the
node tree ourselves keeps those marks keyed by path, so any later check that finds a problem at
a path can name the line. It also lets us reject what PyYAML silently accepts: a mapping with
the same key twice (the second would quietly win).

Catalogs are uploaded over HTTP, so the loader bounds what a file may cost (limits in
``credstack.limits``): its size; its depth and node count, checked on PyYAML's event stream
(which is not recursive) before the recursive composer runs; and what aliases expand to,
counted while building (a 444-byte "billion laughs" file expanded to gigabytes) along with
aliases that contain themselves. Each refusal names the line where the bound was passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from credstack.domain.problems import Path, Problem
from credstack.limits import MAX_CATALOG_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["Located", "YamlError", "load_yaml"]

# libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python one took
# most of the 52 s a 4 MiB trust list cost. A file libyaml refuses is parsed again by the
# pure-Python one, whose messages and lines the error reports (and their tests) are written in.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def load_yaml(
    text: str, *, max_bytes: int = MAX_CATALOG_BYTES, max_nodes: int = MAX_YAML_NODES
) -> Located:
    """Parse one YAML document; raise YamlError with line numbers for anything malformed.

    The bounds default to a catalog's; a trust list (a registry of many issuers) passes its own.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise YamlError([(1, f"the file is {size} bytes; at most {max_bytes} are accepted")])
    try:
        node = _compose(text, max_nodes, _FAST_LOADER)
    except (yaml.YAMLError, YamlError):
        node = _reported(text, max_nodes)
    if node is None:
        return Located(data=None, lines={(): 1})
    lines: dict[Path, int] = {}
    duplicates: list[tuple[int, str]] = []
    loader = yaml.SafeLoader("")
    try:
        data = _build(node, (), lines, duplicates, _Expansion(loader, limit=max_nodes))
    finally:
        loader.dispose()
    if duplicates:
        raise YamlError(duplicates)
    return Located(data=data, lines=lines)


# Quoted strings and comments (whose brackets do not nest), brackets, and line breaks.
_FLOW = re.compile(
    r"""(?:(?<=[\s\[{,:])|^)(?:'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|#[^\n]*)"""
    r"|[\[\]{}\n]"
)


def _check_flow_depth(text: str) -> None:
    """Flow nesting (``[[[``) by one linear scan: PyYAML's scanner is quadratic in it."""
    depth, line = 0, 1
    for match in _FLOW.finditer(text):
        piece = match.group()
        if piece == "\n":
            line += 1
        elif piece in ("[", "{"):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlError([(line, f"nested more than {MAX_YAML_DEPTH} levels deep")])
        elif piece in ("]", "}"):
            depth = max(depth - 1, 0)
        else:
            line += piece.count("\n")


def _reported(text: str, max_nodes: int) -> yaml.Node | None:
    """Parse again with the pure-Python loader, for its messages and lines; raise YamlError."""
    try:
        return _compose(text, max_nodes, yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "stream end" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed bracket: point at where it opened
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or "malformed YAML"
        raise YamlError([(line, f"malformed YAML: {reason}")]) from exc
    except yaml.YAMLError as exc:
        raise YamlError([(1, f"malformed YAML: {exc}")]) from exc


def _compose(text: str, max_nodes: int, loader: type[yaml.SafeLoader]) -> yaml.Node | None:
    _check_shape(text, max_nodes, loader)
    node: yaml.Node | None = yaml.compose(text, Loader=loader)
    return node


def _check_shape(text: str, max_nodes: int, loader: type[yaml.SafeLoader]) -> None:
    """Depth, node and alias counts from the event stream, before anything recursive runs."""
    _check_flow_depth(text)
    depth = nodes = aliases = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlError([(line, f"nested more than {MAX_YAML_DEPTH} levels deep")])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise YamlError([(line, f"more than {MAX_YAML_ALIASES} aliases (*name)")])
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > max_nodes:
                raise YamlError([(line, f"more than {max_nodes} values in one file")])


@dataclass
class _Expansion:
    """What building has cost so far: aliases re-expand their anchor's node at each use."""

    constructor: yaml.SafeLoader  # resolves scalars by the safe rules; one per file
    limit: int = MAX_YAML_NODES
    nodes: int = 0
    open: set[int] = field(default_factory=set)  # ids of the nodes being built (the path)
    scalars: dict[int, object] = field(default_factory=dict)  # an alias's scalars, resolved once


def _build(
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    duplicates: list[tuple[int, str]],
    expansion: _Expansion,
) -> object:
    line = node.start_mark.line + 1
    lines[path] = line
    expansion.nodes += 1
    if expansion.nodes > expansion.limit:
        raise YamlError(
            [(line, f"aliases expand to more than {expansion.limit} values (an alias bomb?)")]
        )
    if id(node) in expansion.open:
        raise YamlError([(line, "an alias refers to a value that contains it")])
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if id(node) not in expansion.scalars:
            expansion.scalars[id(node)] = _scalar(node, expansion.constructor)
        return expansion.scalars[id(node)]
    expansion.open.add(id(node))
    try:
        return _build_collection(node, path, lines, duplicates, expansion)
    finally:
        expansion.open.discard(id(node))


def _build_collection(
    node: yaml.MappingNode | yaml.SequenceNode,
    path: Path,
    lines: dict[Path, int],
    duplicates: list[tuple[int, str]],
    expansion: _Expansion,
) -> object:
    if isinstance(node, yaml.MappingNode):
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, expansion.constructor)
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
            result[key] = _build(value_node, child, lines, duplicates, expansion)
            lines[child] = key_node.start_mark.line + 1
        return result
    return [
        _build(item, (*path, i), lines, duplicates, expansion) for i, item in enumerate(node.value)
    ]


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> object:
    """Resolve a scalar with the safe loader's rules (so `3` is an int and `P3Y` a string).

    A YAML float becomes a ``Decimal`` read from its own text, so `0.1` in the file is exactly
    0.1 hours and never the binary fraction a float would hold.
    """
    value = loader.construct_object(node, deep=True)
    if isinstance(value, float) and isinstance(node, yaml.ScalarNode):
        try:
            exact = Decimal(str(node.value).replace("_", ""))
        except InvalidOperation:  # .inf, .nan and their spellings: left for checks to refuse
            return value
        return exact if exact.is_finite() else value
    return value


def problem_at(located: Located, problem: Problem) -> tuple[int, str]:
    return located.line_of(problem.path), problem.message
