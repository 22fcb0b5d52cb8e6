"""Reading the source for the layer rules: which credstack modules each file imports, where
the environment and the wall clock are read, and where the edges reach past the services.

Plain `ast` over the files (no import-linter): a rule is a few lines here, runs in well under
a second, and reports file and line. Imports inside functions and under `TYPE_CHECKING` count
too, because a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import credstack

__all__ = [
    "SRC",
    "Violation",
    "edge_violations",
    "environment_reads",
    "imports",
    "layer_of",
    "package_files",
    "wall_clock_reads",
]

SRC = Path(credstack.__file__).parent
EDGES = ("api", "web", "cli", "http", "server.py")


@dataclass(frozen=True, order=True)
class Violation:
    path: str  # relative to src/credstack
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def package_files(package: str | None = None, root: Path = SRC) -> list[Path]:
    """Every source file of one credstack package or module (all of credstack when None)."""
    where = root / package if package else root
    return [where] if where.is_file() else sorted(where.rglob("*.py"))


def _relative(path: Path, root: Path = SRC) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _module_of(path: Path) -> str:
    parts = ["credstack", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line, module, name) for every import: `import a.b` gives ("a.b", ""), `from a import
    b` gives ("a", "b"). Relative imports are resolved against the file's own package."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _module_of(path).split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            for alias in node.names:
                yield node.lineno, module, alias.name


def credstack_targets(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every credstack module or object the file imports."""
    for line, module, name in imports(path):
        if module == "credstack" and name and not _is_module(name):
            yield line, module  # `from credstack import __version__`: the package itself
        elif module == "credstack" or module.startswith("credstack."):
            yield line, f"{module}.{name}" if name else module


def _is_module(name: str) -> bool:
    return (SRC / name).is_dir() or (SRC / f"{name}.py").is_file()


def layer_of(dotted: str) -> str:
    """The top-level credstack package (or module) a dotted name belongs to:
    `credstack.store.models.AwardRow` -> "store", `credstack.errors.NotFound` -> "errors"."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def foreign_imports(package: str, allowed: set[str]) -> list[Violation]:
    """Imports from `package` of credstack packages other than itself and `allowed`."""
    found = []
    for path in package_files(package):
        for line, target in credstack_targets(path):
            if layer_of(target) not in {package, *allowed}:
                found.append(Violation(_relative(path), line, f"imports {target}"))
    return sorted(found)


def third_party_imports(package: str, forbidden: set[str]) -> list[Violation]:
    return [
        Violation(_relative(path), line, f"imports {module}")
        for path in package_files(package)
        for line, module, _ in imports(path)
        if module.split(".")[0] in forbidden
    ]


def environment_reads(paths: list[Path]) -> list[Violation]:
    """`os.environ`, `os.getenv`, `os.putenv` and `from os import environ/getenv`."""
    found = []
    names = {"environ", "getenv", "putenv", "environb", "getenvb"}
    for path in paths:
        tree = _tree(path)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in names
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ):
                found.append(Violation(_relative(path), node.lineno, f"os.{node.attr}"))
            elif isinstance(node, ast.ImportFrom) and node.module == "os":
                found.extend(
                    Violation(_relative(path), node.lineno, f"from os import {alias.name}")
                    for alias in node.names
                    if alias.name in names
                )
    return sorted(found)


_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def wall_clock_reads(paths: list[Path]) -> list[Violation]:
    """Calls that read the wall clock: `datetime.now(...)`, `date.today()`, `time.time()`, and
    calls of `utcnow` (the store's clock) by any name."""
    found = []
    for path in paths:
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = (
                    owner.id
                    if isinstance(owner, ast.Name)
                    else owner.attr
                    if isinstance(owner, ast.Attribute)
                    else ""
                )
                called = (owner_name, func.attr)
                if called in _CLOCK_CALLS or func.attr == "utcnow":
                    found.append(Violation(_relative(path), node.lineno, ".".join(called)))
            elif isinstance(func, ast.Name) and func.id == "utcnow":
                found.append(Violation(_relative(path), node.lineno, "utcnow"))
    return sorted(found)


def _commits(path: Path, where: str) -> Iterator[Violation]:
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
        ):
            yield Violation(where, node.lineno, "commit()")


def edge_violations(root: Path = SRC) -> dict[str, list[Violation]]:
    """What keeps the edges (`api/`, `web/`, `cli/`, the HTTP plumbing and the composition
    root) from being thin, by kind:

    - "store": an import of `credstack.store` (repositories, units of work, migrations);
    - "rows": an import of an ORM row class (`...Row`) from anywhere, re-exports included;
    - "commit": a `commit()` call (the unit of work in a service owns the transaction).
    """
    found: dict[str, list[Violation]] = {"store": [], "rows": [], "commit": []}
    for edge in EDGES:
        for path in package_files(edge, root):
            where = _relative(path, root)
            for line, target in credstack_targets(path):
                if layer_of(target) == "store":
                    found["store"].append(Violation(where, line, f"imports {target}"))
                if target.rpartition(".")[2].endswith("Row"):
                    found["rows"].append(Violation(where, line, f"imports {target}"))
            found["commit"].extend(_commits(path, where))
    return {kind: sorted(items) for kind, items in found.items()}
