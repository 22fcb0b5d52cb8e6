"""Shared fixtures: the assessment data sets under tests/data/assessment."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from credstack.assessment import AssessmentDefinition, parse_assessment

DATA = Path(__file__).resolve().parents[2] / "data" / "assessment"


def load_raw(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def load_definition(name: str) -> AssessmentDefinition:
    definition, problems = parse_assessment(load_raw(name), ("assessments", 0))
    assert problems == []
    assert definition is not None
    return definition


@pytest.fixture(name="load_raw")
def load_raw_fixture() -> Callable[[str], Any]:
    """The raw catalog data of a data set, for tests that break it on purpose."""
    return load_raw


@pytest.fixture
def sql_exam() -> AssessmentDefinition:
    return load_definition("story01_sql_querying.yaml")


@pytest.fixture
def capstone() -> AssessmentDefinition:
    return load_definition("story01_capstone.yaml")


@pytest.fixture
def gcp_exam() -> AssessmentDefinition:
    return load_definition("story02_gcp_essentials.yaml")


@pytest.fixture
def wuensch_quiz() -> np.ndarray:
    with (DATA / "wuensch_kr20_quiz.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return np.array([[int(row[f"item{i}"]) for i in range(1, 11)] for row in rows], dtype=float)
