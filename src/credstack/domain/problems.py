"""A problem found in catalog data, located by its path inside the document.

Parsers work on plain data and report paths, not line numbers, so they stay pure; the YAML
loader maps each path back to the file and line a catalog author sees.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Path", "Problem"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
