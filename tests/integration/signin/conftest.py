"""A fresh migrated database with a real runtime (concurrent sign-ins need real connections),
and the mail tests' real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from credstack.config import Settings, Smtp
from credstack.service.runtime import Runtime, initialise
from tests.integration.mail.conftest import MailServer, mail_server

__all__ = ["BASE", "mail_server", "runtime"]

BASE = "https://badges.example.org"


@pytest.fixture
def runtime(tmp_path: Path, database_url: str, mail_server: MailServer) -> Iterator[Runtime]:
    smtp = Smtp("127.0.0.1", mail_server.port, "plain")
    settings = Settings(
        tmp_path / "data", database_url, BASE, smtp=smtp, mail_from="signin@badges.example.org"
    )
    opened = initialise(settings)
    try:
        yield opened
    finally:
        opened.close()
