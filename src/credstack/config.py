"""Where credstack keeps its data and which database it talks to.

Settings come from the environment so that the same code runs embedded (SQLite under a data
directory) and in production (PostgreSQL by one URL), without a config file to forget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from credstack.errors import CredstackError, InvalidInput
from credstack.vc.limits import MAX_CREDENTIAL_BYTES, VERIFY_TIME_BUDGET_SECONDS

__all__ = ["Limits", "Settings", "load_limits", "load_settings"]

DEFAULT_DATA_DIR = Path("var")


@dataclass(frozen=True)
class Limits:
    """Abuse bounds: requests a minute per client address (or per token), and session lifetimes.

    Sign-in and bad bearer tokens are limited tightly because each try is a guess at a secret;
    the verifier is public and does real work per request; a valid token gets a roomy budget.
    """

    sign_in_per_minute: int = 10
    bad_token_per_minute: int = 20
    verify_per_minute: int = 120
    token_per_minute: int = 1200
    session_idle_minutes: int = 30
    session_hours: int = 12


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise CredstackError(f"{name}={raw!r}: use a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise CredstackError(f"{name}={raw!r}: use a number from 1 to 1000000")
    return value


def load_limits() -> Limits:
    defaults = Limits()
    return Limits(
        sign_in_per_minute=_int_env("CREDSTACK_RATE_SIGN_IN", defaults.sign_in_per_minute),
        bad_token_per_minute=_int_env("CREDSTACK_RATE_BAD_TOKEN", defaults.bad_token_per_minute),
        verify_per_minute=_int_env("CREDSTACK_RATE_VERIFY", defaults.verify_per_minute),
        token_per_minute=_int_env("CREDSTACK_RATE_TOKEN", defaults.token_per_minute),
        session_idle_minutes=_int_env(
            "CREDSTACK_SESSION_IDLE_MINUTES", defaults.session_idle_minutes
        ),
        session_hours=_int_env("CREDSTACK_SESSION_HOURS", defaults.session_hours),
    )


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    base_url: str
    limits: Limits = field(default_factory=Limits)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure when the site is served over https (as configured)."""
        return self.base_url.lower().startswith("https://")

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
    return Settings(data_dir=directory, database_url=url, base_url=base_url, limits=load_limits())


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
