"""`--format ob3`: every example catalog as OB 3.0 Achievements the official schema accepts."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from credstack.errors import InvalidInput
from credstack.service.catalog_export import ExportFormat, export_catalog
from credstack.vc.jsonld import undefined_terms
from credstack.vc.vocabulary import OB3_CONTEXT, VC2_CONTEXT

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
BASE = "https://credentials.example.org"


def _achievement_validator() -> Draft201909Validator:
    text = files("credstack.vc").joinpath("schemas/ob_v3p0_achievementcredential_schema.json")
    schema: dict[str, Any] = json.loads(text.read_text("utf-8"))
    schema = {k: v for k, v in schema.items() if k not in {"properties", "required", "type"}}
    return Draft201909Validator({**schema, "$ref": "#/$defs/Achievement"})


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_exports_valid_ob3_achievements(path: Path) -> None:
    document = export_catalog(path.read_text(), str(path), ExportFormat.OB3, base_url=BASE)
    assert document["@context"] == [VC2_CONTEXT, OB3_CONTEXT]
    assert undefined_terms(document) == []
    validator = _achievement_validator()
    achievements = document["@graph"]
    assert achievements
    for achievement in achievements:
        errors = [e.message for e in validator.iter_errors(achievement)]
        assert errors == [], achievement["id"]
        assert achievement["id"].startswith(f"{BASE}/api/v1/issuers/")
        assert achievement["creator"]["type"] == ["Profile"]


def test_the_achievement_carries_the_catalog_definition() -> None:
    path = REPO / "examples" / "lakeside-university.yaml"
    document = export_catalog(path.read_text(), str(path), ExportFormat.OB3, base_url=BASE)
    by_id = {a["id"].rsplit("/", 1)[1]: a for a in document["@graph"]}
    degree = by_id["ms-data-science"]
    assert degree["achievementType"] == "Degree"
    assert [a["targetName"] for a in degree["alignment"]] == [
        "Data engineering",
        "Machine learning",
        "Independent research",
    ]
    assert by_id["de-pipelines"]["creditsAvailable"] == 3


def test_a_catalog_with_problems_is_refused_with_every_problem() -> None:
    text = "format: credstack-catalog/1\nachievements:\n  - {id: x, type: nonsense, name: X}\n"
    with pytest.raises(InvalidInput) as caught:
        export_catalog(text, "bad.yaml", ExportFormat.OB3, base_url=BASE)
    assert "bad.yaml:3: " in caught.value.message
    assert "unknown credential type 'nonsense'" in caught.value.message
