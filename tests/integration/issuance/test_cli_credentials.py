"""`credstack credential export|share|issue` and `credstack verify` on every exported form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from credstack.config import Settings
from credstack.service.runtime import open_runtime
from tests.helpers import Cli
from tests.stories.driver import Story


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return Cli(tmp_path / "data", database_url, base_url="http://127.0.0.1:8123")


def _award(cli: Cli, *, keys: bool) -> str:
    cli.ok("init")
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            story.load("clinical-research-board.yaml")
            award = story.award("ben", "ccrb", "ccrp", date(2026, 3, 9))
            if not keys:
                award.credential = None
            uow.commit()
            return award.public_id
    finally:
        runtime.close()


@pytest.mark.parametrize("form", ["json", "jwt", "png", "svg", "pdf"])
def test_every_exported_form_verifies(cli: Cli, tmp_path: Path, form: str) -> None:
    public_id = _award(cli, keys=True)
    out = tmp_path / f"ccrp.{form}"
    cli.ok("credential", "export", public_id, "--format", form, "--out", str(out))
    verified = cli.run("verify", str(out))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith(
        "Verified: issued by Clinical Research Certification Board; every check passed."
    )
    assert "Certified Clinical Research Professional (certification)" in verified.stdout


def test_unsigned_awards_are_issued_on_request(cli: Cli) -> None:
    public_id = _award(cli, keys=False)
    shown = cli.run("credential", "show", public_id)
    assert shown.returncode == 1 and "has not been issued" in shown.stderr
    assert cli.ok("credential", "issue").strip() == f"issued {public_id}"
    assert '"OpenBadgeCredential"' in cli.ok("credential", "show", public_id)
    link = cli.ok("credential", "share", public_id, "--days", "30").splitlines()
    assert link[0].startswith("http://127.0.0.1:8123/share/")
    assert cli.run("verify", link[0]).returncode == 0
    assert cli.run("verify", "http://127.0.0.1:8123/share/forged.token").returncode == 2
