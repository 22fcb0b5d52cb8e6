"""A runtime over the test's rolled-back database with its own trust directory, and the
Lakeside / Harbor College catalogs of story 06 loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.service.caches import Caches
from credstack.service.runtime import Runtime
from credstack.store.uow import UnitOfWorkFactory
from tests.conftest import MASTER_KEY, MigratedDatabases
from tests.stories.driver import BASE


@pytest.fixture
def runtime(
    units: UnitOfWorkFactory, backend: str, migrated: MigratedDatabases, tmp_path: Path
) -> Runtime:
    settings = Settings(tmp_path, "sqlite://", BASE, trust_dir=tmp_path / "trusted")
    return Runtime(settings, migrated.engine(backend), units, MASTER_KEY, Caches())
