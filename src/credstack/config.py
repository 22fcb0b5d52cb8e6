"""Where credstack keeps its data and which database it talks to.

Settings come from the environment so that the same code runs embedded (SQLite under a data
directory) and in production (PostgreSQL by one URL), without a config file to forget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from credstack.errors import InvalidInput
from credstack.vc.limits import MAX_CREDENTIAL_BYTES, VERIFY_TIME_BUDGET_SECONDS

__all__ = ["Settings", "load_settings"]

DEFAULT_DATA_DIR = Path("var")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    base_url: str
    # What one verification may cost: the largest credential accepted over HTTP, and the
    # seconds a verification may run before the request is answered 503. Read from the
    # environment even when the other fields are given, so `serve` keeps an operator's choice.
    max_credential_bytes: int = field(
        default_factory=lambda: _positive("CREDSTACK_MAX_CREDENTIAL_BYTES", MAX_CREDENTIAL_BYTES)
    )
    verify_time_budget: float = field(
        default_factory=lambda: _positive(
            "CREDSTACK_VERIFY_TIME_BUDGET", VERIFY_TIME_BUDGET_SECONDS
        )
    )

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


_Number = TypeVar("_Number", int, float)


def _positive(name: str, default: _Number) -> _Number:
    """A positive number from the environment; a bad value is refused, not ignored."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = type(default)(raw)
    except ValueError:
        raise InvalidInput(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise InvalidInput(f"{name}={raw!r} must be positive")
    return value
