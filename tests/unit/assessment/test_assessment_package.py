"""The package's promises: an explicit public surface, and purity (no I/O, no other credstack
packages, no scipy or pingouin, which are test oracles only)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import credstack.assessment as assessment

PACKAGE = Path(assessment.__file__).parent
ALLOWED_ROOTS = {"numpy", "credstack"}
FORBIDDEN_STDLIB = {"os", "io", "pathlib", "socket", "subprocess", "shutil", "sqlite3", "urllib"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_all_names_exist_and_are_unique() -> None:
    assert len(set(assessment.__all__)) == len(assessment.__all__)
    for name in assessment.__all__:
        assert hasattr(assessment, name), name


def test_every_public_class_and_function_is_exported() -> None:
    public = {
        name
        for name, value in vars(assessment).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("credstack.assessment")
    }
    assert public <= set(assessment.__all__)


def test_only_numpy_the_standard_library_and_itself() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for name in _imports(path):
            root = name.split(".")[0]
            if root == "credstack":
                assert name.startswith("credstack.assessment"), (path.name, name)
            else:
                assert root in ALLOWED_ROOTS or root in sys.stdlib_module_names, (path.name, name)
                assert root not in FORBIDDEN_STDLIB, (path.name, name)
