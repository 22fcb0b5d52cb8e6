from __future__ import annotations

from pathlib import Path

import pytest

from credstack.catalog.parse import parse_catalog
from credstack.catalog.yamlsource import YamlError, load_yaml
from credstack.domain.catalog import find_cycle
from credstack.domain.durations import parse_duration
from credstack.domain.taxonomy import AchievementType

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_catalog_is_valid(path: Path) -> None:
    result = parse_catalog(path.read_text(), path.name)
    assert result.problems == ()
    assert result.catalog is not None
    assert result.catalog.issuer is not None


def test_catalog_values_are_read_into_the_domain() -> None:
    result = parse_catalog((EXAMPLES / "clinical-research-board.yaml").read_text())
    assert result.catalog is not None
    ccrp = result.catalog.achievement("ccrp")
    assert ccrp is not None
    assert ccrp.type is AchievementType.CERTIFICATION
    assert ccrp.designation == "CCRP"
    assert ccrp.validity is not None and ccrp.validity.years == 3
    assert ccrp.maintenance is not None and ccrp.maintenance.reminder_days == 180
    ethics = result.catalog.achievement("research-ethics-refresher")
    assert ethics is not None and ethics.ce is not None
    assert (ethics.ce.hours, ethics.ce.category) == (6, "ethics")


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = """format: credstack-catalog/1
achievements:
  - {id: a, type: nanodegree, name: A}
  - {id: b, type: badge, name: B, validity: soon}
  - {id: c, type: certificate, name: C, requirements: [ghost]}
"""
    result = parse_catalog(text, "x.yaml")
    # the shape error stops the meaning checks, so fix-and-rerun still shows all shape errors
    assert [p.line for p in result.problems] == [3]
    text = text.replace("nanodegree", "badge")
    lines = sorted(p.line for p in parse_catalog(text, "x.yaml").problems)
    assert lines == [4, 5]


def test_yaml_positions_point_at_keys_and_items() -> None:
    located = load_yaml("a: 1\nb:\n  - x: 2\n  - y: 3\n")
    assert located.line_of(("b", 1, "y")) == 4
    assert located.line_of(("b", 1, "missing")) == 4
    assert located.data == {"a": 1, "b": [{"x": 2}, {"y": 3}]}


def test_yaml_duplicate_keys_are_errors() -> None:
    with pytest.raises(YamlError, match="duplicate key 'a'"):
        load_yaml("a: 1\na: 2\n")


def test_empty_file_is_not_a_catalog() -> None:
    result = parse_catalog("", "empty.yaml")
    assert result.problems[0].message.startswith("a catalog is a YAML mapping")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("P3Y", "2024-02-29", "2027-02-28"),
        ("P18M", "2025-08-31", "2027-02-28"),
        ("P90D", "2026-01-01", "2026-04-01"),
        ("P1Y6M", "2026-01-15", "2027-07-15"),
    ],
)
def test_durations_count_calendar_months(text: str, start: str, end: str) -> None:
    from datetime import date

    assert parse_duration(text).after(date.fromisoformat(start)) == date.fromisoformat(end)
    assert parse_duration(text).before(date.fromisoformat(end)) <= date.fromisoformat(start)


@pytest.mark.parametrize("bad", ["3 years", "P", "PT5H", "P-1Y", "P0D", "", "3Y"])
def test_bad_durations_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["a"]}) == ["a", "a"]
    deep = {str(i): [str(i + 1)] for i in range(5000)}
    deep["5000"] = ["0"]
    cycle = find_cycle(deep)
    assert cycle is not None and len(cycle) == 5002


def test_the_issuer_time_zone_is_read_and_an_unknown_one_is_a_file_line_error() -> None:
    head = "format: credstack-catalog/1\nissuer:\n  id: harbor\n  name: Harbor\n"
    chicago = parse_catalog(
        head + "  timezone: America/Chicago\nachievements: [{id: a, type: badge, name: A}]\n",
        "c.yaml",
    )
    assert chicago.problems == ()
    assert chicago.catalog is not None and chicago.catalog.issuer is not None
    assert chicago.catalog.issuer.timezone == "America/Chicago"
    plain = parse_catalog(head + "achievements: [{id: a, type: badge, name: A}]\n", "c.yaml")
    assert plain.catalog is not None and plain.catalog.issuer is not None
    assert plain.catalog.issuer.timezone == "UTC"
    bad = parse_catalog(
        head + "  timezone: Mars/Olympus_Mons\nachievements: [{id: a, type: badge, name: A}]\n",
        "c.yaml",
    )
    assert [(p.line, "unknown time zone 'Mars/Olympus_Mons'" in str(p)) for p in bad.problems] == [
        (5, True)
    ]
    assert str(bad.problems[0]).startswith("c.yaml:5")
