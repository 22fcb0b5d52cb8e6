"""Each broken catalog under tests/data/broken-catalogs gets the message its header expects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from credstack.catalog.parse import parse_catalog

BROKEN = Path(__file__).resolve().parents[2] / "data" / "broken-catalogs"
CASES = sorted(BROKEN.glob("*.yaml"))


def expectations(text: str) -> list[tuple[int, str]]:
    return [(int(m[1]), m[2]) for m in re.finditer(r"^# expect: (\d+): (.+)$", text, re.M)]


def test_there_is_a_broken_catalog_for_every_kind_of_mistake() -> None:
    names = {p.stem for p in CASES}
    assert {
        "malformed-yaml",
        "unknown-type",
        "undefined-reference",
        "requirement-cycle",
        "duplicate-ids",
        "bad-validity",
        "duplicate-key",
        "script-urls",
        "alias-bomb",
        "self-referential-alias",
        "deep-nesting",
    } <= names


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_broken_catalog_reports_each_problem_with_its_line(path: Path) -> None:
    text = path.read_text()
    expected = expectations(text)
    assert expected, f"{path.name} has no '# expect: LINE: message' header"
    result = parse_catalog(text, path.name)
    assert result.catalog is None
    assert not result.ok
    for line, fragment in expected:
        assert any(
            p.line == line and fragment in p.message and p.source == path.name
            for p in result.problems
        ), f"expected line {line}: {fragment!r}; got {[str(p) for p in result.problems]}"
