"""`credstack issuer add --did-method key|web` and `issuer rotate-key`, in a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return Cli(tmp_path / "data", database_url)


def test_issuers_choose_did_key_or_did_web(cli: Cli) -> None:
    cli.ok("init")
    keyed = cli.ok("issuer", "add", "solo", "--name", "Solo Trainer", "--did-method", "key")
    assert keyed.strip().startswith("issuer solo created: did:key:z6Mk")
    webbed = cli.ok("issuer", "add", "board", "--name", "Board")
    assert webbed.strip().endswith(":issuers:board") and "did:web:" in webbed

    refused = cli.run("issuer", "rotate-key", "solo")
    assert refused.returncode == 1
    assert "did:key" in refused.stderr and "cannot be rotated" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "now signs with key" in cli.ok("issuer", "rotate-key", "board")

    listed = dict(line.split("\t", 1) for line in cli.ok("issuer", "list").splitlines())
    assert listed["solo"].endswith(keyed.strip().rsplit(" ", 1)[-1])
    assert "did:web:" in listed["board"]

    usage = cli.run("issuer", "add", "x", "--name", "X", "--did-method", "ion")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert "ion" in usage.stderr
