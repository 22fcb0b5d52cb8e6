from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stories.live import Live, live_server


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[Live]:
    """A real server on a fresh database with the example catalogs loaded."""
    with live_server(tmp_path, database_url) as server:
        yield server
