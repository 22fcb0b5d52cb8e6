"""`credstack mail status`/`send` and the server's background sender, as the real command in
a subprocess, on SQLite and PostgreSQL, delivering to a real SMTP server."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from credstack.config import Settings
from credstack.service.learners import set_profile
from credstack.service.runtime import open_runtime
from tests.helpers import Cli, free_port, running_server
from tests.integration.hardening.tenants import installation, tenant
from tests.integration.mail.conftest import MailServer
from tests.stories.driver import Story


@pytest.fixture
def cli(tmp_path: Path, database_url: str, mail_server: MailServer) -> Cli:
    smtp = {"CREDSTACK_SMTP_URL": f"smtp://127.0.0.1:{mail_server.port}"}
    return Cli(tmp_path / "data", database_url, settings=smtp)


def _award(cli: Cli, learner: str, on: date) -> None:
    """`learner` (with an address) is awarded CCRP, committed as a registrar's command would."""
    runtime = open_runtime(Settings(cli.data_dir.resolve(), cli.database_url, cli.base_url))
    try:
        with runtime.uow() as uow:
            story = Story(uow, runtime.keys(uow))
            if uow.issuers.by_key("ccrb") is None:
                story.load("clinical-research-board.yaml")
            row = story.learner(learner)
            set_profile(uow, row, name=learner.title(), email=f"{learner}@example.org")
            story.award(learner, "ccrb", "ccrp", on)
            uow.commit()
    finally:
        runtime.close()


def _status(cli: Cli) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in cli.ok("mail", "status").splitlines())


def test_status_and_send_report_and_exit_by_what_happened(
    cli: Cli, mail_server: MailServer
) -> None:
    cli.ok("init")
    _award(cli, "ben", date(2026, 3, 9))
    before = _status(cli)
    assert (before["pending"], before["sent"], before["failed"]) == ("1", "0", "0")
    assert before["oldest pending"] != "-" and before["delivery"].startswith("smtp://127.0.0.1")
    assert "sent 1," in cli.ok("mail", "send")
    assert [m["To"] for m in mail_server.inbox.messages] == ["ben@example.org"]
    assert _status(cli)["sent"] == "1"

    mail_server.down()
    _award(cli, "cleo", date(2026, 3, 9))
    failed = cli.run("mail", "send")
    assert failed.returncode == 1 and "to retry 1" in failed.stdout
    after = _status(cli)
    assert after["pending"] == "1" and "ConnectionRefusedError" in after["last error"]
    assert cli.run("mail", "send").returncode == 0  # not due again until its backoff ends


def test_without_smtp_send_writes_to_the_log_and_succeeds(cli: Cli) -> None:
    cli.settings.clear()
    cli.ok("init")
    _award(cli, "ben", date(2026, 3, 9))
    sent = cli.run("mail", "send")
    assert sent.returncode == 0 and "sent 1," in sent.stdout
    assert "no CREDSTACK_SMTP_URL" in sent.stderr and "To: ben@example.org" in sent.stderr
    assert _status(cli)["delivery"].startswith("the log")


def test_the_server_delivers_in_the_background(cli: Cli, mail_server: MailServer) -> None:
    cli.ok("init")
    with running_server(cli, "serve", port=free_port()):
        _award(cli, "ben", date(2026, 3, 9))
        deadline = time.monotonic() + 20
        while not mail_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
    assert [m["To"] for m in mail_server.inbox.messages] == ["ben@example.org"]
    assert _status(cli)["sent"] == "1"


def _grant(url: str, token: str, learner: str) -> None:
    answer = httpx.post(
        f"{url}/api/v1/issuers/tmcb/awards",
        json={"learner": learner, "achievement": "ebola-diagnosis", "awarded_on": "2026-05-02"},
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text


def _mailed(mail_server: MailServer, count: int) -> list[str]:
    deadline = time.monotonic() + 120  # a bound for a hung server, not a measurement
    while len(mail_server.inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return [m["To"] for m in mail_server.inbox.messages]


def test_an_awards_mail_is_queued_when_it_commits_not_at_the_sweep(
    tmp_path: Path, database_url: str, mail_server: MailServer
) -> None:
    # The sweep is an hour apart: only the award's own commit can send its mail in time.
    cli, port = installation(
        tmp_path,
        database_url,
        CREDSTACK_SMTP_URL=f"smtp://127.0.0.1:{mail_server.port}",
        CREDSTACK_OUTBOX_SWEEP_SECONDS="3600",
    )
    token = tenant(cli, "tmcb", "registrar@tmcb.example")
    for learner in ("ana", "ben"):
        cli.ok("learner", "add", learner, "--name", learner.title(), "--email", f"{learner}@x.org")
    with running_server(cli, "serve", port=port) as url:
        _grant(url, token, "ana")
        assert _mailed(mail_server, 1) == ["ana@x.org"]
        # Well after the server's first sweep at start: the second award's mail too.
        _grant(url, token, "ben")
        assert _mailed(mail_server, 2) == ["ana@x.org", "ben@x.org"]
    assert _status(cli)["sent"] == "2"
