"""The YAML examples in docs/assessments.md parse cleanly, so the documentation stays true."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from credstack.assessment import parse_assessment

DOC = Path(__file__).resolve().parents[3] / "docs" / "assessments.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
WHOLE_ASSESSMENTS = [block for block in BLOCKS if block.startswith("id:")]


def test_the_document_has_the_story_examples() -> None:
    assert len(WHOLE_ASSESSMENTS) == 4


@pytest.mark.parametrize("block", WHOLE_ASSESSMENTS)
def test_each_example_parses_without_problems(block: str) -> None:
    definition, problems = parse_assessment(yaml.safe_load(block), ("assessments", 0))
    assert problems == []
    assert definition is not None


@pytest.mark.parametrize("fragment", [block for block in BLOCKS if not block.startswith("id:")])
def test_each_fragment_parses_inside_an_assessment(fragment: str) -> None:
    raw: dict[str, Any] = {
        "id": "example",
        "items": [{"id": "q", "type": "true-false", "key": True}],
    }
    raw["cut_score"] = {"percent": 50}
    part = yaml.safe_load(fragment)
    if "rubric" in part:
        del raw["items"]
        raw["cut_score"] = {"raw": 3}
    raw.update(part)
    definition, problems = parse_assessment(raw, ())
    assert problems == []
    assert definition is not None
