"""At rest: the SQLite files and the data directory are the owner's alone."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from credstack.store.db import make_engine
from tests.helpers import Cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_the_database_files_0600_in_a_0700_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli = Cli(data, f"sqlite:///{data / 'credstack.db'}")
    cli.ok("init")
    cli.ok("learner", "add", "ana", "--name", "Ana")  # a write, so the WAL has been used
    assert _mode(data) == 0o700
    assert _mode(data / "master.key") == 0o600
    files = [data / "credstack.db", data / "credstack.db-wal", data / "credstack.db-shm"]
    assert [_mode(f) for f in files if f.exists()] == [0o600] * len(
        [f for f in files if f.exists()]
    )
    assert (data / "credstack.db").exists()


def test_an_engine_makes_its_files_private_whatever_the_umask(tmp_path: Path) -> None:
    database = tmp_path / "loose.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        wal = Path(f"{database}-wal")
        assert wal.exists() and _mode(wal) == 0o600
    engine.dispose()
    assert _mode(database) == 0o600
