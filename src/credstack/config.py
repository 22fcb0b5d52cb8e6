"""Where credstack keeps its data and which database it talks to.

Settings come from the environment so that the same code runs embedded (SQLite under a data
directory) and in production (PostgreSQL by one URL), without a config file to forget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "load_settings"]

DEFAULT_DATA_DIR = Path("var")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    base_url: str

    @property
    def master_key_path(self) -> Path:
        return self.data_dir / "master.key"


def load_settings(data_dir: Path | None = None) -> Settings:
    """Read settings; an explicit data directory wins over `CREDSTACK_DATA_DIR`."""
    directory = data_dir or Path(os.environ.get("CREDSTACK_DATA_DIR", str(DEFAULT_DATA_DIR)))
    directory = directory.resolve()
    url = os.environ.get("CREDSTACK_DATABASE_URL") or f"sqlite:///{directory / 'credstack.db'}"
    base_url = os.environ.get("CREDSTACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return Settings(data_dir=directory, database_url=url, base_url=base_url)
