"""Issue 10: a catalog file cannot cost the server more than its bounds allow.

Before: a 444-byte alias bomb took 47 s and 2.8 GB; a self-referential alias and 2,000-deep
nesting raised inside the loader (a 500); a 10 MB catalog of 250,000 achievements loaded.
"""

from __future__ import annotations

from pathlib import Path

from credstack.catalog.parse import parse_catalog
from credstack.limits import MAX_CATALOG_ACHIEVEMENTS, MAX_CATALOG_BYTES
from tests.liveness import returns

BROKEN = Path(__file__).resolve().parents[2] / "data" / "broken-catalogs"
HEADER = "format: credstack-catalog/1\nissuer:\n  id: big\n  name: Big\nachievements:\n"


def _problems(text: str) -> list[str]:
    result = parse_catalog(text, "big.yaml")
    assert result.catalog is None
    return [str(p) for p in result.problems]


def test_the_alias_bomb_is_refused_not_expanded() -> None:
    problems = returns(lambda: _problems((BROKEN / "alias-bomb.yaml").read_text()))
    assert problems == ["big.yaml:3: aliases expand to more than 200000 values (an alias bomb?)"]


def test_flow_nesting_a_megabyte_deep_is_refused_before_parsing() -> None:
    problems = returns(lambda: _problems(HEADER + "  - " + "[" * 1_000_000))
    assert problems == ["big.yaml:6: nested more than 64 levels deep"]


def test_block_nesting_past_the_bound_names_its_line() -> None:
    deep = "".join(f"{'  ' * i}k{i}:\n" for i in range(70))
    problems = _problems("format: credstack-catalog/1\n" + deep + "achievements: []\n")
    assert problems == ["big.yaml:66: nested more than 64 levels deep"]  # k64, the 65th level


def test_brackets_in_quoted_text_and_comments_do_not_count_as_nesting() -> None:
    text = (HEADER + "  - id: a  # [[[[ " + "[" * 100 + "\n") + "    name: '" + "[" * 100 + "'\n"
    assert all("nested" not in p for p in _problems(text))


def test_a_catalog_over_the_size_bound_is_refused_before_parsing() -> None:
    text = HEADER + "#" + "x" * MAX_CATALOG_BYTES + "\n"
    assert _problems(text) == [
        f"big.yaml:1: the file is {len(text)} bytes; at most {MAX_CATALOG_BYTES} are accepted"
    ]


def test_more_achievements_than_a_catalog_holds_is_refused_with_its_line() -> None:
    count = MAX_CATALOG_ACHIEVEMENTS + 1
    items = "".join(f"  - {{id: a{i}, type: badge, name: A{i}}}\n" for i in range(count))
    problems = returns(lambda: _problems(HEADER + items))
    assert problems == [
        f"big.yaml:5: {count} achievements; a catalog holds at most "
        f"{MAX_CATALOG_ACHIEVEMENTS} (split it among issuers)"
    ]
