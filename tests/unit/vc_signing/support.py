"""Shared paths and keys for the signing tests; data is read from tests/data only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data"
VECTORS = DATA / "vc-di-eddsa"

CREDENTIAL = DATA / "vc_signing" / "achievement-credential.json"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))
