"""Where credstack keeps its data, which database it talks to, and every other setting.

Settings come from the environment so that the same code runs embedded (SQLite under a data
directory) and in production (PostgreSQL by one URL), without a config file to forget. This
module is the only one that reads the environment (a layer test holds it to that): everything
else receives a `Settings`, so a test builds one by hand and no code path sees a variable that
the settings do not name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BASE_URL_ENV",
    "CJK_FONT_ENV",
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "DEBUG_ENV",
    "MASTER_KEY_ENV",
    "TRUST_DIR_ENV",
    "Settings",
    "debug_requested",
    "load_settings",
]

DEFAULT_DATA_DIR = Path("var")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

DATA_DIR_ENV = "CREDSTACK_DATA_DIR"
DATABASE_URL_ENV = "CREDSTACK_DATABASE_URL"
BASE_URL_ENV = "CREDSTACK_BASE_URL"
MASTER_KEY_ENV = "CREDSTACK_MASTER_KEY"
TRUST_DIR_ENV = "CREDSTACK_TRUST_DIR"
CJK_FONT_ENV = "CREDSTACK_CJK_FONT"
DEBUG_ENV = "CREDSTACK_DEBUG"


@dataclass(frozen=True)
class Settings:
    """One installation's settings; the fields after `base_url` have defaults so that a test
    (or the CLI) can build settings for a data directory without naming every one."""

    data_dir: Path
    database_url: str
    base_url: str
    # False when the base URL is the default rather than one the operator chose: `demo` then
    # serves on the host and port it was given instead.
    base_url_given: bool = True
    # The master key itself (base64), when the operator keeps it out of the data directory.
    master_key: str | None = None
    # None: `<data dir>/trusted`.
    trust_dir: Path | None = None
    # A font for Chinese, Japanese and Korean names on certificates; None: the system's Noto CJK.
    cjk_font: Path | None = None

    @property
    def master_key_path(self) -> Path:
        return self.data_dir / "master.key"

    @property
    def trust_directory(self) -> Path:
        """The operator's trust directory: the one configured, else `<data dir>/trusted`."""
        return self.trust_dir if self.trust_dir is not None else self.data_dir / "trusted"


def load_settings(data_dir: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (the process environment unless given); an explicit data
    directory wins over `CREDSTACK_DATA_DIR`. Empty variables count as unset."""
    source = os.environ if env is None else env

    def read(name: str) -> str | None:
        value = source.get(name, "").strip()
        return value or None

    directory = (data_dir or Path(read(DATA_DIR_ENV) or str(DEFAULT_DATA_DIR))).resolve()
    url = read(DATABASE_URL_ENV) or f"sqlite:///{directory / 'credstack.db'}"
    given = read(BASE_URL_ENV)
    trust_dir, cjk_font = read(TRUST_DIR_ENV), read(CJK_FONT_ENV)
    return Settings(
        data_dir=directory,
        database_url=url,
        base_url=(given or DEFAULT_BASE_URL).rstrip("/"),
        base_url_given=given is not None,
        master_key=read(MASTER_KEY_ENV),
        trust_dir=Path(trust_dir) if trust_dir else None,
        cjk_font=Path(cjk_font) if cjk_font else None,
    )


def debug_requested(env: Mapping[str, str] | None = None) -> bool:
    """`CREDSTACK_DEBUG` set: let an unexpected error's traceback through. Read apart from
    `load_settings` because the CLI asks after a failure, when settings may be what failed."""
    source = os.environ if env is None else env
    return bool(source.get(DEBUG_ENV, "").strip())
