"""The catalog documentation's complete example is a valid catalog."""

from __future__ import annotations

import re
from pathlib import Path

from credstack.catalog.parse import parse_catalog

DOC = Path(__file__).resolve().parents[3] / "docs" / "catalog.md"


def test_the_complete_example_in_the_docs_is_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)
    complete = [b for b in blocks if b.startswith("format: credstack-catalog/1\nissuer:")]
    assert len(complete) == 1
    result = parse_catalog(complete[0], "docs/catalog.md")
    assert result.problems == ()
    assert result.catalog is not None
